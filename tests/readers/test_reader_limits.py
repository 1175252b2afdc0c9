"""Small inputs must not take unbounded memory or time: a header line over `read.max_header_bytes`
or a JSONL line or Parquet text over `read.max_record_bytes` is booked once and dropped while it
streams past, and reading goes on at the next record. The caps are set small here so that the
generated files stay small; tracemalloc shows that the long line is never held."""

from __future__ import annotations

import gzip
import io
import json
import time
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.config import Config, ReadConfig
from curate.errors import UsageError
from curate.readers.lines import LineTooLong, read_capped_line
from tests.conftest import ledger, run, shards
from tests.readers.test_malformed import layouts, read_records, warc_record, warcio_count

CAP = 4096
CAPPED = ReadConfig(max_header_bytes=CAP)
URLS = [f"http://l.example/{i}" for i in range(4)]


def _with_long_header(where: str, size: int) -> list[bytes]:
    """Four records; the second has a header line of `size` bytes in its WARC or its HTTP headers."""
    long_value = "v" * size
    records = [warc_record(u) for u in URLS]
    if where == "warc":
        records[1] = warc_record(URLS[1], warc_headers=(("X-Long", long_value),))
    else:
        records[1] = warc_record(
            URLS[1], http_headers=(("Content-Type", "text/html"), ("X-Long", long_value))
        )
    return records


@pytest.mark.parametrize("layout", ["members.gz", "single.gz", "plain"])
@pytest.mark.parametrize("where", ["warc", "http"])
def test_a_header_line_over_the_cap_is_one_bad_header_and_reading_goes_on(layout, where):
    records = _with_long_header(where, 200_000)
    read = read_records(layouts(records)[layout], CAPPED)
    assert [r.error for r in read] == [None, "bad_header", None, None]
    assert [r.url for r in read if r.html] == [URLS[0], URLS[2], URLS[3]]
    assert len(read) == warcio_count(b"".join(records))


def test_a_long_header_line_is_not_held_and_takes_no_time():
    # 20 MB here; a 100 MB line in a plain WARC took 0.04 s and 87 MB RSS (the README has the numbers)
    data = layouts(_with_long_header("warc", 20_000_000))["plain"]
    tracemalloc.start()
    started = time.monotonic()
    try:
        read = read_records(data, ReadConfig(max_header_bytes=64 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10
    assert peak < 4_000_000
    assert [r.error for r in read] == [None, "bad_header", None, None]


def test_a_long_line_in_the_first_record_and_one_without_an_end():
    first = warc_record(URLS[0], warc_headers=(("X-Long", "v" * 50_000),))
    rest = [warc_record(u) for u in URLS[1:]]
    for data in layouts([first, *rest]).values():
        assert [r.error for r in read_records(data, CAPPED)] == ["bad_header", None, None, None]
    endless = b"".join(rest) + b"WARC/1.0\r\nX-Endless: " + b"v" * 50_000
    read = read_records(endless, CAPPED)
    assert [r.error for r in read] == [None, None, None, "bad_header"]


def test_a_long_header_line_through_the_pipeline(tmp_path):
    path = tmp_path / "long.warc.gz"
    path.write_bytes(layouts(_with_long_header("warc", 100_000))["members.gz"])
    config = Config()
    config.read.max_header_bytes = CAP
    config.langid.enabled = config.filters.enabled = config.dedup.enabled = False
    out = tmp_path / "out"
    result = run([path], out, config)
    assert result.tasks[0].totals["read"] == 4 and result.tasks[0].totals["error"] == 1
    assert sorted(shards(out)["url"]) == [URLS[0], URLS[2], URLS[3]]
    errors = ledger(out).filter(ledger(out)["outcome"] == "error")
    assert errors["reason"].to_list() == ["bad_header"]


def test_max_header_bytes_must_be_positive():
    config = Config()
    config.read.max_header_bytes = 0
    with pytest.raises(UsageError, match="read.max_header_bytes"):
        config.validate()


def _jsonl(tmp_path, lines: list[bytes]):
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    return path


def test_a_jsonl_line_over_the_cap_is_too_large_and_never_held(tmp_path):
    huge = json.dumps({"id": "huge", "text": "w " * 10_000_000}).encode()  # 20 MB, 20 KB gzipped
    path = _jsonl(tmp_path, [b'{"id": "a", "text": "first"}', huge, b'{"id": "b", "text": "last"}'])
    tracemalloc.start()
    try:
        records = read_records(path.read_bytes(), ReadConfig(max_record_bytes=1 << 20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(r.id, r.skip) for r in records] == [("a", None), ("line@2", "too_large"), ("b", None)]
    assert records[1].size == len(huge) + 1  # with its newline
    assert peak < 6_000_000  # the 1 MiB cap and buffers, not the 20 MB line


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 300), min_size=1, max_size=12), st.integers(20, 200))
def test_every_jsonl_line_is_booked_once_and_too_large_exactly_over_the_cap(lengths, cap):
    lines = [json.dumps({"text": "x" * n}).encode() for n in lengths]
    records = read_records(gzip.compress(b"\n".join(lines) + b"\n"), ReadConfig(max_record_bytes=cap))
    assert len(records) == len(lines)
    for line, record in zip(lines, records, strict=True):
        assert (record.skip == "too_large") == (len(line) + 1 > cap)  # +1: the newline counts


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=8), st.integers(1, 30))
def test_read_capped_line_splits_like_readline_and_drops_what_is_over(lines, cap):
    stream = io.BytesIO(b"".join(line + b"\n" for line in lines))
    for line in lines:
        if len(line) + 1 > cap:
            with pytest.raises(LineTooLong):
                read_capped_line(stream.readline, cap)
        else:
            assert read_capped_line(stream.readline, cap) == line + b"\n"
    assert read_capped_line(stream.readline, cap) == b""


def test_a_parquet_text_over_the_cap_is_too_large_and_other_rows_are_read(tmp_path):
    path = tmp_path / "huge.parquet"
    texts = [f"document {i}" for i in range(5)]
    texts[2] = "w" * 3_000_000
    pq.write_table(pa.table({"id": [str(i) for i in range(5)], "text": texts}), path, compression="zstd")
    records = read_records(path.read_bytes(), ReadConfig(max_record_bytes=1 << 20))
    assert [(r.id, r.skip) for r in records] == [(str(i), "too_large" if i == 2 else None) for i in range(5)]
    assert records[2].size == 3_000_000 and records[2].text is None


def _brotli_body(chunks: list[bytes]) -> bytes:
    compressor = pytest.importorskip("brotli").Compressor(quality=5)  # installed with resiliparse
    return b"".join([*(compressor.process(chunk) for chunk in chunks), compressor.finish()])


def test_brotli_pages_are_decoded_and_a_brotli_bomb_is_too_large_at_once():
    page = b"<html><body><p>" + b"A page sent with brotli. " * 200 + b"</p></body></html>"
    bomb = _brotli_body([b"<html>", *[bytes(1 << 26)] * 4])  # 256 MiB of NULs in about 2 KB
    br = (("Content-Type", "text/html"), ("Content-Encoding", "br"))
    records = [
        warc_record(URLS[0], body=_brotli_body([page]), http_headers=br),
        warc_record(URLS[1], body=bomb, http_headers=br),
        warc_record(URLS[2]),
    ]
    started = time.monotonic()
    for data in layouts(records).values():
        read = read_records(data)
        assert read[0].html == page  # warcio's own brotli adapter fails on brotli >= 1.1
        assert read[1].skip == "too_large" and read[2].html
    assert time.monotonic() - started < 10
