"""Malformed crawl files, generated from the shared sample: no crash, the complete records before
and after the damage are read (counted by warcio on the undamaged original), the damage is booked
with a reason, the ledger invariant holds (checked by every task) and no partial file is left."""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import random
import re
import tempfile
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import curate.readers.warc as warc_reader
from curate.config import Config, ReadConfig
from curate.document import Record
from curate.readers import read_input
from filters.gopher_quality import GopherQuality
from filters.time_bound import TimeBound
from tests.conftest import READING_TOML, RUSSIAN, SAMPLE, WARC_DIR, ledger, run, shards


def member_offsets() -> list[int]:
    with open(SAMPLE, "rb") as fh:
        iterator = ArchiveIterator(fh)
        return [iterator.get_record_offset() for _ in iterator]


def booked(out) -> dict[tuple[str, str], int]:
    rows = (
        ledger(out)
        .filter(pl.col("outcome") != "read")
        .group_by("outcome", "reason")
        .agg(pl.col("docs").sum())
    )
    return {(r["outcome"], r["reason"]): r["docs"] for r in rows.iter_rows(named=True)}


def no_partial_files(out) -> bool:
    return not [p for p in out.rglob(".*") if p.is_file() and p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    out = tmp_path_factory.mktemp("original") / "out"
    run([SAMPLE], out, Config())
    return out


def test_random_bytes_between_members_lose_nothing(original, tmp_path):
    data, offsets = SAMPLE.read_bytes(), member_offsets()
    middle = offsets[len(offsets) // 2]
    garbage = random.Random(1).randbytes(5000)
    damaged = tmp_path / "garbage.warc.gz"
    damaged.write_bytes(data[:middle] + garbage + data[middle:])
    out = tmp_path / "out"
    run([damaged], out, Config())
    assert booked(out)[("error", "corrupt_record")] == 1
    read = ledger(out).filter(pl.col("outcome") == "read")["docs"].sum()
    assert read == len(offsets) + 1  # every record of the original, and the damage
    assert shards(out).drop("source").equals(shards(original).drop("source"))
    assert no_partial_files(out)


def test_a_corrupt_member_costs_only_its_record(original, tmp_path):
    data, offsets = bytearray(SAMPLE.read_bytes()), member_offsets()
    index = len(offsets) // 2 + 1  # a response record
    for i in range(offsets[index] + 200, offsets[index] + 400):
        data[i] ^= 0xFF
    damaged = tmp_path / "flipped.warc.gz"
    damaged.write_bytes(bytes(data))
    out = tmp_path / "out"
    run([damaged], out, Config())
    assert booked(out)[("error", "corrupt_record")] == 1
    before = set(shards(original)["url"])
    after = set(shards(out)["url"])
    assert len(before - after) <= 1 and after <= before  # records after the damage are read too
    with open(SAMPLE, "rb") as fh:
        urls = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)]
    last_kept = [u for u in urls[index + 1 :] if u in before]
    assert last_kept and set(last_kept) <= after
    assert no_partial_files(out)


def _write(path, records) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for record in records(writer):
            writer.write_record(record)


def _response(writer, url: str, body: bytes, content_type: str = "text/html"):
    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)


def test_only_request_records_binary_html_and_a_huge_page(tmp_path):
    def records(writer):
        for i in range(3):
            yield writer.create_warc_record(
                f"http://a.example/{i}", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
            )
        yield _response(writer, "http://b.example/binary", random.Random(2).randbytes(20000))
        yield _response(
            writer, "http://c.example/huge", b"<html><body>" + b"<p>word word word</p>" * 2_600_000
        )
        yield _response(
            writer, "http://d.example/ok", b"<html><body><p>" + b"A sentence that ends. " * 60 + b"</p>"
        )

    path = tmp_path / "odd.warc.gz"
    _write(path, records)
    out = tmp_path / "out"
    result = run([path], out)  # reading layer only: every usable document is kept
    assert not result.failed
    counts = booked(out)
    assert counts[("skipped", "request_record")] == 3
    assert counts[("skipped", "too_large")] == 1  # 54 MB of HTML, over read.max_record_bytes
    assert set(shards(out)["url"]) <= {"http://b.example/binary", "http://d.example/ok"}
    assert "http://d.example/ok" in set(shards(out)["url"])
    assert ledger(out).filter(pl.col("outcome") == "read")["docs"].sum() == 6
    assert no_partial_files(out)


