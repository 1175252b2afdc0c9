"""Remote inputs (fsspec URLs) that survive a dropped connection.

A failed open or read is retried: the URL is opened again and reading continues at the same byte
offset (by seeking where the file object can, else by skipping what was already read), after a
wait that doubles each time. When the retries are spent the input fails with RemoteReadError,
which is not booked as damage: the file is probably fine, so the task leaves nothing and a rerun
of the same command redoes it.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import BinaryIO, TypeVar

import fsspec

from curate.errors import CurateError
from curate.storage.retry import retrying

SKIP_CHUNK = 1 << 20
T = TypeVar("T")


class RemoteReadError(CurateError):
    """A remote input could not be read even after its retries."""


class ResumingRemoteFile(io.RawIOBase):
    """A forward-only remote file that reconnects (see the module docstring)."""

    def __init__(self, location: str, retries: int, wait_s: float):
        self.location = location
        self.retries = retries
        self.wait_s = wait_s
        self.position = 0
        self._raw: BinaryIO | None = None
        self._with_retries(self._connection, "open")
        self.size: int | None = getattr(self._raw, "size", None)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._with_retries(lambda: self._read(len(buffer)), "read")
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def close(self) -> None:
        self._disconnect()
        super().close()

    def _read(self, n: int) -> bytes:
        data = self._connection().read(n)
        if not data and self.size is not None and self.position < self.size:
            # a connection that closed early without an error (no Content-Length to check)
            raise OSError(f"the stream ended at byte {self.position:,} of {self.size:,}")
        return data

    def _connection(self) -> BinaryIO:
        """The open file, positioned at `self.position`; opened again after a failure."""
        if self._raw is None:
            # block_size=0: a plain streaming GET, no range requests and no whole-file cache.
            raw = fsspec.open(self.location, "rb", block_size=0).open()
            try:
                _advance(raw, self.position)
            except BaseException:
                raw.close()
                raise
            self._raw = raw
        return self._raw

    def _disconnect(self) -> None:
        if self._raw is not None:
            with contextlib.suppress(Exception):  # a broken connection may fail to close: drop it
                self._raw.close()
            self._raw = None

    def _with_retries(self, action: Callable[[], T], what: str) -> T:
        return retrying(
            action,
            lambda exc: f"{self.location}: {what} failed at byte {self.position:,} ({_named(exc)})",
            self.retries,
            self.wait_s,
            lambda failure, attempts: RemoteReadError(f"{failure}, after {attempts} retries"),
            before_retry=self._disconnect,
        )


def _named(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _advance(raw: BinaryIO, offset: int) -> None:
    """Move a freshly opened file to `offset`: seek if it can, else read and drop the bytes."""
    if not offset:
        return
    if raw.seekable():
        try:
            raw.seek(offset)
            return
        except (ValueError, OSError):  # fsspec's streaming HTTP file says seekable, then refuses
            pass
    left = offset
    while left:
        chunk = raw.read(min(left, SKIP_CHUNK))
        if not chunk:
            raise OSError(f"the file is shorter than before: ended at byte {offset - left:,}")
        left -= len(chunk)
