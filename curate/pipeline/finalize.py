"""After every task: staged documents -> final size-bounded shards, in input order.

The whole `shards/` tree is built under a temporary name and swapped in at once, so readers see
either the previous complete set or the new one. Dedup's removals are applied here. Documents pass
one row group at a time: memory does not grow with the text. Layout: `shards/lang-xx/` (see
curate.shards for why not `lang=xx/`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from curate.config import OutputConfig
from curate.dedup.apply import ClusterDecisions
from curate.document import DOCUMENT_SCHEMA, REMOVED_SCHEMA
from curate.layout import SHARD_PREFIX, OutputLayout
from curate.shards import LABEL, PartitionedWriter, ShardWriter, row_groups


def swap_in(building: Path, final: Path) -> None:
    """Replace `final` by the complete folder `building`, so readers see one set or the other."""
    previous = final.with_name(f".{final.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if final.exists():
        final.rename(previous)
    building.mkdir(exist_ok=True)
    building.rename(final)
    shutil.rmtree(previous, ignore_errors=True)


def build_shards(
    layout: OutputLayout, tasks: list[str], config: OutputConfig, decisions: ClusterDecisions | None = None
) -> list[Path]:
    """Write `OUT/shards/lang-xx/shard-NNNNN.parquet` from the staged parts of `tasks`, without
    the documents that dedup's `decisions` remove. With `config.keep_removed`, also
    `OUT/excluded/reason-xx/`: every removed document with its text."""
    building = layout.building(layout.shards_dir)
    shutil.rmtree(building, ignore_errors=True)
    excluded = start_excluded(layout, tasks, config) if config.keep_removed else None
    written: list[Path] = []
    for lang in layout.staged_languages():
        writer = ShardWriter(layout.shard_dir(building, lang), SHARD_PREFIX, DOCUMENT_SCHEMA, config)
        for task in tasks:
            task_decisions = decisions.for_task(task) if decisions else None  # ids are per task
            for part in layout.staged_parts(lang, [task]):
                for table in row_groups(part):
                    if task_decisions:
                        if excluded:
                            excluded.write_partitioned(task_decisions.removed(table))
                        table = task_decisions.apply(table)
                    if table.num_rows:
                        writer.write(table)
        written.extend(writer.close())
    swap_in(building, layout.shards_dir)
    if excluded:
        excluded.close()
        swap_in(excluded.root, layout.excluded_dir)
    else:
        shutil.rmtree(layout.excluded_dir, ignore_errors=True)
    return [layout.shards_dir / path.relative_to(building) for path in written]


def start_excluded(layout: OutputLayout, tasks: list[str], config: OutputConfig) -> PartitionedWriter:
    """Exclusion shards by reason, begun with what the tasks' steps removed."""
    building = layout.building(layout.excluded_dir)
    shutil.rmtree(building, ignore_errors=True)
    writer = PartitionedWriter(building, SHARD_PREFIX, REMOVED_SCHEMA, config, key="reason", separator=LABEL)
    for task in tasks:
        for path in layout.removed_files(task):
            for table in row_groups(path):
                writer.write_partitioned(table)
    return writer
