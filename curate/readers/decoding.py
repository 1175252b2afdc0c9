"""Brotli bodies (`Content-Encoding: br`) for warcio: warcio's own adapter fails on brotli >= 1.1
(it sets an attribute that brotli's Decompressor no longer has, so every such page was an error),
and a few KB of brotli can hold gigabytes, so the output of each block read is bounded here."""

from __future__ import annotations

from warcio.bufferedreaders import BufferedReader

try:
    import brotli
except ImportError:  # warcio then leaves `br` bodies undecoded, as before
    brotli = None

CHUNK = 1 << 20
MAX_OUTPUT = 16 << 20  # decoded bytes from one block of input (deflate tops out there); more: a bomb


class BoundedBrotli:
    """The decompressor interface warcio's readers use (`decompress`, `flush`, `unused_data`)."""

    unused_data = b""  # warcio reads it: a body has no further gzip members

    def __init__(self) -> None:
        self._brotli = brotli.Decompressor()
        self._exhausted = False

    def decompress(self, data: bytes) -> bytes:
        """The output `data` completes, at most about MAX_OUTPUT bytes; after a bomb, nothing (the
        body is then over any size cap: `too_large`)."""
        if self._exhausted:
            return b""
        parts = [self._brotli.process(data, output_buffer_limit=CHUNK)]
        size = len(parts[0])
        while not self._brotli.can_accept_more_data():
            if size >= MAX_OUTPUT:
                self._exhausted = True
                break
            parts.append(self._brotli.process(b"", output_buffer_limit=CHUNK))
            size += len(parts[-1])
        return b"".join(parts)

    def flush(self) -> bytes:
        return b""


if brotli is not None:
    BufferedReader.DECOMPRESSORS["br"] = BoundedBrotli
