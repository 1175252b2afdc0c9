"""JSONL (.zst, plain) and Parquet inputs carry already-extracted text."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.config import ReadConfig
from curate.document import Record
from curate.readers import read_input
from tests.conftest import langid_config, ledger, run, shards

ROWS = [
    {
        "id": "doc-1",
        "text": "First document text.",
        "url": "https://a.example.org/1",
        "date": "2024-01-02T03:04:05Z",
    },
    {"id": "doc-2", "text": "   ", "url": "https://b.example.org/2"},
    {"text": "No id here, so a content hash.", "metadata": {"url": "https://www.c.co.uk/3"}},
    {"id": "doc-4", "body": "the text is in another field"},
]


def _assert_documents(out):
    docs = shards(out)
    assert docs["url"].to_list() == ["https://a.example.org/1", "https://www.c.co.uk/3"]
    assert docs["id"][0] == "doc-1" and docs["id"][1].startswith("h:")
    assert docs["domain"].to_list() == ["example.org", "c.co.uk"]
    assert str(docs["crawl_date"][0]) == "2024-01-02 03:04:05+00:00"
    booked = ledger(out)
    skipped = dict(booked.filter(booked["outcome"] == "skipped").select("reason", "docs").rows())
    assert skipped == {"empty": 1, "no_text_field": 1}


def test_jsonl_zst(tmp_path):
    path = tmp_path / "docs.jsonl.zst"
    lines = "".join(json.dumps(row) + "\n" for row in ROWS) + "{not json\n"
    path.write_bytes(zstandard.ZstdCompressor().compress(lines.encode()))
    result = run([path], tmp_path / "out")
    assert result.tasks[0].totals == {"read": 5, "kept": 2, "removed": 0, "skipped": 2, "error": 1}
    _assert_documents(tmp_path / "out")


def test_parquet(tmp_path):
    path = tmp_path / "docs.parquet"
    flat = [
        {
            **{k: v for k, v in row.items() if k != "metadata"},
            "url": row.get("url") or row.get("metadata", {}).get("url"),
        }
        for row in ROWS
    ]
    pq.write_table(pa.Table.from_pylist(flat), path)
    result = run([path], tmp_path / "out")
    assert result.tasks[0].totals == {"read": 4, "kept": 2, "removed": 0, "skipped": 2, "error": 0}
    _assert_documents(tmp_path / "out")


# Crafted rows: every row of a file is booked exactly once, whatever its fields hold, and every string
# leaving the reader is valid UTF-8 (Arrow and fastText reject lone surrogates).
SURROGATES = st.sampled_from(["\ud800", "\udbff", "\udc80", "\udfff", "\x00"])
STRINGS = st.text(st.characters() | SURROGATES, max_size=20)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats() | STRINGS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
DATE_STRINGS = st.sampled_from(
    ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2024-02-30", "2024-01-01T00:00:00Z"]
)
FIELD = JSON_VALUES | DATE_STRINGS | st.sampled_from(["en", "eng_Latn", "../../etc", "zh-Hans", "x" * 300])
CRAFTED_ROWS = st.fixed_dictionaries(
    {},
    optional={
        "text": FIELD | STRINGS.map(lambda s: s + " and some words"),
        "id": FIELD,
        "url": FIELD,
        "date": FIELD,
        "lang": FIELD,
        "metadata": st.fixed_dictionaries({}, optional={"url": FIELD, "warc_url": FIELD, "warc_date": FIELD}),
    },
)
ODD_LINES = [
    b"[" * 100_000 + b"]" * 100_000,  # json.loads: RecursionError
    b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"text": "t", "id": ' + b"9" * 5000 + b"}",  # over Python's int digits limit
    b'{"text": "a\x00 raw NUL"}',
    b'{"text": "stray \xff byte", "id": "latin"}',
    b'{"text": 1e999, "id": 1e999}',
    b"null",
    b"[1, 2]",
    b'"just a string"',
    b"{not json",
]


def _records_of_lines(lines: list[bytes]) -> list[Record]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.jsonl.gz"
        path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
        with read_input(str(path), ReadConfig()) as opened:
            return list(opened.records)


def _assert_clean(record: Record) -> None:
    assert sum(x is not None for x in (record.skip, record.error, record.text)) == 1
    for value in (record.id, record.url, record.text, record.lang):
        assert value is None or isinstance(value, str) and value.encode("utf-8")
    assert record.id
    assert record.lang is None or (len(record.lang) < 40 and record.lang.replace("-", "_").isidentifier())
    assert record.crawl_date is None or record.crawl_date.tzinfo is not None


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(CRAFTED_ROWS, min_size=1, max_size=8), odd=st.lists(st.sampled_from(ODD_LINES), max_size=3)
)
def test_every_crafted_jsonl_row_is_booked_once_with_clean_strings(rows, odd):
    lines = [json.dumps(row).encode() for row in rows] + odd
    records = _records_of_lines(lines)
    assert len(records) == len(lines)
    for record in records:
        _assert_clean(record)


def test_crafted_rows_go_through_the_pipeline_and_langid(tmp_path):
    rows = [
        {
            "id": "sur\ud800rogate",
            "text": "Lone \udfff surrogates in a sentence of English words.",
            "url": "\ud800",
        },
        {"id": 7, "text": "The second document has a number for an id and NUL \x00 bytes.", "lang": "../x"},
        {"id": ["a"], "text": "A list for an id.", "date": "9999-12-31T23:59:59-05:00", "url": {"u": 1}},
        {"text": {"nested": "text"}, "url": "http://www.insuranceforpets.net]www.insuranceforpets.net/"},
    ]
    path = tmp_path / "crafted.jsonl"
    path.write_bytes(b"\n".join([json.dumps(r).encode() for r in rows] + ODD_LINES) + b"\n")
    out = tmp_path / "out"
    config = langid_config()
    config.langid.keep_below_threshold = True
    result = run([path], out, config)
    assert not result.failed
    assert result.tasks[0].totals["read"] == len(rows) + len(ODD_LINES)
    docs = shards(out)
    assert "sur\ufffdrogate" in docs["id"].to_list() and "7" in docs["id"].to_list()
    assert all("\ud800" not in t and "\udfff" not in t for t in docs["text"])


def test_odd_parquet_columns_book_every_row_once(tmp_path):
    path = tmp_path / "odd.parquet"
    text = pa.array([b"ok text", b"bad \xff utf-8", b"third text"], pa.binary()).view(pa.string())
    table = pa.table(
        {
            "id": pa.array([{"a": 1}, None, {"a": 3}]),
            "text": text,
            "url": pa.array([[1], [2], None]),
            "date": pa.array([1.5, None, 3.0]),
            "lang": pa.array([True, False, None]),
        }
    )
    pq.write_table(table, path)
    records = list(_read(path))
    assert len(records) == 3
    assert [r.text for r in records] == ["ok text", None, "third text"]
    assert records[1].error == "bad_record"  # invalid UTF-8 that Arrow cannot turn into a string
    for record in records:
        _assert_clean(record)


def test_binary_text_column_is_decoded(tmp_path):
    path = tmp_path / "binary.parquet"
    pq.write_table(pa.table({"text": pa.array([b"caf\xc3\xa9 text", b"bad \xff"], pa.binary())}), path)
    assert [r.text for r in _read(path)] == ["café text", "bad \ufffd"]


def _read(path) -> list[Record]:
    with read_input(str(path), ReadConfig()) as opened:
        return list(opened.records)


def test_a_row_group_pyarrow_cannot_decode_is_one_error_and_the_next_is_read(tmp_path, monkeypatch):
    path = tmp_path / "groups.parquet"
    pq.write_table(pa.table({"text": [f"row {i}" for i in range(6)]}), path, row_group_size=2)
    iter_batches = pq.ParquetFile.iter_batches

    def failing_second_group(self, batch_size, row_groups, **kwargs):
        if row_groups == [1]:
            raise OSError("Corrupt snappy compressed data")  # what pyarrow raises on a bad page
        return iter_batches(self, batch_size, row_groups, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", failing_second_group)
    records = _read(path)
    assert [r.text or r.error for r in records] == ["row 0", "row 1", "bad_row_group", "row 4", "row 5"]


def test_a_file_that_only_starts_like_parquet_fails_alone_in_one_line(tmp_path):
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"PAR1" + bytes(range(256)) * 4)
    result = run([path], tmp_path / "out")
    assert result.failed and "not a readable Parquet file" in result.tasks[0].failure
