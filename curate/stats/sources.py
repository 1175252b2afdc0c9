"""What the statistics are computed from: the ledgers, the shards, the removed-documents record,
dedup's clusters and the run record, read with polars."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from curate.dedup.files import verified
from curate.dedup.run import clusters_path
from curate.errors import UsageError
from curate.ledger import read_ledgers
from curate.removed import removed_files
from curate.task import STATS_DIR

RUN_RECORD = "run.json"
SHARDS_GLOB = "shards/lang=*/*.parquet"
EMPTY_REMOVED = {
    **dict.fromkeys(["id", "url", "lang", "domain", "stage", "reason"], pl.String),
    **dict.fromkeys(["chars", "words", "bytes"], pl.Int64),
}


@dataclass
class RunOutputs:
    """One run's outputs, loaded for the statistics (removed documents without their text)."""

    out_dir: Path
    config: dict[str, Any]
    ledger: pl.DataFrame
    kept: pl.DataFrame  # one row per kept document: lang, domain, chars, signals, dup_cluster_size
    removed: pl.DataFrame  # one row per removed document with text: stage, reason, lang, domain, ...
    clusters: pl.DataFrame  # dedup's clusters (empty without dedup)

    @property
    def stages(self) -> list[str]:
        """The stages that ran and remove documents with text, in pipeline order."""
        enabled = lambda section: self.config.get(section, {}).get("enabled", False)  # noqa: E731
        filters = self.config["filters"].get("order", []) if enabled("filters") else []
        return ["langid"] * enabled("langid") + filters + ["dedup"] * enabled("dedup")


def _columns(frame: pl.LazyFrame, names: list[str]) -> list[str]:
    available = frame.collect_schema().names()
    return [n for n in names if n in available]


def load_outputs(out_dir: Path, signal_columns: list[str], keep_text: bool = False) -> RunOutputs:
    """Load a finished run from `out_dir`; a folder that holds no run is a UsageError."""
    record = out_dir / RUN_RECORD
    if not record.is_file():
        raise UsageError(
            f"{out_dir}: no curate run here (no {RUN_RECORD}); run `curate run ... -o {out_dir}`"
        )
    config = json.loads(record.read_text())["config"]
    ledger = read_ledgers(out_dir / STATS_DIR)
    shards = sorted(out_dir.glob(SHARDS_GLOB))
    wanted = ["id", "lang", "domain", "url", "dup_cluster_size", *signal_columns]
    if shards:
        scan = pl.scan_parquet(shards, hive_partitioning=False)
        kept = scan.select(
            *_columns(scan, wanted), pl.col("text").str.len_chars().cast(pl.Int64).alias("chars")
        )
        kept = kept.collect()
    else:
        kept = pl.DataFrame(schema={"lang": pl.String, "domain": pl.String, "chars": pl.Int64})
    removed_paths = removed_files(out_dir / STATS_DIR)
    base = ["id", "url", "lang", "domain", "stage", "reason", "chars", "words", "bytes", *signal_columns]
    if removed_paths:
        scan = pl.scan_parquet(removed_paths, hive_partitioning=False)
        removed = scan.select(_columns(scan, base + (["text"] if keep_text else []))).collect()
    else:
        removed = pl.DataFrame(schema=EMPTY_REMOVED)
    clusters = pl.DataFrame()
    if clusters_path(out_dir).exists():
        clusters = pl.read_parquet(verified(clusters_path(out_dir), "clusters"))
        dropped = clusters.filter(~pl.col("kept")).with_columns(pl.lit("dedup").alias("stage"))
        removed = pl.concat(
            [removed, dropped.select(_columns(dropped.lazy(), removed.columns))], how="diagonal"
        )
    return RunOutputs(out_dir, config, ledger, kept, removed, clusters)
