"""Configuration loading and input expansion."""

from __future__ import annotations

import pytest

from curate.config import Config, config_from_dict, load_config
from curate.domains import registered_domain
from curate.errors import UsageError
from curate.inputs import expand_inputs, resolve_against
from curate.ledger import Ledger, LedgerInvariantError


def test_defaults_validate_and_toml_overrides(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[read]\nhttp_status = [200, 203]\n[extract]\ntimeout_s = 1\n")
    config = load_config(path)
    assert config.read.http_status == [200, 203]
    assert config.extract.timeout_s == 1.0 and isinstance(config.extract.timeout_s, float)
    assert config.output == Config().output


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"read": {"http_status": "200"}}, "read.http_status must be a list"),
        ({"read": {"http_status": [999]}}, "read.http_status is out of range"),
        ({"extract": {"main_content": 1}}, "extract.main_content must be bool"),
        ({"extract": {"extractor": "lynx"}}, "extract.extractor is out of range"),
        ({"output": {"max_shard_bytes": True}}, "must be int, not a bool"),
        ({"read": 3}, "[read] must be a table"),
    ],
)
def test_bad_values_name_the_key(data, fragment):
    with pytest.raises(UsageError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        config_from_dict(data)


def test_directories_globs_and_limits(tmp_path):
    for name in ("b.warc.gz", "a.wet.gz", "notes.txt", "sub/c.jsonl.zst", "d.parquet"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = expand_inputs([str(tmp_path)], base_url="")
    assert [p.rsplit("/", 1)[-1] for p in found] == [
        "a.wet.gz",
        "b.warc.gz",
        "d.parquet",
        "c.jsonl.zst",
    ]
    assert expand_inputs([str(tmp_path / "*.gz")], base_url="", limit=1) == [str(tmp_path / "a.wet.gz")]
    # The same file named twice is read once.
    assert len(expand_inputs([str(tmp_path / "a.wet.gz")] * 2, base_url="")) == 1
    with pytest.raises(UsageError, match="no files match"):
        expand_inputs([str(tmp_path / "*.arc")], base_url="")


def test_paths_file_lines_resolve_against_base():
    assert resolve_against("https://data.commoncrawl.org/", "crawl-data/x.warc.gz") == (
        "https://data.commoncrawl.org/crawl-data/x.warc.gz"
    )
    assert resolve_against("https://b/", "s3://bucket/x.warc.gz") == "s3://bucket/x.warc.gz"


@pytest.mark.parametrize(
    "url, domain",
    [
        ("https://www.cs.washington.edu/people", "washington.edu"),
        ("http://foo.bar.co.uk/x", "bar.co.uk"),
        ("http://127.0.0.1:8000/", "127.0.0.1"),
        ("http://localhost/", "localhost"),
        ("not a url", None),
        (None, None),
    ],
)
def test_registered_domain(url, domain):
    assert registered_domain(url) == domain


def test_ledger_invariant_catches_unbooked_records():
    ledger = Ledger("t", "in")
    ledger.read(10)
    ledger.read(10)
    ledger.book("read", "skipped", "request_record", 10)
    with pytest.raises(LedgerInvariantError, match="read 2 records but booked 1"):
        ledger.check_invariant()
    ledger.book("write", "kept", "kept", 10)
    ledger.check_invariant()
