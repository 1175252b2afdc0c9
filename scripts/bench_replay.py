"""Benchmark input: the HTML responses of the shared sample crawls, replayed into one large WARC.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
Sizes are decimal: 1 MB = 1,000,000 bytes.
"""

from __future__ import annotations

import gzip
import io
import itertools
import random
import re
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MB = 1_000_000
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "warc"
LDNOOBW = DEFAULT_DATA.parent / "ldnoobw"  # the badword lists curate's measurements filter with
HTML_TYPES = ("text/html", "application/xhtml+xml")
RECORD_ID_NAMESPACE = uuid.UUID("6f1c7a52-2f43-4c1e-9a53-4d8c3b0b6e11")  # any fixed UUID will do
REPLAY_NAME = "replay.warc.gz"
WARCINFO_DATE = "2024-01-01T00:00:00Z"


@dataclass
class Page:
    """One HTML response of the shared files: what is needed to write it again."""

    url: str
    date: str
    http_headers: Any  # warcio StatusAndHeaders, without transfer/content encoding
    body: bytes


@dataclass
class BuiltInput:
    """The replayed WARC and its sizes."""

    path: Path
    records: int  # response records (plus one warcinfo record, not counted)
    source_pages: int  # distinct pages replayed round-robin
    html_mb: float  # total HTML payload
    uncompressed_mb: float  # the whole WARC, decompressed
    compressed_mb: float  # the file on disk
    build_s: float


def _warc_files(data_dir: Path) -> list[Path]:
    """WARC/ARC files under `data_dir`; WET/WAT (no HTML) and single-stream fragments left out."""
    files = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        name = path.name.lower()
        if ".wet" in name or ".wat" in name or name.startswith("fragment"):
            continue
        if name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
            files.append(path)
    return files


def collect_pages(data_dir: Path) -> list[Page]:
    """Every non-empty `response` with HTTP 200 and an HTML content type, in file order."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.statusandheaders import StatusAndHeaders

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""  # no warning per ARC record lacking its trailing newline

    pages: list[Page] = []
    for path in _warc_files(data_dir):
        with open(path, "rb") as fh:
            try:
                for record in QuietArchiveIterator(fh, arc2warc=True):
                    http = record.http_headers
                    if record.rec_type != "response" or http is None:
                        continue
                    mime = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
                    if http.get_statuscode() != "200" or mime not in HTML_TYPES:
                        continue
                    body = record.content_stream().read()  # de-chunked and decompressed
                    if not body:
                        continue
                    headers = StatusAndHeaders(http.statusline, list(http.headers), http.protocol)
                    for name in ("Transfer-Encoding", "Content-Encoding", "Content-Length"):
                        headers.remove_header(name)
                    headers.add_header("Content-Length", str(len(body)))
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    date = record.rec_headers.get_header("WARC-Date") or WARCINFO_DATE
                    pages.append(Page(url, date, headers, body))
            except Exception as exc:  # a damaged sample: keep what was read before it
                print(f"warning: {path.name}: stopped reading ({exc})", file=sys.stderr)
    return pages


TEXT_NODE = re.compile(rb">([^<]+)<")


def shuffled_text(body: bytes, seed: int) -> bytes:
    """`body` with the words of each text node in a seeded random order: the same markup, language,
    words and length, but text that no earlier copy had (see build_replay_warc's `vary`)."""
    rng = random.Random(seed)

    def shuffle(match: re.Match) -> bytes:
        words = match.group(1).split()
        rng.shuffle(words)
        return b">" + b" ".join(words) + b"<"

    return TEXT_NODE.sub(shuffle, body)


def build_replay_warc(
    pages: list[Page], path: Path, min_records: int, target_mb: float, id_prefix: str = "", vary: bool = False
) -> BuiltInput:
    """Write `pages` round-robin as a per-record gzip WARC until both `min_records` and `target_mb`
    of HTML are reached. Record ids are uuid5 of `id_prefix` and the record index: unique (give each
    file its own prefix) and deterministic. With `vary`, every copy after a page's first has the
    words of its text nodes shuffled, so that no two records hold the same text: otherwise
    trafilatura's cross-document deduplication (FineWeb's setting) empties the repeated copies and
    every step after extraction sees almost nothing, unlike on a real crawl."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    if not pages:
        raise SystemExit("no HTML responses found in the shared data; see --data")
    started = time.perf_counter()
    records, html_bytes = 0, 0
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        info = b"software: curate scripts/bench.py\r\nformat: WARC File Format 1.0\r\n"
        writer.write_record(
            writer.create_warc_record(
                "",
                "warcinfo",
                payload=io.BytesIO(info),
                length=len(info),
                warc_headers_dict={
                    "WARC-Record-ID": _record_id("warcinfo"),
                    "WARC-Date": WARCINFO_DATE,
                    "WARC-Filename": path.name,
                },
            )
        )
        for index, page in zip(itertools.count(), itertools.cycle(pages)):
            if index >= min_records and html_bytes >= target_mb * MB:
                break
            body, headers = page.body, page.http_headers
            if vary and index >= len(pages):
                body = shuffled_text(page.body, index)
                headers = StatusAndHeaders(headers.statusline, list(headers.headers), headers.protocol)
                headers.replace_header("Content-Length", str(len(body)))
            writer.write_record(
                writer.create_warc_record(
                    page.url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                    warc_headers_dict={
                        "WARC-Record-ID": _record_id(f"{id_prefix}{index}"),
                        "WARC-Date": page.date,
                    },
                )
            )
            records += 1
            html_bytes += len(body)
    return BuiltInput(
        path=path,
        records=records,
        source_pages=len(pages),
        html_mb=html_bytes / MB,
        uncompressed_mb=_gunzipped_size(path) / MB,
        compressed_mb=path.stat().st_size / MB,
        build_s=time.perf_counter() - started,
    )


def _record_id(index: int | str) -> str:
    return f"<urn:uuid:{uuid.uuid5(RECORD_ID_NAMESPACE, f'bench-{index}')}>"


def _gunzipped_size(path: Path) -> int:
    size = 0
    with gzip.open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
    return size
