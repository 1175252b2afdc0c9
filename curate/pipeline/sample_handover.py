"""The topic sample's extracted texts, handed to the tasks that read the same pages again, so that
a run extracts each page once (the sample is the first `topics.sample_docs` pages of the inputs:
extracting them twice cost 1.4 s of a 10 s benchmark run).

A text is found by a digest of the page's HTML and charset, the extractor's whole input, so a
task takes it only for the very page it was made from, with the same configuration (the run's);
a page it does not find is extracted as always. OUT/topics/sample.parquet (layout) holds them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from curate.atomic import write_atomically
from curate.document import parts_digest

HANDOVER_SCHEMA = pa.schema([("input", pa.string()), ("digest", pa.binary()), ("text", pa.large_string())])


def page_digest(html: bytes, charset: str | None) -> bytes:
    """What identifies an extraction's input: the page's bytes and the charset it is read with."""
    return parts_digest((html, charset), 16)


def write_handover(path: Path, rows: list[tuple[str, bytes, str]]) -> None:
    """(input, page digest, extracted text) rows, written whole or not at all."""
    inputs, digests, texts = (list(column) for column in zip(*rows)) if rows else ([], [], [])
    table = pa.table({"input": inputs, "digest": digests, "text": texts}, schema=HANDOVER_SCHEMA)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda tmp: pq.write_table(table, tmp))


class KnownTexts:
    """Texts extracted already, by page digest, each for as many pages as the sample had with that
    digest: once all are used, `__bool__` is False and pages are no longer hashed."""

    def __init__(self, pages: list[tuple[bytes, str]] = ()):  # type: ignore[assignment]
        self._texts = dict(pages)
        self._uses = Counter(digest for digest, _ in pages)

    def __bool__(self) -> bool:
        return bool(self._uses)

    def take(self, html: bytes, charset: str | None) -> str | None:
        """The text of this page if it was extracted already, else None."""
        digest = page_digest(html, charset)
        if digest not in self._uses:
            return None
        self._uses[digest] -= 1
        if self._uses[digest]:
            return self._texts[digest]
        del self._uses[digest]
        return self._texts.pop(digest)  # its last use: the task does not hold it any longer


def read_handover(path: Path, location: str) -> KnownTexts:
    """The texts extracted already from pages of `location`; none when the file is missing or
    cannot be read (the task then extracts every page itself)."""
    if not path.is_file():
        return KnownTexts()
    try:
        table = pq.read_table(path, columns=["digest", "text"], filters=[("input", "=", location)])
    except (OSError, pa.ArrowException, KeyError, TypeError):
        return KnownTexts()
    if table.schema != HANDOVER_SCHEMA.remove(0):  # not a file this module wrote: no text from it
        return KnownTexts()
    pages = zip(table["digest"].to_pylist(), table["text"].to_pylist())
    return KnownTexts([(digest, text) for digest, text in pages if digest is not None and text is not None])