def test_a_content_length_too_short_resyncs_at_the_next_record(tmp_path):
    def records(writer):
        for i in range(4):
            yield _response(
                writer, f"http://e.example/{i}", b"<html><body><p>" + f"Page {i}. ".encode() * 50 + b"</p>"
            )

    path = tmp_path / "lengths.warc.gz"
    _write(path, records)
    members = path.read_bytes().split(b"\x1f\x8b\x08")[1:]
    second = gzip.decompress(b"\x1f\x8b\x08" + members[1]).replace(
        b"Content-Length: ", b"Content-Length: 1", 1
    )
    # "1" prefixed to the length: the record claims more bytes than its member holds
    rebuilt = (
        b"\x1f\x8b\x08"
        + members[0]
        + gzip.compress(second)
        + b"".join(b"\x1f\x8b\x08" + m for m in members[2:])
    )
    damaged = tmp_path / "bad-length.warc.gz"
    damaged.write_bytes(rebuilt)
    out = tmp_path / "out"
    run([damaged], out)
    urls = set(shards(out)["url"])
    assert {"http://e.example/0", "http://e.example/3"} <= urls  # before and after the damage
    assert sum(n for (outcome, _), n in booked(out).items() if outcome == "error") >= 1
    assert no_partial_files(out)


def test_texts_over_the_size_cap_skip_the_filters_as_too_large(tmp_path):
    config = Config()
    config.filters.max_text_chars = 20_000
    out = tmp_path / "out"
    run([SAMPLE], out, config)
    removed = ledger(out).filter((pl.col("stage") == "filters") & (pl.col("reason") == "too_large"))
    assert removed["docs"].sum() > 0 and (removed["outcome"] == "removed").all()
    assert (shards(out)["text"].str.len_chars() <= 20_000).all()


def test_a_full_disk_fails_that_input_alone_and_a_rerun_completes_it(tmp_path, monkeypatch, capsys):
    from curate.cli import main
    from curate.shards import ShardWriter

    write = ShardWriter.write

    def disk_full_for_one_input(self, table):
        if "whirlwind" in self.prefix:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(self, table)

    inputs = [str(WARC_DIR / "cc.warc.gz"), str(WARC_DIR / "whirlwind.warc.gz")]
    out = tmp_path / "out"
    reading = tmp_path / "reading.toml"  # keep every document, so both inputs write shards
    reading.write_text(READING_TOML)
    monkeypatch.setattr(ShardWriter, "write", disk_full_for_one_input)
    assert (
        main(["run", *inputs, "-o", str(out), "--workers", "1", "--no-progress", "--config", str(reading)])
        == 1
    )
    printed = capsys.readouterr()
    assert "whirlwind.warc.gz: cannot write its output" in printed.err and "No space left" in printed.err
    assert set(shards(out)["source"]) == {inputs[0]}
    assert no_partial_files(out) and not list((out / "staged").glob("lang=*/part-whirlwind*"))
    monkeypatch.setattr(ShardWriter, "write", write)
    assert (
        main(["run", *inputs, "-o", str(out), "--workers", "1", "--no-progress", "--config", str(reading)])
        == 0
    )
    assert "1 of 2 inputs done by an earlier run" in capsys.readouterr().out
    assert set(shards(out)["source"]) == set(inputs)


