"""Configuration loading and input expansion."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.config import Config, config_from_dict, load_config
from curate.domains import registered_domain
from curate.errors import UsageError
from curate.inputs import expand_inputs, resolve_against
from curate.ledger import Ledger, LedgerInvariantError
from curate.pipeline.resume import _sha256, config_hash, named_files
from filters import QualityThresholds, UrlThresholds
from filters.badwords import ENV_VAR as BADWORDS_ENV
from langid.model import ENV_VAR as LID_ENV
from tests.conftest import WARC_DIR, langid_config, run, shards


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


def _named_file_config(key: str, path: Path) -> Config:
    """A config whose `key` names `path` (a file, or for the badword lists a directory)."""
    config = Config()
    if key == "langid.model":
        config.langid.model = str(path)
    elif key == "filters.quality.model":
        config.filters.order = [*config.filters.order, "quality"]
        config.filters.quality = QualityThresholds(model=str(path))
    elif key == "filters.badwords_dir":
        config.filters.badwords_dir = str(path)
    else:
        config.filters.url = UrlThresholds(**{key.rsplit(".", 1)[1]: str(path)})
    return config


NAMED_FILES = [
    "filters.url.blocked_domains_file",
    "filters.url.blocked_urls_file",
    "filters.badwords_dir",
    "langid.model",
    "filters.quality.model",
]


@pytest.mark.parametrize("key", NAMED_FILES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.binary(), after=st.binary())
def test_resume_hash_covers_the_contents_of_named_files(key, before, after, tmp_path):
    # the badword lists are a directory: its file `en` changes
    path = tmp_path / ("lists" if key == "filters.badwords_dir" else "file")
    changed = path / "en" if key == "filters.badwords_dir" else path
    changed.parent.mkdir(exist_ok=True)
    changed.write_bytes(before)
    config = _named_file_config(key, path)
    assert key in named_files(config)
    first = config_hash(config)
    changed.write_bytes(after)
    assert (config_hash(config) == first) == (before == after)
    changed.write_bytes(before)  # contents, not times: the same bytes again, the same hash
    assert config_hash(config) == first


@pytest.mark.parametrize("variable, key", [(BADWORDS_ENV, "filters.badwords_dir"), (LID_ENV, "langid.model")])
def test_resume_hash_covers_files_found_through_the_environment(variable, key, tmp_path, monkeypatch):
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "en").write_text("one\n")
    monkeypatch.setenv(variable, str(lists if key == "filters.badwords_dir" else lists / "en"))
    config = Config()
    first = config_hash(config)
    (lists / "en").write_text("one\ntwo\n")
    assert config_hash(config) != first


def test_resume_hash_of_missing_files_and_each_file_read_once(tmp_path):
    config = _named_file_config("filters.url.blocked_domains_file", tmp_path / "missing.txt")
    assert named_files(config)["filters.url.blocked_domains_file"] == tmp_path / "missing.txt"
    assert config_hash(config) == config_hash(config)  # no crash: building the filter says it is missing
    (tmp_path / "missing.txt").write_text("example.org\n")
    assert config_hash(config) != config_hash(_named_file_config("langid.model", tmp_path / "nothing"))
    reads = _sha256.cache_info().misses
    config_hash(config)
    assert _sha256.cache_info().misses == reads  # called once per input: hashed once per process


def test_changed_blocked_domains_are_applied_on_rerun(tmp_path, shared_data):
    blocked = tmp_path / "blocked.txt"
    blocked.write_text("example.invalid\n")
    config = langid_config()
    config.langid.enabled = False
    config.filters.enabled, config.filters.order = True, []  # the URL filter alone
    config.filters.url = UrlThresholds(blocked_domains_file=str(blocked))
    out = tmp_path / "out"
    sample = WARC_DIR / "sample-0000.warc.gz"
    first = run([sample], out, config)
    assert "soldaini.net" in shards(out)["domain"].to_list()
    assert run([sample], out, config).tasks[0].resumed  # unchanged: skipped
    blocked.write_text("soldaini.net\n")
    again = run([sample], out, config)
    assert not again.tasks[0].resumed
    assert "soldaini.net" not in shards(out)["domain"].to_list()
    assert again.tasks[0].totals["kept"] < first.tasks[0].totals["kept"]
