"""Lines read with a length cap: an over-long line (a 100 MB WARC header line, a 2 GB JSONL row) is
dropped while it streams past, never held whole, and reading goes on at the next line."""

from __future__ import annotations

from collections.abc import Callable

DROP_CHUNK = 1 << 16


class LineTooLong(Exception):
    """A line longer than the cap; it has been read and dropped, up to and including its newline."""

    def __init__(self, size: int):
        super().__init__(f"a line of {size:,} bytes")
        self.size = size


def read_capped_line(readline: Callable[[int], bytes], cap: int) -> bytes:
    """The next line from `readline(n)`, which returns the line up to n bytes (fewer only at the
    end); LineTooLong when the line, newline included, is longer than `cap` bytes."""
    line = readline(cap + 1)
    if len(line) <= cap:
        return line
    size = len(line)
    while not line.endswith(b"\n"):
        line = readline(DROP_CHUNK)
        if not line:
            break
        size += len(line)
    raise LineTooLong(size)