def _busy_for(seconds: float) -> None:
    """Pure Python work that only a signal can cut short (a stalled filter)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with contextlib.suppress(Exception):  # a filter's own broad except must not swallow the bound
            time.monotonic()


def test_time_bound_cuts_a_stalled_call_and_passes_fast_ones():
    with TimeBound(0.2) as bound:
        started = time.monotonic()
        assert bound.run(_busy_for, 10) is None
        assert time.monotonic() - started < 2
        assert bound.run(sum, [1, 2]) == 3
    with TimeBound(0) as unbounded:
        assert not unbounded.active and unbounded.run(sum, [4]) == 4


def test_a_filter_stalling_on_one_document_removes_only_it_as_timeout(original, tmp_path, monkeypatch):
    signals = GopherQuality.signals
    stalled = []

    def stall_once(self, doc):
        if not stalled:
            stalled.append(doc.text)
            _busy_for(30)
        return signals(self, doc)

    monkeypatch.setattr(GopherQuality, "signals", stall_once)
    config = Config()
    config.filters.timeout_s = 0.5
    out = tmp_path / "out"
    started = time.monotonic()
    run([SAMPLE], out, config)  # in-process: the monkeypatch applies
    assert time.monotonic() - started < 25
    assert booked(out)[("removed", "timeout")] == 1
    row = ledger(out).filter(pl.col("reason") == "timeout").row(0, named=True)
    assert row["stage"] == "gopher_quality"
    before, after = set(shards(original)["text"]), set(shards(out)["text"])
    assert after <= before and before - after <= {stalled[0]}
    assert no_partial_files(out)


# Record-level damage to a generated WARC of one gzip member per record. For each kind the
# documents curate recovers must be exactly the complete records still in the file, as counted by
# an independent reader: warcio on each gzip member that decompresses whole, with no resync logic.
PAGES = 12


def _page(i: int) -> bytes:
    return b"<html><body><p>" + f"Page number {i} says something. ".encode() * 40 + b"</p></body></html>"


def _generated_members() -> list[bytes]:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    offsets = []
    for i in range(PAGES):
        offsets.append(buffer.tell())
        writer.write_record(_response(writer, f"http://g.example/{i}", _page(i)))
    data = buffer.getvalue()
    return [data[a:b] for a, b in zip(offsets, [*offsets[1:], len(data)])]


def complete_records(data: bytes) -> set[str]:
    """URLs of the whole response records in `data`, member by member (warcio, no resync)."""
    urls = set()
    for start in (m.start() for m in re.finditer(re.escape(b"\x1f\x8b\x08"), data)):
        member = zlib.decompressobj(wbits=31)
        try:
            raw = member.decompress(data[start:])
            record = next(iter(ArchiveIterator(io.BytesIO(raw))))
            length = int(record.rec_headers.get_header("Content-Length"))
            whole = member.eof and len(record.raw_stream.read()) == length - record.http_headers.total_len
        except Exception:
            continue
        if whole and record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI"):
            urls.add(record.rec_headers.get_header("WARC-Target-URI"))
    return urls


def _without_headers(member: bytes, *names: bytes) -> bytes:
    raw = gzip.decompress(member)
    for name in names:
        raw = re.sub(rb"\r\n" + name + rb": [^\r]*", b"", raw, count=1)
    return gzip.compress(raw)


DAMAGE = {
    "garbage_between_members": lambda m: [*m[:5], random.Random(3).randbytes(3000), *m[5:]],
    "member_cut_short": lambda m: [*m[:5], m[5][: len(m[5]) // 2], *m[6:]],
    "member_of_random_bytes": lambda m: [*m[:5], b"\x1f\x8b\x08" + random.Random(4).randbytes(900), *m[6:]],
    "bytes_flipped_in_member": lambda m: [
        *m[:5],
        m[5][:60] + bytes(b ^ 0x5A for b in m[5][60:200]) + m[5][200:],
        *m[6:],
    ],
    "content_length_too_long": lambda m: [
        *m[:5],
        gzip.compress(gzip.decompress(m[5]).replace(b"Content-Length: ", b"Content-Length: 9", 1)),
        *m[6:],
    ],
    "missing_warc_headers": lambda m: [
        *m[:4],
        _without_headers(m[4], b"WARC-Type"),
        _without_headers(m[5], b"WARC-Record-ID", b"WARC-Date"),
        *m[6:],
    ],
    "file_cut_off": lambda m: [*m[:-1], m[-1][: len(m[-1]) // 3]],
    # after a second resync the first resumed reader, once collected, closed the file under the next
    "garbage_between_members_twice": lambda m: [m[0], b"garbage\r\n", m[1], b"garbage\r\n", *m[2:]],
    # bytes that are not a member: warcio then took compressed bytes for records
    "blank_line_between_members": lambda m: [*m[:3], b"\r\n", *m[3:]],
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_recovered_documents_equal_the_complete_records_present(kind, tmp_path):
    damaged = tmp_path / f"{kind}.warc.gz"
    damaged.write_bytes(b"".join(DAMAGE[kind](_generated_members())))
    expected = complete_records(damaged.read_bytes())
    assert len(expected) >= PAGES - 2  # the independent count sees the records around the damage
    out = tmp_path / "out"
    result = run([damaged], out)  # reading layer only: every whole HTML record is a document
    assert not result.failed  # and the task checked the ledger invariant
    assert set(shards(out)["url"]) == expected
    counts = booked(out)
    if kind == "missing_warc_headers":
        assert counts[("skipped", "no_warc_type")] == 1
    else:
        assert sum(n for (outcome, _), n in counts.items() if outcome == "error") >= 1
    assert no_partial_files(out)


JAPANESE = "夜の街を撮影するには三脚と忍耐が必要です。"


def test_non_utf8_and_mislabelled_charsets_come_out_as_the_right_text(tmp_path):
    def html(text: str, head: str = "") -> str:
        return f"<html><head>{head}</head><body><p>{text * 5}</p></body></html>"

    pages = {
        # url: (body, Content-Type) - a charset in the header, in a meta tag, nowhere, or a wrong one
        "http://h.example/header": (html(RUSSIAN).encode("windows-1251"), "text/html; charset=windows-1251"),
        "http://h.example/meta": (
            html(JAPANESE, "<meta charset='shift_jis'>").encode("shift_jis"),
            "text/html",
        ),
        "http://h.example/detected": (html(RUSSIAN).encode("koi8-r"), "text/html"),
        "http://h.example/mislabelled": (html(RUSSIAN).encode(), "text/html; charset=ascii"),
    }

    def records(writer):
        for url, (body, content_type) in pages.items():
            yield _response(writer, url, body, content_type)

    path = tmp_path / "charsets.warc.gz"
    _write(path, records)
    out = tmp_path / "out"
    assert not run([path], out).failed
    texts = dict(shards(out).select("url", "text").rows())
    assert set(texts) == set(pages)
    for url, text in texts.items():
        assert (JAPANESE if "meta" in url else RUSSIAN) in text, url
        assert "\ufffd" not in text, url


# Every record booked exactly once, whatever its headers hold, in every layout a crawl file comes in.
# The files are written byte by byte here (warcio's writer would normalize the hostile values); the
# independent count is warcio's iterator over the uncompressed bytes.
def warc_record(
    url: str,
    body: bytes = b"<html><body><p>A page of text.</p></body></html>",
    warc_headers: tuple[tuple[str, str], ...] = (("WARC-Date", "2024-01-02T03:04:05Z"),),
    status: str = "200 OK",
    http_headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html"),),
) -> bytes:
    http = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in http_headers) + "\r\n"
    block = http.encode() + body
    head = [
        "WARC/1.0",
        "WARC-Type: response",
        f"WARC-Record-ID: <urn:uuid:{url}>",
        f"WARC-Target-URI: {url}",
        *(f"{k}: {v}" for k, v in warc_headers),
        f"Content-Length: {len(block)}",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def arc_file(records: list[tuple[str, bytes]]) -> list[bytes]:
    """An ARC v1 file (header record, then one record per (url, HTTP response)), record by record."""
    meta = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    out = [b"filedesc://test.arc 0.0.0.0 20090704000000 text/plain %d\n%s\n" % (len(meta), meta)]
    for url, response in records:
        out.append(b"%s 1.2.3.4 20090704000000 text/html %d\n%s\n" % (url.encode(), len(response), response))
    return out


def layouts(records: list[bytes]) -> dict[str, bytes]:
    """The same records as one gzip member each, as one gzip stream, and uncompressed."""
    return {
        "members.gz": b"".join(gzip.compress(r) for r in records),
        "single.gz": gzip.compress(b"".join(records)),
        "plain": b"".join(records),
    }


def warcio_count(uncompressed: bytes) -> int:
    return sum(1 for _ in ArchiveIterator(io.BytesIO(uncompressed), arc2warc=True))


def read_records(data: bytes, config: ReadConfig | None = None) -> list[Record]:
    """Every Record the reader yields for a file holding `data` (written to a temporary file)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input"
        path.write_bytes(data)
        with read_input(str(path), config or ReadConfig()) as opened:
            return list(opened.records)


