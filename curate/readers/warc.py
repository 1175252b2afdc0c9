"""WARC, ARC (converted on the fly by warcio) and WET records -> `Record`s.

Kept as documents: `response` records with an allowed HTTP status and HTML content (by header, else
sniffed), and WET `conversion` records (already text). Everything else is yielded with a skip
reason so that the ledger can account for it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders

from curate.config import ReadConfig
from curate.document import Record, content_id, parse_date
from curate.errors import CurateError
from curate.readers.lines import LineTooLong, read_capped_line
from curate.readers.streams import InputStream

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Generic or missing types: decide by looking at the payload instead.
SNIFFED_TYPES = ("", "application/octet-stream", "text/plain", "unknown/unknown")
HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|title|meta)\b", re.I | re.S)
WARC_VERSION_LINE = re.compile(rb"WARC/1\.[01]\r?\n\Z")
NOT_TEXT_CODECS = {"base64", "bz2", "hex", "quopri", "rot-13", "uu", "zlib"}
CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
READ_CHUNK = 1 << 16


class _CappedLineReader(DecompressingBufferedReader):
    """warcio's reader with header lines capped: warcio reads every header line with an unbounded
    (and, on a long line, quadratic) readline, which also returns short of `length` at random."""

    def __init__(self, stream: BinaryIO, max_line: int):
        super().__init__(stream)
        self.max_line = max_line

    def readline(self, length: int | None = None) -> bytes:
        if length is not None and length <= self.max_line:
            return self._line(length)  # a record asking for no more than it has left
        return read_capped_line(self._line, self.max_line)

    def _line(self, limit: int) -> bytes:
        """Up to and including the next newline, at most `limit` bytes; short only at the end."""
        parts, size = [], 0
        while size < limit:
            self._fillbuff()
            if self.empty():
                break
            part = self.buff.readline(limit - size)
            parts.append(part)
            size += len(part)
            if part.endswith(b"\n"):
                break
        return b"".join(parts)


class _Loader(ArcWarcRecordLoader):
    def load_http_headers(self, rec_type: str, uri: str | None, stream: BinaryIO, length: int | None):
        # warcio parses HTTP headers only after a lower-case `http:` (schemes are case-insensitive),
        # and fails on a record without a target URI: its block is read as HTTP too.
        uri = uri or "http:"
        try:
            return super().load_http_headers(rec_type, uri[:6].lower() + uri[6:], stream, length)
        except EOFError:  # the file ends in the record's header: warcio would take it for the end
            return None


class _ArchiveIterator(ArchiveIterator):
    """warcio's iterator over a `_CappedLineReader`, reading only WARC records in a WARC file (else
    garbage with five fields on a line passes for an ARC record); `resume_at` goes on reading the
    same reader at a record header line already read (after damage in a file that is not one gzip
    member per record)."""

    # warcio writes a warning to stderr for a record not followed by a blank line; it is harmless
    # (common in ARC files) and would garble progress bars.
    INC_RECORD = ""

    def __init__(
        self, fileobj: BinaryIO, max_line: int, is_arc: bool, reader: _CappedLineReader | None = None
    ):
        super().__init__(fileobj, arc2warc=True)
        self.loader = _Loader(verify_http=False, arc2warc=True)
        self.reader = reader or _CappedLineReader(self.fh, max_line)
        self.is_arc = is_arc
        self.known_format = None if is_arc else "warc"  # kept: arc2warc makes warcio never set it

    def resume_at(self, line: bytes) -> _ArchiveIterator:
        resumed = _ArchiveIterator(self.fh, self.reader.max_line, self.is_arc, self.reader)
        resumed.next_line = line
        return resumed

    def lost_members(self) -> bool:
        """Whether warcio, reading one gzip member per record, met bytes that are not a member (garbage
        between members) and now reads compressed bytes as if they were records."""
        return self.reader.decompressor is None


class _OutOfStep(Exception):
    """The records warcio reads are not the file's (see `_ArchiveIterator.lost_members`)."""


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
    """Every record of a WARC/ARC/WET stream, in file order, each booked once.

    A record that is framed but cannot be converted is one `bad_record` error. Damage to the stream
    itself (garbage, a corrupt member, a header line over `read.max_header_bytes`) is one error
    record, then reading resumes at the next record: in a local file of one gzip member per record,
    at the next member that decompresses whole; otherwise at the next line that starts a record.
    """
    # warcio reads per-record gzip members itself (it needs the member boundaries to get ARC
    # headers right); a file compressed as one stream is decompressed for it instead.
    stream = source.compressed if source.gzip_member_per_record else source.stream
    # warcio's arc2warc invents random record ids: ARC records get content hashes instead.
    is_arc = source.head(16).lstrip().startswith(b"filedesc://")
    iterator: _ArchiveIterator | None = _ArchiveIterator(stream, config.max_header_bytes, is_arc)
    base = 0  # offset in the compressed file of what `iterator` reads (it counts from 0)
    last_was_error = False
    while iterator is not None:
        try:
            warc_record = next(iterator)
            if source.gzip_member_per_record and iterator.lost_members():
                raise _OutOfStep
        except StopIteration:
            break
        except CurateError:
            raise  # the input itself failed (a remote read out of retries): not damage to book
        except Exception as exc:  # warcio and zlib raise many types on garbage: book it, then resume
            reason = "bad_header" if isinstance(exc, LineTooLong) else None
            yield _damage_record(source, reason, base + iterator.offset)
            last_was_error = True
            iterator, base = _resumed(source, iterator, base)
            continue
        record = _converted(warc_record, config, is_arc)
        last_was_error = record.error is not None
        yield record
    if source.damage and not last_was_error:
        # Damage between records (e.g. a cut gzip trailer): nothing to recover, but not silent.
        yield _damage_record(source, None, source.compressed_position)


def _resumed(source: InputStream, failed: _ArchiveIterator, base: int) -> tuple[_ArchiveIterator | None, int]:
    """An iterator from the next record after the damage `failed` stopped at, and its `base`;
    None when there is none."""
    if source.gzip_member_per_record:
        # warcio's offset is where the record it failed on starts (or the record before it)
        resumed = source.resync(base + failed.offset)
        if resumed is None:
            return None, base
        return _ArchiveIterator(resumed, failed.reader.max_line, failed.is_arc), source.compressed_position
    line = _next_record_start(failed.reader, failed.is_arc)
    return (failed.resume_at(line) if line else None), base


def _next_record_start(reader: _CappedLineReader, is_arc: bool) -> bytes | None:
    """Read on to the next line that starts a WARC record (an ARC record in an ARC file); a WARC
    version line may follow garbage on the same line."""
    while True:
        try:
            line = reader.readline()
        except LineTooLong:
            continue
        if not line:
            return None
        version = WARC_VERSION_LINE.search(line)
        if version:
            return line[version.start() :]
        if is_arc and _is_arc_header(line):
            return line


def _is_arc_header(line: bytes) -> bool:
    """`<url> <ip> <14-digit date> <mime> <length>`, the first line of an ARC v1 record."""
    fields = line.rstrip().rsplit(b" ", 4)
    return len(fields) == 5 and len(fields[2]) == 14 and fields[2].isdigit() and fields[4].isdigit()


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
