"""The record of removed documents: per task, every document a stage removed after extraction,
with its URL, domain, language, stage, reason, size and the signals computed so far; the text
only with `output.keep_removed`. The audit reads it to find which languages and sites a filter
hits hardest; with the text, it becomes the exclusion shards (one folder per reason).
"""

from __future__ import annotations

import pyarrow as pa

from curate.config import OutputConfig
from curate.document import REMOVED_SCHEMA, SIZE_COLUMNS
from curate.layout import OutputLayout
from curate.shards import ShardWriter


class RemovedWriter:
    """Collects one task's removed documents (see the module docstring)."""

    def __init__(self, layout: OutputLayout, task: str, config: OutputConfig, keep_text: bool):
        self.keep_text = keep_text
        self._writer = ShardWriter(layout.removed_dir, task, REMOVED_SCHEMA, config)

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
