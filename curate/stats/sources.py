"""What the statistics are computed from: the run record, the ledgers, the shards, the removed-
documents record and dedup's clusters.

Documents are read one row group at a time and in the columns the tables need, a text becoming
its length, so that memory holds a narrow row per document and never the texts: it does not grow
with the text of a run. The few excerpts the report shows are read the same way, by id.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from curate.dedup.files import verified
from curate.dedup.run import clusters_path
from curate.errors import UsageError
from curate.finalize import shard_paths
from curate.ledger import read_ledgers
from curate.removed import removed_files
from curate.shards import SHARDS_DIR, row_groups
from curate.task import STATS_DIR

RUN_RECORD = "run.json"
KEPT_SCHEMA = {"lang": pl.String, "domain": pl.String, "chars": pl.Int64}
EMPTY_REMOVED = {
    **dict.fromkeys(["id", "url", "lang", "domain", "stage", "reason"], pl.String),
    **dict.fromkeys(["chars", "words", "bytes"], pl.Int64),
}
EXCERPT_SCHEMA = {"id": pl.String, "text": pl.String, "badword_terms": pl.List(pl.String)}


@dataclass
class RunOutputs:
    """One run's outputs, loaded for the statistics (without texts)."""

    out_dir: Path
    config: dict[str, Any]
    ledger: pl.DataFrame
    kept: pl.DataFrame  # one row per kept document: lang, domain, chars, signals, dup_cluster_size
    removed: pl.DataFrame  # one row per removed document with text: id, url, stage, reason, lang, ...
    clusters: pl.DataFrame  # dedup's clusters (empty without dedup)
    failed_inputs: dict[str, str] = dataclasses.field(default_factory=dict)  # input -> why it failed

    @property
    def stages(self) -> list[str]:
        """The stages that ran and remove documents with text, in pipeline order."""
        enabled = lambda section: self.config.get(section, {}).get("enabled", False)  # noqa: E731
        filters = self.config["filters"].get("order", []) if enabled("filters") else []
        return ["langid"] * enabled("langid") + filters + ["dedup"] * enabled("dedup")


def _narrow(paths: list[Path], columns: list[str], with_chars: bool = False) -> pl.DataFrame | None:
    """`columns` of every row of `paths` (those the files have), plus the length of the text as
    `chars` if `with_chars`; None without files."""
    pieces = []
    for path in paths:
        for group in row_groups(path, columns + ["text"] * with_chars):
            if with_chars:
                chars = pc.utf8_length(group["text"]).cast(pa.int64())
                group = group.drop_columns(["text"]).append_column("chars", chars)
            pieces.append(group)
    return pl.from_arrow(pa.concat_tables(pieces, promote_options="default")) if pieces else None


def _check_layout(out_dir: Path) -> None:
    if any((out_dir / SHARDS_DIR).glob("lang=*")):
        raise UsageError(
            f"{out_dir}: the shards are in the layout of an older curate (shards/lang=xx/); rerun the "
            "same `curate run` to rebuild them as shards/lang-xx/"
        )


def load_outputs(out_dir: Path, signal_columns: list[str]) -> RunOutputs:
    """Load a finished run from `out_dir`; a folder that holds no run is a UsageError."""
    record_path = out_dir / RUN_RECORD
    if not record_path.is_file():
        raise UsageError(
            f"{out_dir}: no curate run here (no {RUN_RECORD}); run `curate run ... -o {out_dir}`"
        )
    _check_layout(out_dir)
    record = json.loads(record_path.read_text())
    failed = {t["input"]: t["failure"] for t in record.get("tasks", []) if t.get("failure")}
    ledger = read_ledgers(out_dir / STATS_DIR)
    wanted = ["lang", "domain", "dup_cluster_size", *signal_columns]
    kept = _narrow(shard_paths(out_dir), wanted, with_chars=True)
    kept = pl.DataFrame(schema=KEPT_SCHEMA) if kept is None else kept
    base = ["id", "url", "lang", "domain", "stage", "reason", "chars", "words", "bytes", *signal_columns]
    removed = _narrow(removed_files(out_dir / STATS_DIR), base)
    removed = pl.DataFrame(schema=EMPTY_REMOVED) if removed is None else removed
    clusters = pl.DataFrame()
    if clusters_path(out_dir).exists():
        clusters = pl.read_parquet(verified(clusters_path(out_dir), "clusters"))
        dropped = clusters.filter(~pl.col("kept")).with_columns(pl.lit("dedup").alias("stage"))
        columns = [c for c in removed.columns if c in dropped.columns]
        removed = pl.concat([removed, dropped.select(columns)], how="diagonal")
    return RunOutputs(out_dir, record["config"], ledger, kept, removed, clusters, failed)


def removed_excerpts(out_dir: Path, ids: list[str], chars: int) -> pl.DataFrame:
    """For the removed documents `ids`: id, the first `chars` characters of the text (null when
    the run did not keep it) and the badword terms, read one row group at a time."""
    wanted = pa.array(ids, pa.string())
    pieces = []
    for path in removed_files(out_dir / STATS_DIR):
        for group in row_groups(path, list(EXCERPT_SCHEMA)):
            picked = group.filter(pc.is_in(group["id"], value_set=wanted))
            if picked.num_rows:
                text = pc.utf8_slice_codeunits(picked["text"], 0, chars)
                pieces.append(picked.set_column(picked.schema.get_field_index("text"), "text", text))
    if not pieces:
        return pl.DataFrame(schema=EXCERPT_SCHEMA)
    return pl.from_arrow(pa.concat_tables(pieces, promote_options="default")).unique("id", keep="first")
