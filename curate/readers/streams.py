"""Open an input (local path or fsspec URL) as one forward-only stream of decompressed bytes.

Compression is sniffed from magic bytes, not the file name. Gzip handles both layouts found in the
wild: one member per record (the WARC convention) and one stream for the whole file. Damage
(a cut-off file, corrupt compressed data, a failed remote read) ends the stream early instead of
raising, and is kept in `damage` so the reader can book the incomplete record.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import zstandard

from curate.errors import CurateError
from curate.inputs import is_remote
from curate.readers.remote import ResumingRemoteFile

GZIP_MAGIC = b"\x1f\x8b"
GZIP_MEMBER_START = b"\x1f\x8b\x08"  # magic and the deflate method
RESYNC_WINDOW = 1 << 20
SNIFF_OUTPUT = 64 << 20  # decompressed bytes of the first gzip member read to find its end
RECORD_HEAD = 4096  # decompressed bytes a resync judges a member by
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class CountingReader(io.RawIOBase):
    """Counts the (compressed) bytes pulled from the source, for progress bars."""

    def __init__(self, raw: BinaryIO, position: int = 0):
        self.raw = raw
        self.position = position

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


class DamageTolerantReader(io.RawIOBase):
    """Reads a decompressing stream; the first decompression or I/O failure becomes end-of-stream."""

    def __init__(self, inner: BinaryIO):
        self.inner = inner
        self.damage: str | None = None
        self._position = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.damage:
            return 0
        try:
            # read1: one decompression step at a time, so good data before the damage is kept
            # (a plain read() spanning into a cut member would lose the whole call's data).
            data = self.inner.read1(len(buffer))
        except EOFError:
            self.damage = "truncated_file"
            return 0
        except (gzip.BadGzipFile, zlib.error, zstandard.ZstdError) as exc:
            self.damage = f"corrupt_compression: {exc}"
            return 0
        except OSError as exc:
            self.damage = f"read_error: {exc}"
            return 0
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


class InputStream:
    """One input's bytes: `compressed` as read, `stream` decompressed, plus sniffing and progress.

    Nothing is consumed until a reader picks one of the two streams.
    """

    SNIFF_BYTES = 1 << 20

    def __init__(self, raw: BinaryIO, size: int | None):
        self.counter = CountingReader(raw)
        self.size = size
        self.compressed = io.BufferedReader(self.counter, buffer_size=self.SNIFF_BYTES)
        peeked = self.compressed.peek(self.SNIFF_BYTES)
        self.compression = _sniff_compression(peeked[:4])
        self.gzip_member_per_record = False
        self.corrupt_start = False  # compressed, but its first bytes do not decompress
        if self.compression == "gzip":
            first_member = zlib.decompressobj(wbits=31)
            try:
                self._head = first_member.decompress(peeked, 4096)
                _read_to_member_end(first_member)
            except zlib.error:
                self._head, self.corrupt_start = b"", True
            # Members follow the first one: the WARC convention of one gzip member per record.
            self.gzip_member_per_record = first_member.eof and bool(first_member.unused_data)
        elif self.compression == "zstd":
            try:
                self._head = zstandard.ZstdDecompressor().decompressobj().decompress(peeked)[:4096]
            except zstandard.ZstdError:
                self._head, self.corrupt_start = b"", True
        else:
            self._head = peeked[:4096]
        self._tolerant: DamageTolerantReader | None = None
        self._stream: io.BufferedReader | None = None

    @property
    def stream(self) -> io.BufferedReader:
        """The decompressed bytes; decompression or I/O damage ends it early (see `damage`)."""
        if self._stream is None:
            if self.compression == "gzip":
                inner: BinaryIO = gzip.GzipFile(fileobj=self.compressed, mode="rb")
            elif self.compression == "zstd":
                inner = zstandard.ZstdDecompressor().stream_reader(self.compressed, read_across_frames=True)
            else:
                inner = self.compressed
            self._tolerant = DamageTolerantReader(inner)
            self._stream = io.BufferedReader(self._tolerant, buffer_size=1 << 16)
        return self._stream

    @property
    def damage(self) -> str | None:
        return self._tolerant.damage if self._tolerant else None

    @property
    def compressed_position(self) -> int:
        return self.counter.position

    def resync(self, after: int, starts_record: Callable[[bytes], bool]) -> BinaryIO | None:
        """After damage in a seekable file of one gzip member per record: the compressed bytes
        from the first member after offset `after` that decompresses whole into bytes whose start
        `starts_record` accepts (a WARC or an ARC record; its offset is `compressed_position`);
        None when there is none, or the input cannot seek (a remote stream)."""
        raw = self.counter.raw
        if not self.gzip_member_per_record or not raw.seekable():
            return None
        position = after + 1
        while True:
            raw.seek(position)
            window = raw.read(RESYNC_WINDOW)
            if len(window) < len(GZIP_MEMBER_START):
                return None
            hit = window.find(GZIP_MEMBER_START)
            while hit >= 0:
                if _is_whole_member(raw, position + hit, starts_record):
                    raw.seek(position + hit)
                    # A counter of its own: the reader given out before closes its counter when it
                    # is collected, which must not end this one.
                    self.counter = CountingReader(raw, position + hit)
                    return io.BufferedReader(self.counter, buffer_size=1 << 16)
                hit = window.find(GZIP_MEMBER_START, hit + 1)
            position += len(window) - len(GZIP_MEMBER_START) + 1

    def head(self, n: int = 512) -> bytes:
        """The first decompressed bytes (at most 4 KiB), without consuming anything."""
        return self._head[:n]


def _is_whole_member(raw: BinaryIO, offset: int, starts_record: Callable[[bytes], bool]) -> bool:
    """Whether a gzip member starts at `offset`, decompresses to its end, and starts a record."""
    raw.seek(offset)
    member = zlib.decompressobj(wbits=31)
    head = b""
    try:
        while not member.eof:
            chunk = raw.read(1 << 16)
            if not chunk:
                return False
            out = member.decompress(chunk)
            if len(head) < RECORD_HEAD:
                head += out[: RECORD_HEAD - len(head)]
    except zlib.error:
        return False
    return starts_record(head)


def _read_to_member_end(member: zlib._Decompress) -> None:
    """Decompress the rest of the peeked input of `member` (a first record over 4 KiB, as a long
    header makes it), dropping the output, at most SNIFF_OUTPUT bytes of it (a bomb stops there)."""
    output = 0
    while not member.eof and member.unconsumed_tail and output < SNIFF_OUTPUT:
        output += len(member.decompress(member.unconsumed_tail, 1 << 16))


def _sniff_compression(magic: bytes) -> str | None:
    if magic.startswith(GZIP_MAGIC):
        return "gzip"
    if magic.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


@contextmanager
def open_input(location: str, retries: int = 3, retry_wait_s: float = 1.0) -> Iterator[InputStream]:
    """Open `location` for streaming; raises CurateError with one clear line if it cannot.
    A remote input reconnects after a failed open or read, `retries` times (see remote.py)."""
    try:
        if is_remote(location):
            raw = ResumingRemoteFile(location, retries, retry_wait_s)
            size = raw.size
        else:
            raw = open(location, "rb")  # noqa: SIM115 - closed below
            size = _local_size(raw)
    except FileNotFoundError:
        raise CurateError(f"{location}: no such file") from None
    except ImportError as exc:
        raise CurateError(f"{location}: cannot open this URL scheme ({exc})") from None
    except OSError as exc:
        raise CurateError(f"{location}: cannot open: {exc}") from None
    try:
        yield InputStream(raw, size)
    finally:
        raw.close()


def _local_size(fh: BinaryIO) -> int:
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    return size