def _fail_converting(monkeypatch, bad_url: str) -> None:
    convert = warc_reader._to_record

    def failing(warc_record, config, is_arc):
        if warc_record.rec_headers.get_header("WARC-Target-URI") == bad_url:
            raise OverflowError("date value out of range")  # what an overflowing date once raised
        return convert(warc_record, config, is_arc)

    monkeypatch.setattr(warc_reader, "_to_record", failing)


FORMATS = {
    **{f"warc-{name}": name for name in ("members.gz", "single.gz", "plain")},
    **{f"arc-{name}": name for name in ("members.gz", "plain")},
}


@pytest.mark.parametrize("kind", FORMATS)
def test_a_record_that_fails_to_convert_is_one_error_and_reading_goes_on(kind, monkeypatch, tmp_path):
    urls = [f"http://k.example/{i}" for i in range(6)]
    if kind.startswith("arc"):
        responses = [warc_record(u).split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n\r\n") for u in urls]
        records = arc_file(list(zip(urls, responses)))
    else:
        records = [warc_record(u) for u in urls]
    data = layouts(records)[FORMATS[kind]]
    path = tmp_path / f"input.{kind}"
    path.write_bytes(data)
    _fail_converting(monkeypatch, urls[2])
    out = tmp_path / "out"
    assert not run([path], out).failed
    read = ledger(out).filter(pl.col("outcome") == "read")["docs"].sum()
    assert read == warcio_count(b"".join(records))  # each record once: the bad one is not resynced
    counts = booked(out)
    assert counts[("error", "bad_record")] == 1
    assert sorted(shards(out)["url"]) == sorted(set(urls) - {urls[2]})
    row = next(r for r in read_records(data) if r.error)
    assert row.url == urls[2] and row.id  # kept for the error log
    assert no_partial_files(out)


VALUE = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30)
HOSTILE_FIELDS = st.fixed_dictionaries(
    {
        "warc_headers": st.lists(
            st.tuples(st.sampled_from(["WARC-Date", "WARC-Identified-Content-Language", "X-Any"]), VALUE),
            max_size=3,
        ).map(tuple),
        "status": st.one_of(
            VALUE, st.sampled_from(["2OO OK", "200", "99999999999999999999 OK", "", "0200 OK"])
        ),
        "http_headers": st.lists(
            st.tuples(st.sampled_from(["Content-Type", "Content-Encoding", "Transfer-Encoding"]), VALUE)
            | st.sampled_from(
                [("Content-Encoding", "gzip"), ("Content-Encoding", "br"), ("Transfer-Encoding", "chunked")]
            ),
            max_size=4,
        ).map(tuple),
        "body": st.binary(max_size=200) | st.just(gzip.compress(b"<html>" + b"x" * 5000)[:40]),
    }
)
DATES = {  # WARC-Date: its UTC value, if it has one
    "9999-12-31T23:59:59+14:00": datetime(9999, 12, 31, 9, 59, 59, tzinfo=timezone.utc),
    "9999-12-31T23:59:59-05:00": None,
    "0001-01-01T00:00:00+05:00": None,
    "99999-01-01T00:00:00Z": None,
}


