"""JSONL (.zst, plain) and Parquet inputs carry already-extracted text."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from tests.conftest import ledger, run, shards

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
