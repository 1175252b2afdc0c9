"""WARC, ARC (converted on the fly by warcio) and WET records -> `Record`s.

Kept as documents: `response` records with an allowed HTTP status and HTML content (by header, else
sniffed), and WET `conversion` records (already text). Everything else is yielded with a skip
reason so that the ledger can account for it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from curate.config import ReadConfig
from curate.document import Record, content_id, parse_date
from curate.errors import CurateError
from curate.readers.framing import Damage, framed_records
from curate.readers.streams import InputStream

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Generic or missing types: decide by looking at the payload instead.
SNIFFED_TYPES = ("", "application/octet-stream", "text/plain", "unknown/unknown")
HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|title|meta)\b", re.I | re.S)
NOT_TEXT_CODECS = {"base64", "bz2", "hex", "quopri", "rot-13", "uu", "zlib"}
CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
READ_CHUNK = 1 << 16


def looks_like_html(payload: bytes) -> bool:
    return bool(HTML_START.match(payload[:1024]))


def charset_of(content_type: str | None) -> str | None:
    """The charset label of a Content-Type; None when there is none or it names one of Python's
    codecs that are not text encodings (`rot13`, `base64`: decoding with them fails)."""
    match = CHARSET_PARAM.search(content_type or "")
    if not match:
        return None
    try:
        is_text = codecs.lookup(match.group(1)).name not in NOT_TEXT_CODECS
    except LookupError:
        is_text = True  # unknown to Python: the extractor's detection decides
    return match.group(1) if is_text else None


def iter_warc_records(source: InputStream, config: ReadConfig) -> Iterator[Record]:
    """Every record of a WARC/ARC/WET stream, in file order, each booked once: a record that is
    framed but cannot be converted is one `bad_record` error; damage to the stream is one error
    record (see framing.py for where reading resumes)."""
    # warcio's arc2warc invents random record ids: ARC records get content hashes instead.
    is_arc = source.head(16).lstrip().startswith(b"filedesc://")
    last_was_error = False
    for item in framed_records(source, config.max_header_bytes, is_arc):
        if isinstance(item, Damage):
            record = _damage_record(source, item.reason, item.offset)
        else:
            record = _converted(item, config, is_arc)
        last_was_error = record.error is not None
        yield record
    if source.damage and not last_was_error:
        # Damage between records (e.g. a cut gzip trailer): nothing to recover, but not silent.
        yield _damage_record(source, None, source.compressed_position)


def _converted(warc_record: ArcWarcRecord, config: ReadConfig, is_arc: bool) -> Record:
    """The Record of a framed record; any failure to convert it is that record's error alone (the
    iterator reads the rest of it, and goes on with the next)."""
    try:
        return _to_record(warc_record, config, is_arc)
    except CurateError:
        raise
    except Exception:
        headers = warc_record.rec_headers
        url = headers.get_header("WARC-Target-URI")
        return Record(
            id=_record_id(headers, is_arc) or content_id(url, headers.get_header("WARC-Date")),
            url=url,
            size=warc_record.length if isinstance(warc_record.length, int) else 0,
            error="bad_record",
        )


def _record_id(headers: StatusAndHeaders, is_arc: bool) -> str:
    return "" if is_arc else (headers.get_header("WARC-Record-ID") or "").strip("<>")


def _damage_record(source: InputStream, reason: str | None, offset: int) -> Record:
    """Damage to the stream at about `offset`: `reason`, else what the stream recorded, else
    `corrupt_record`."""
    reason = reason or (source.damage.split(":")[0] if source.damage else "corrupt_record")
    return Record(id=f"damaged@{offset}", error=reason)


def _read_payload(warc_record: ArcWarcRecord, limit: int) -> tuple[bytes, int, bool]:
    """(payload up to `limit` bytes, full payload size, whether the record was cut off)."""
    payload = warc_record.content_stream().read(limit + 1)
    drained, truncated = _drain(warc_record)
    if len(payload) > limit:
        # The rest is counted as stored, not decoded: a compression bomb must not cost time.
        return b"", len(payload) + drained, truncated
    return payload, len(payload), truncated


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
    record_id = _record_id(headers, is_arc)

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
    code = http.get_statuscode() if http else ""
    status = int(code) if code.isascii() and code.isdigit() and len(code) == 3 else 0  # `2OO`: no status
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