@settings(max_examples=40, deadline=None)
@given(hostile=st.lists(HOSTILE_FIELDS, min_size=1, max_size=3), date=st.sampled_from(list(DATES)))
def test_records_with_hostile_header_values_are_each_booked_once_in_every_layout(hostile, date):
    records = [warc_record("http://h.example/first", warc_headers=(("WARC-Date", date),))]
    records += [warc_record(f"http://h.example/{i}", **fields) for i, fields in enumerate(hostile)]
    records.append(warc_record("http://h.example/last"))
    expected = warcio_count(b"".join(records))
    for data in layouts(records).values():
        read = read_records(data)
        assert len(read) == expected == len(records)
        assert read[0].html is not None and read[0].crawl_date == DATES[date]
        assert read[-1].html is not None and read[-1].url == "http://h.example/last"
        assert all(r.error in (None, "bad_record") for r in read)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.binary(max_size=300).filter(lambda g: b"WARC/" not in g), min_size=1, max_size=3),
    st.sampled_from(["single.gz", "plain"]),
)
def test_garbage_between_records_of_a_stream_costs_no_record_after_it(garbage, layout):
    # One gzip stream or none: no members to resync at; reading resumes at the next WARC/1.x line.
    urls = [f"http://s.example/{i}" for i in range(len(garbage) + 1)]
    parts = [warc_record(urls[0])]
    for junk, url in zip(garbage, urls[1:]):
        parts += [junk, warc_record(url)]
    read = read_records(layouts([b"".join(parts)])[layout])
    assert len(read) <= len(urls) + len(garbage)
    # A record whose first line the garbage runs into is damaged itself (booked as an error).
    whole = [urls[0], *(u for junk, u in zip(garbage, urls[1:]) if not junk or junk.endswith(b"\n"))]
    assert set(whole) <= {r.url for r in read if r.html}
    assert len([r for r in read if r.html]) + len([r for r in read if r.error]) >= len(urls)


