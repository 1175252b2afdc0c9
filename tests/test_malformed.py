"""Malformed crawl files, generated from the shared sample: no crash, the complete records before
and after the damage are read (counted by warcio on the undamaged original), the damage is booked
with a reason, the ledger invariant holds (checked by every task) and no partial file is left."""

from __future__ import annotations

import errno
import gzip
import io
import random

import polars as pl
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from curate.config import Config
from tests.conftest import READING_TOML, WARC_DIR, ledger, run, shards

SAMPLE = WARC_DIR / "sample-0000.warc.gz"


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
