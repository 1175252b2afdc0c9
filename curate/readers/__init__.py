"""Readers: one input file -> a stream of `Record`s, whatever its format and compression."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from curate.config import ReadConfig
from curate.document import Record
from curate.errors import CurateError
from curate.readers.streams import InputStream, open_input
from curate.readers.tabular import iter_jsonl_records, iter_parquet_records
from curate.readers.warc import iter_warc_records

PARQUET_MAGIC = b"PAR1"


def sniff_format(head: bytes) -> str | None:
    """Format of decompressed data from its first bytes: WARC/ARC/WET/WAT all read as `warc`."""
    start = head.lstrip()
    if start.startswith((b"WARC/", b"filedesc://")):
        return "warc"
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if start.startswith(b"{"):
        return "jsonl"
    return None


@dataclass
class OpenedInput:
    records: Iterator[Record]
    stream: InputStream | None  # None for Parquet, which is read by row group

    def progress(self) -> tuple[int, int | None]:
        """(compressed bytes consumed, total size if known)."""
        if self.stream is None:
            return 0, None
        return self.stream.compressed_position, self.stream.size


@contextmanager
def read_input(location: str, config: ReadConfig) -> Iterator[OpenedInput]:
    """Open `location` and yield its records; CurateError (one line) if it is not a known format."""
    with open_input(location, config.retries, config.retry_wait_s) as source:
        head = source.head(64)
        if source.corrupt_start:
            raise CurateError(
                f"{location}: not a WARC, ARC, WET, JSONL or Parquet file "
                f"(corrupt {source.compression} data at the start)"
            )
        if not head:
            raise CurateError(f"{location}: file is empty")
        kind = sniff_format(head)
        if kind == "warc":
            yield OpenedInput(iter_warc_records(source, config), source)
        elif kind == "jsonl":
            yield OpenedInput(iter_jsonl_records(source, config), source)
        elif kind == "parquet" and source.compression is None:
            yield OpenedInput(iter_parquet_records(location, config), None)
        else:
            raise CurateError(
                f"{location}: not a WARC, ARC, WET, JSONL or Parquet file (starts with {bytes(head[:16])!r})"
            )