def test_headers_warcio_would_misread(tmp_path):
    records = [
        warc_record("HTTP://UPPER.example/"),  # warcio parses HTTP headers after a lower-case `http:` only
        warc_record("http://rot13.example/", http_headers=(("Content-Type", "text/html; charset=rot13"),)),
        warc_record("http://b64.example/", http_headers=(("Content-Type", "text/html; charset=base64"),)),
        warc_record("").replace(b"WARC-Target-URI: \r\n", b""),  # a response without a target URI
    ]
    for data in layouts(records).values():
        read = read_records(data)
        assert [r.html is not None for r in read] == [True, True, True, True]
        assert [r.http_charset for r in read] == [None, None, None, None]  # not a text encoding: dropped
    out = tmp_path / "out"
    path = tmp_path / "odd.warc.gz"
    path.write_bytes(layouts(records)["members.gz"])
    assert not run([path], out).failed
    assert shards(out).height == 4


@pytest.mark.parametrize("layout", ["members.gz", "plain"])
@pytest.mark.parametrize("delta", [-60, 7, 400])  # -60: two lines of the body left over
def test_an_arc_record_with_a_wrong_length_costs_only_itself(layout, delta):
    urls = [f"http://arc.example/{i}" for i in range(5)]
    response = warc_record("x").split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n\r\n")
    records = arc_file([(u, response) for u in urls])
    line, rest = records[2].split(b"\n", 1)
    length = int(line.rsplit(b" ", 1)[1])
    records[2] = line.rsplit(b" ", 1)[0] + b" %d\n" % (length + delta) + rest  # urls[1]'s length off
    read = read_records(layouts(records)[layout])
    kept = [r.url for r in read if r.html]
    # resync finds ARC members, a rescan ARC header lines; a length too long may eat the next one's
    assert {urls[0], *urls[3:]} <= set(kept) or delta == 400  # 400 eats the records after it
    assert sum(1 for r in read if r.error) <= 1
    assert {r.url for r in read} <= {None, *urls}  # text read out of step is no ARC record


