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
from curate.document import DOCUMENT_SCHEMA
from curate.removed import EXCLUDED_DIR, REMOVED_SCHEMA, removed_files
from curate.shards import LABEL, SHARDS_DIR, PartitionedWriter, ShardWriter, partition_dir, row_groups
from curate.task import STAGED_DIR, STATS_DIR


def shard_dir(shards: Path, lang: str) -> Path:
    """The folder of one language's final shards under `shards`: `lang-xx`."""
    return partition_dir(shards, lang, separator=LABEL)


def shard_paths(out_dir: Path) -> list[Path]:
    """The final shard files of the run in `out_dir`, by language, then in order."""
    every_language = shard_dir(Path(), "*")  # a glob matching each language's folder
    return sorted((out_dir / SHARDS_DIR).glob(f"{every_language}/*.parquet"))


def staged_parts(out_dir: Path, lang: str, tasks: list[str]) -> list[Path]:
    """Staged files of `lang`, ordered by task (input order), then by part number."""
    directory = partition_dir(out_dir / STAGED_DIR, lang)
    return [path for task in tasks for path in sorted(directory.glob(f"part-{task}-*.parquet"))]


def staged_languages(out_dir: Path) -> list[str]:
    return sorted(p.name.split("=", 1)[1] for p in (out_dir / STAGED_DIR).glob("lang=*") if p.is_dir())


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
    out_dir: Path, tasks: list[str], config: OutputConfig, decisions: ClusterDecisions | None = None
) -> list[Path]:
    """Write `out_dir/shards/lang-xx/shard-NNNNN.parquet` from the staged parts of `tasks`,
    without the documents that dedup's `decisions` remove. With `config.keep_removed`, also
    `out_dir/excluded/reason-xx/`: every removed document with its text."""
    building = out_dir / f".{SHARDS_DIR}.building"
    shutil.rmtree(building, ignore_errors=True)
    excluded = start_excluded(out_dir, tasks, config) if config.keep_removed else None
    written: list[Path] = []
    for lang in staged_languages(out_dir):
        writer = ShardWriter(shard_dir(building, lang), "shard", DOCUMENT_SCHEMA, config)
        for task in tasks:
            task_decisions = decisions.for_task(task) if decisions else None  # ids are per task
            for part in staged_parts(out_dir, lang, [task]):
                for table in row_groups(part):
                    if task_decisions:
                        if excluded:
                            excluded.write_partitioned(task_decisions.removed(table))
                        table = task_decisions.apply(table)
                    if table.num_rows:
                        writer.write(table)
        written.extend(writer.close())
    swap_in(building, out_dir / SHARDS_DIR)
    if excluded:
        excluded.close()
        swap_in(excluded.root, out_dir / EXCLUDED_DIR)
    else:
        shutil.rmtree(out_dir / EXCLUDED_DIR, ignore_errors=True)
    return [out_dir / SHARDS_DIR / path.relative_to(building) for path in written]


def start_excluded(out_dir: Path, tasks: list[str], config: OutputConfig) -> PartitionedWriter:
    """Exclusion shards by reason, begun with what the tasks' stages removed."""
    building = out_dir / f".{EXCLUDED_DIR}.building"
    shutil.rmtree(building, ignore_errors=True)
    writer = PartitionedWriter(building, "shard", REMOVED_SCHEMA, config, key="reason", separator=LABEL)
    for task in tasks:
        for path in removed_files(out_dir / STATS_DIR, task):
            for table in row_groups(path):
                writer.write_partitioned(table)
    return writer
