"""The record of removed documents: per task, every document a stage removed after extraction,
with its URL, domain, language, stage, reason, size and the signals computed so far; the text
only with `output.keep_removed`. The audit reads it to find which languages and sites a filter
hits hardest; with the text, it becomes the exclusion shards (one folder per reason).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from curate.config import OutputConfig
from curate.document import DOCUMENT_SCHEMA
from curate.shards import ShardWriter

REMOVED_DIR = "removed"  # under stats/
EXCLUDED_DIR = "excluded"  # exclusion shards, reason-xx/, with output.keep_removed
SIZE_COLUMNS = ("chars", "words", "bytes")
REMOVED_SCHEMA = pa.schema(
    [
        *DOCUMENT_SCHEMA,
        pa.field("stage", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("chars", pa.int64()),
        pa.field("words", pa.int64()),
        pa.field("bytes", pa.int64()),
    ],
    metadata=DOCUMENT_SCHEMA.metadata,
)


def text_sizes(text: str) -> tuple[int, int, int]:
    """(characters, whitespace-separated words, UTF-8 bytes) of a text."""
    return len(text), len(text.split()), len(text.encode("utf-8", "surrogatepass"))


def document_sizes(texts: pa.ChunkedArray) -> pa.Table:
    """The columns of SIZE_COLUMNS for a column of texts, counted as `text_sizes` counts them."""
    return pa.table(
        {
            "chars": pc.utf8_length(texts).cast(pa.int64()),
            "words": pa.array([len(text.split()) for text in texts.to_pylist()], pa.int64()),
            "bytes": pc.binary_length(texts).cast(pa.int64()),
        }
    )


def removed_files(stats_dir: Path, task: str | None = None) -> list[Path]:
    return sorted((stats_dir / REMOVED_DIR).glob(f"{task or '*'}-[0-9]*.parquet"))


class RemovedWriter:
    """Collects one task's removed documents (see the module docstring)."""

    def __init__(self, stats_dir: Path, task: str, config: OutputConfig, keep_text: bool):
        self.keep_text = keep_text
        self._writer = ShardWriter(stats_dir / REMOVED_DIR, task, REMOVED_SCHEMA, config)

    def write(self, columns: dict[str, list], removals: list[tuple[str, str, tuple[int, int, int]]]) -> None:
        """`columns` of the removed documents only; per document (stage, reason, sizes)."""
        rows = dict(columns)
        if not self.keep_text:
            rows["text"] = [None] * len(removals)
        rows["stage"] = [stage for stage, _, _ in removals]
        rows["reason"] = [reason for _, reason, _ in removals]
        for i, name in enumerate(SIZE_COLUMNS):
            rows[name] = [sizes[i] for _, _, sizes in removals]
        self._writer.write(pa.Table.from_pydict(rows, schema=REMOVED_SCHEMA))

    def close(self) -> None:
        self._writer.close()

    def abort(self) -> None:
        self._writer.abort()