LENGTHS = st.sampled_from([-40, -5, 5, 40, "1e3", "", "-1", str(2**64)])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.none() | LENGTHS, st.sampled_from([b"", b"\r\n", b"junk\r\n"])), min_size=2, max_size=6
    )
)
def test_a_wrong_length_or_garbage_in_members_never_reads_a_record_twice(damage):
    """One gzip member per record; some records have a wrong or invalid Content-Length, some
    members are followed by bytes that are not a member. Every record is read once at most, the
    undamaged ones exactly once."""
    urls = [f"http://m.example/{i}" for i in range(len(damage))]
    parts = []
    for url, (length, garbage) in zip(urls, damage):
        record = warc_record(url)
        if length is not None:
            true = int(re.search(rb"Content-Length: (\d+)", record).group(1))
            value = str(max(0, true + length)) if isinstance(length, int) else length
            record = record.replace(b"Content-Length: %d" % true, b"Content-Length: " + value.encode())
        parts += [gzip.compress(record), garbage]
    read = read_records(b"".join(parts))
    seen = [r.url for r in read if r.url]
    assert len(seen) == len(set(seen))
    assert {u for u, (length, _) in zip(urls, damage) if length is None} <= set(seen)
    assert len(read) <= 2 * len(urls)


@pytest.mark.parametrize("bad", [0, 2, 4])
def test_an_invalid_length_in_a_member_books_its_record_once(bad):
    # Content-Length `1e3`: warcio reads the record as empty and its block's lines as the next
    # record; with a UTF-32 page its offsets went negative (a seek before the file: OSError).
    body = ("<html><body>\n" + "<p>a line of text</p>\n" * 40 + "</body></html>").encode("utf-32")
    records = [warc_record(f"http://n.example/{i}", body=body) for i in range(5)]
    records[bad] = re.sub(rb"Content-Length: \d+", b"Content-Length: 1e3", records[bad], count=1)
    read = read_records(b"".join(gzip.compress(r) for r in records))
    urls = [r.url for r in read if r.url]
    assert sorted(urls) == [f"http://n.example/{i}" for i in range(5)]  # each once
    assert sum(1 for r in read if r.error) <= 1


def test_text_read_out_of_step_in_an_arc_file_is_not_taken_for_records():
    lines = b"".join(b"<p>word%d and four more words here</p>\n" % i for i in range(8))
    response = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body>\n" + lines + b"</body></html>"
    urls = [f"http://o.example/{i}" for i in range(4)]
    records = arc_file([(u, response) for u in urls])
    line, rest = records[1].split(b"\n", 1)
    length = int(line.rsplit(b" ", 1)[1])
    records[1] = line.rsplit(b" ", 1)[0] + b" %d\n" % (length + 120) + rest  # eats into the next record
    read = read_records(b"".join(records))
    assert {r.url for r in read} <= {None, *urls}
    assert {urls[0], urls[3]} <= {r.url for r in read if r.html}


def test_one_member_per_record_is_seen_past_a_first_record_over_4_kib():
    # The layout was judged from the first 4 KiB decompressed: a longer first record made the file
    # one gzip stream, so garbage after any member lost every record after it.
    big = warc_record(
        "http://p.example/0", body=b"<html><body><p>" + b"long page " * 3000 + b"</p></body></html>"
    )
    members = [
        gzip.compress(big),
        *(gzip.compress(warc_record(f"http://p.example/{i}")) for i in range(1, 5)),
    ]
    read = read_records(b"".join([*members[:2], b"M", *members[2:]]))
    assert [r.url for r in read if r.html] == [f"http://p.example/{i}" for i in range(5)]
    assert [r.error for r in read if r.error] == ["corrupt_record"]
