"""WARC, ARC (converted on the fly by warcio) and WET records -> `Record`s.

Kept as documents: `response` records with an allowed HTTP status and HTML content (by header, else
sniffed), and WET `conversion` records (already text). Everything else is yielded with a skip
reason so that the ledger can account for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from curate.config import ReadConfig
from curate.document import Record, content_id, parse_date
from curate.errors import CurateError
from curate.readers.streams import InputStream

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Generic or missing types: decide by looking at the payload instead.
SNIFFED_TYPES = ("", "application/octet-stream", "text/plain", "unknown/unknown")
HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|title|meta)\b", re.I | re.S)
CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
READ_CHUNK = 1 << 16


class _QuietArchiveIterator(ArchiveIterator):
    # warcio writes a warning to stderr for a record not followed by a blank line; it is harmless
    # (common in ARC files) and would garble progress bars.
    INC_RECORD = ""


def looks_like_html(payload: bytes) -> bool:
    return bool(HTML_START.match(payload[:1024]))


def charset_of(content_type: str | None) -> str | None:
    match = CHARSET_PARAM.search(content_type or "")
    return match.group(1) if match else None


def iter_warc_records(source: InputStream, config: ReadConfig) -> Iterator[Record]:
    """Every record of a WARC/ARC/WET stream, in file order. Damage is booked as an error record;
    in a local file of one gzip member per record, reading goes on at the next whole member."""
    # warcio reads per-record gzip members itself (it needs the member boundaries to get ARC
    # headers right); a file compressed as one stream is decompressed for it instead.
    stream = source.compressed if source.gzip_member_per_record else source.stream
    iterator, base = _QuietArchiveIterator(stream, arc2warc=True), 0
    records = iter(iterator)
    # warcio's arc2warc invents random record ids: ARC records get content hashes instead.
    is_arc = source.head(16).lstrip().startswith(b"filedesc://")
    last_was_error = False
    good_until = -1  # offset of the last member read whole, or of the last resync point
    while True:
        try:
            record = _to_record(next(records), config, is_arc)
            offset = base + iterator.get_record_offset()  # after the record is read: it reads to the end
        except StopIteration:
            break
        except CurateError:
            raise  # the input itself failed (a remote read out of retries): not damage to book
        except Exception:  # warcio and zlib raise many types on garbage: book it, then resync
            yield _damage_record(source, "corrupt_record")
            resumed = source.resync(good_until)
            if resumed is None:
                return
            base = good_until = source.compressed_position
            iterator = _QuietArchiveIterator(resumed, arc2warc=True)
            records = iter(iterator)
            continue
        good_until = max(good_until, offset)
        last_was_error = record.error is not None
        yield record
    if source.damage and not last_was_error:
        # Damage between records (e.g. a cut gzip trailer): nothing to recover, but not silent.
        yield _damage_record(source, "damaged_stream")


def _damage_record(source: InputStream, fallback: str) -> Record:
    reason = source.damage.split(":")[0] if source.damage else fallback
    return Record(id=f"damaged@{source.compressed_position}", error=reason)


def _read_payload(warc_record: ArcWarcRecord, limit: int) -> tuple[bytes, int, bool]:
    """(payload up to `limit` bytes, full payload size, whether the record was cut off)."""
    stream = warc_record.content_stream()
    payload = stream.read(limit + 1)
    size = len(payload)
    if size > limit:
        payload = b""
        while chunk := stream.read(READ_CHUNK):
            size += len(chunk)
    _, truncated = _drain(warc_record)
    return payload, size, truncated


def _drain(warc_record: ArcWarcRecord) -> tuple[int, bool]:
    """Read the rest of the record: (bytes read, whether the file ended before Content-Length)."""
    size = 0
    while chunk := warc_record.raw_stream.read(READ_CHUNK):
        size += len(chunk)
    return size, warc_record.raw_stream.limit > 0


def _to_record(warc_record: ArcWarcRecord, config: ReadConfig, is_arc: bool) -> Record:
    headers = warc_record.rec_headers
    rec_type = warc_record.rec_type
    url = headers.get_header("WARC-Target-URI")
    date = parse_date(headers.get_header("WARC-Date"))
    record_id = "" if is_arc else (headers.get_header("WARC-Record-ID") or "").strip("<>")

    if rec_type not in ("response", "conversion"):
        size, truncated = _drain(warc_record)
        return Record(
            id=record_id or content_id(url, rec_type),
            url=url,
            crawl_date=date,
            size=size,
            skip=None if truncated else f"{rec_type}_record" if rec_type else "no_warc_type",
            error="truncated" if truncated else None,
        )

    if rec_type == "conversion":  # WET: the text is already extracted
        payload, size, truncated = _read_payload(warc_record, config.max_record_bytes)
        record = Record(
            id=record_id or content_id(url, payload),
            url=url,
            crawl_date=date,
            content_type="text/plain",
            size=size,
        )
        if truncated:
            record.error = "truncated"
        elif size > config.max_record_bytes:
            record.skip = "too_large"
        elif not payload.strip():
            record.skip = "empty"
        else:
            record.text = payload.decode("utf-8", "replace")
        return record

    http = warc_record.http_headers
    status = int(http.get_statuscode() or 0) if http else 0
    content_type = (http.get_header("Content-Type") or "") if http else ""
    mime = content_type.split(";")[0].strip().lower()
    payload, size, truncated = _read_payload(warc_record, config.max_record_bytes)
    record = Record(
        id=record_id or content_id(url, headers.get_header("WARC-Date"), payload),
        url=url,
        crawl_date=date,
        content_type=mime or None,
        http_charset=charset_of(content_type),
        size=size,
    )
    if truncated:
        record.error = "truncated"
    elif status not in config.http_status:
        record.skip = "http_status"
    elif size > config.max_record_bytes:
        record.skip = "too_large"
    elif not payload.strip():
        record.skip = "empty"
    elif mime in HTML_TYPES or (mime in SNIFFED_TYPES and looks_like_html(payload)):
        record.html = payload
    else:
        record.skip = "not_html"
    return record
