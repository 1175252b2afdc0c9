"""Records out of a WARC/ARC/WET byte stream with warcio, hardened against hostile files.

warcio reads header lines without a bound (a 1 GB line aborts the process, a 100 MB one took 248 s),
takes garbage for ARC records, stops at garbage between gzip members, and parses HTTP headers only
after a lower-case `http:`. Here header lines are capped (`LineTooLong` drops an over-long line as
it streams past), a WARC file is read as WARC only, and after damage reading resumes at the next
record: in a local file of one gzip member per record at the next member that decompresses whole,
otherwise at the next line that starts a record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.recordloader import ARC2WARCHeadersParser, ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParserException

from curate.errors import CurateError
from curate.readers import decoding  # noqa: F401 - registers bounded brotli with warcio
from curate.readers.lines import LineTooLong, read_capped_line
from curate.readers.streams import InputStream

WARC_VERSION_LINE = re.compile(rb"WARC/1\.[01]\r?\n\Z")


@dataclass(frozen=True)
class Damage:
    """Damage to the stream where a record should start (about `offset`): `bad_header` for a
    header line over the cap, else None (the reader names it)."""

    reason: str | None
    offset: int


class _CappedLineReader(DecompressingBufferedReader):
    """warcio's reader with header lines capped: warcio reads every header line with an unbounded
    (and, on a long line, quadratic) readline, which also returns short of `length` at random."""

    def __init__(self, stream: BinaryIO, max_line: int):
        super().__init__(stream)
        self.max_line = max_line
        # In one gzip member per record: where the current member starts, and where the member
        # that the last line read came from starts (warcio carries a line over into the next one).
        self.member_start = self.line_member = 0

    def read_next_member(self) -> bool:
        # Exact at a member's end, unlike warcio's record offsets, which mix compressed and
        # decompressed counts when a record's length is wrong.
        if self.decompressor and self.decompressor.unused_data:
            self.member_start = self.stream.tell() - len(self.decompressor.unused_data)
        return super().read_next_member()

    def readline(self, length: int | None = None) -> bytes:
        self.line_member = self.member_start
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


class _ArcHeaderParser(ARC2WARCHeadersParser):
    """warcio's ARC header parser, taking a line for an ARC header only if it ends in a length: any
    line of five words passed, so text read out of step (after a wrong length) became records."""

    def _get_protocol_and_headers(self, headerline: str, parts: list[str]) -> tuple[str, list]:
        if not (parts[-1].isascii() and parts[-1].isdigit()):
            raise StatusAndHeadersParserException("not an ARC header line", headerline)
        return super()._get_protocol_and_headers(headerline, parts)


class _Loader(ArcWarcRecordLoader):
    """warcio's loader, reading the HTTP headers of records it would skip or stop at, and ARC
    headers strictly."""

    def __init__(self) -> None:
        super().__init__(verify_http=False, arc2warc=True)
        self.arc_parser = _ArcHeaderParser()

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
        self.loader = _Loader()
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


def framed_records(source: InputStream, max_line: int, is_arc: bool) -> Iterator[ArcWarcRecord | Damage]:
    """The records of `source` in file order, with one `Damage` wherever the stream is damaged.
    A record is read to its end when the next one is asked for."""
    # warcio reads per-record gzip members itself (it needs the member boundaries to get ARC
    # headers right); a file compressed as one stream is decompressed for it instead.
    stream = source.compressed if source.gzip_member_per_record else source.stream
    iterator: _ArchiveIterator | None = _ArchiveIterator(stream, max_line, is_arc)
    base = 0  # offset in the compressed file of what `iterator` reads (it counts from 0)
    while iterator is not None:
        try:
            warc_record = next(iterator)
            if source.gzip_member_per_record and iterator.lost_members():
                raise _OutOfStep
        except StopIteration:
            return
        except CurateError:
            raise  # the input itself failed (a remote read out of retries): not damage to book
        except Exception as exc:  # warcio and zlib raise many types on garbage: book it, then resume
            reason = "bad_header" if isinstance(exc, LineTooLong) else None
            yield Damage(reason, base + _failed_at(source, iterator))
            iterator, base = _resumed(source, iterator, base)
            continue
        yield warc_record


def _resumed(source: InputStream, failed: _ArchiveIterator, base: int) -> tuple[_ArchiveIterator | None, int]:
    """An iterator from the next record after the damage `failed` stopped at, and its `base`;
    None when there is none."""
    if source.gzip_member_per_record:
        resumed = source.resync(
            base + _failed_at(source, failed), partial(_starts_record, is_arc=failed.is_arc)
        )
        if resumed is None:
            return None, base
        return _ArchiveIterator(resumed, failed.reader.max_line, failed.is_arc), source.compressed_position
    line = _next_record_start(failed.reader, failed.is_arc)
    return (failed.resume_at(line) if line else None), base


def _failed_at(source: InputStream, failed: _ArchiveIterator) -> int:
    """Where the damage `failed` stopped at begins, relative to its stream: the gzip member it was
    in, else about where warcio was."""
    if not source.gzip_member_per_record:
        return max(0, failed.offset)
    # warcio fails on the last line it read, which may be one it carried over from the member
    # before (bytes after that member's record, as when its length is wrong).
    return failed.reader.line_member


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


def _starts_record(head: bytes, is_arc: bool) -> bool:
    """Whether decompressed bytes start a WARC record (or an ARC record in an ARC file)."""
    return head.startswith(b"WARC/") or (is_arc and _is_arc_header(head.split(b"\n", 1)[0]))


def _is_arc_header(line: bytes) -> bool:
    """`<url> <ip> <14-digit date> <mime> <length>`, the first line of an ARC v1 record."""
    fields = line.rstrip().rsplit(b" ", 4)
    return len(fields) == 5 and len(fields[2]) == 14 and fields[2].isdigit() and fields[4].isdigit()
