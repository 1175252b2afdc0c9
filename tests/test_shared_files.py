"""Every real file in ../shared/data is read with the record counts SOURCES.md lists."""

from __future__ import annotations

import gzip
import json

import polars as pl
import pytest

from curate.inputs import expand_inputs
from tests.conftest import WARC_DIR, ledger, run, shards

# file: (records read, documents kept, skipped, errors) as SOURCES.md describes the file.
EXPECTED = {
    # 1 warcinfo, 4 request, 4 response (3 HTML + 1 empty msn.com body), 4 metadata
    "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc": (13, 3, 10, 0),
    "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc.wat": (9, 0, 9, 0),
    "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc.wet": (4, 3, 1, 0),
    "cc.warc.gz": (1, 1, 0, 0),
    "crawl-002_2009_09_17_12_1253241189984_12-4827319.arc.gz": (2, 1, 1, 0),
    "crawl-2012_1341690165636_1341785606830_6-0-4421.arc.gz": (2, 1, 1, 0),
    # single gzip stream, last conversion record cut mid-body
    "fragment1_incomplete_last.wet.gz": (3, 1, 1, 1),
    # single gzip stream: 1 warcinfo + 4 Russian + 1 Chinese conversion
    "fragment3.wet.gz": (6, 5, 1, 0),
    # 1 warcinfo, 22 request, 22 HTML responses, 1 metadata, 2 resource
    "sample-0000.warc.gz": (48, 22, 26, 0),
    "whirlwind.warc.gz": (4, 1, 3, 0),
    "whirlwind.warc.wat.gz": (2, 0, 2, 0),
    "whirlwind.warc.wet.gz": (2, 1, 1, 0),
}


def test_expected_covers_every_shared_file(shared_data):
    assert sorted(p.name for p in WARC_DIR.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_file_counts_and_invariant(name, shared_data, tmp_path):
    result = run([WARC_DIR / name], tmp_path / "out")
    (task,) = result.tasks
    assert task.failure is None
    read, kept, skipped, errors = EXPECTED[name]
    totals = task.totals
    assert (totals["read"], totals["kept"], totals["skipped"], totals["error"]) == (
        read,
        kept,
        skipped,
        errors,
    )
    assert totals["read"] == totals["kept"] + totals["removed"] + totals["skipped"] + totals["error"]
    if kept:
        docs = shards(tmp_path / "out")
        assert docs.height == kept
        assert docs["id"].n_unique() == kept
        assert docs["text"].str.strip_chars().str.len_chars().min() > 0


def test_sample_warc_kept_documents_are_the_html_responses(shared_data, tmp_path):
    run([WARC_DIR / "sample-0000.warc.gz"], tmp_path / "out")
    docs = shards(tmp_path / "out")
    assert set(docs["content_type"]) == {"text/html"}
    assert docs["id"].str.starts_with("urn:uuid:").all()
    assert docs["crawl_date"].dt.year().unique().to_list() == [2024]
    assert "washington.edu" in set(docs["domain"])
    skipped = ledger(tmp_path / "out").filter(pl.col("outcome") == "skipped")
    by_reason = dict(zip(skipped["reason"], skipped["docs"]))
    assert by_reason == {
        "request_record": 22,
        "warcinfo_record": 1,
        "metadata_record": 1,
        "resource_record": 2,
    }


def test_cut_off_wet_keeps_complete_record_and_books_the_cut_one(shared_data, tmp_path):
    run([WARC_DIR / "fragment1_incomplete_last.wet.gz"], tmp_path / "out")
    errors = ledger(tmp_path / "out").filter(pl.col("outcome") == "error")
    assert errors["reason"].to_list() == ["truncated"]
    docs = shards(tmp_path / "out")
    assert docs["url"].str.contains("nn.ru|003").all()


def test_arc_records_get_stable_content_ids(shared_data, tmp_path):
    arc = WARC_DIR / "crawl-2012_1341690165636_1341785606830_6-0-4421.arc.gz"
    run([arc], tmp_path / "a")
    run([arc], tmp_path / "b")
    first, second = shards(tmp_path / "a"), shards(tmp_path / "b")
    assert first["id"].to_list() == second["id"].to_list()
    assert first["id"][0].startswith("h:")
    assert first["url"][0] == "http://taighde.com/w/Kylie_Ward"
    assert "Kylie" in first["text"][0]


def test_jsonl_text_collection(shared_data, tmp_path):
    path = shared_data / "text" / "CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
    with gzip.open(path, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    non_empty = [r for r in rows if r["text"].strip()]
    result = run([path], tmp_path / "out")
    assert result.tasks[0].totals["read"] == len(rows) == 697
    docs = shards(tmp_path / "out")
    assert docs.height == len(non_empty)
    assert docs["id"].to_list() == [r["id"] for r in non_empty]
    # Dolma keeps a scheme-less `metadata.url` beside the full `metadata.warc_url`: the full one is used
    assert docs["url"].to_list() == [r["metadata"]["warc_url"] for r in non_empty]


def test_whole_shared_directory_in_one_run(shared_data, tmp_path):
    inputs = expand_inputs([str(WARC_DIR)], base_url="")
    result = run(inputs, tmp_path / "out")
    assert not result.failed
    assert len(result.tasks) == len(EXPECTED)
    assert shards(tmp_path / "out").height == sum(e[1] for e in EXPECTED.values())
