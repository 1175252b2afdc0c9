"""What the statistics are computed from: the run record, the ledgers, the shards, the removed-
documents record and dedup's clusters.

The documents are read from their files in bounded batches, in the columns a query needs, a text as
its length (scan.py): as LazyFrames that the tables aggregate with polars' streaming engine
(`collect`), or batch by batch for the signals' histograms. Memory follows the groups of a table
(languages, stages, reasons, domains), never the number of documents or their text. The few
excerpts the report shows are read the same way, by id.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.compute as pc

from curate.dedup.files import verified
from curate.errors import UsageError
from curate.layout import OutputLayout
from curate.ledger import read_ledgers
from curate.statistics.scan import Documents
from filters import FILTERS

KEPT_SCHEMA = pl.Schema(
    {"lang": pl.String, "lang_script": pl.String, "domain": pl.String, "topic": pl.String, "chars": pl.Int64}
)
EMPTY_REMOVED = pl.Schema(
    {
        **dict.fromkeys(["id", "url", "lang", "domain", "topic", "stage", "reason"], pl.String),
        **dict.fromkeys(["chars", "words", "bytes"], pl.Int64),
    }
)
EXCERPT_SCHEMA = pl.Schema({"id": pl.String, "text": pl.String, "badword_terms": pl.List(pl.String)})


@dataclass
class RunOutputs:
    """One run's outputs, for the statistics: the ledgers, and the documents' files (unread)."""

    out_dir: Path
    config: dict[str, Any]
    ledger: pl.DataFrame
    shards: Documents  # one row per kept document: lang, domain, chars, signals, dup_cluster_size
    removed_record: Documents  # per document a stage removed: id, url, stage, reason, lang, signals...
    clusters: Documents  # dedup's clusters (no files without dedup)
    failed_inputs: dict[str, str] = dataclasses.field(default_factory=dict)  # input -> why it failed

    @property
    def layout(self) -> OutputLayout:
        return OutputLayout(self.out_dir)

    @property
    def kept(self) -> pl.LazyFrame:
        return self.shards.lazy()

    @property
    def removed(self) -> pl.LazyFrame:
        """Every removed document that had text: the stages' record, and the duplicates that dedup
        dropped (from its clusters, without url or signals)."""
        removed = self.removed_record.lazy()
        if "kept" not in self.clusters.schema:
            return removed
        dropped = self.clusters.lazy().filter(~pl.col("kept")).with_columns(pl.lit("dedup").alias("stage"))
        columns = [c for c in removed.collect_schema().names() if c in [*self.clusters.schema, "stage"]]
        return pl.concat([removed, dropped.select(columns)], how="diagonal")

    @property
    def stages(self) -> list[str]:
        """The stages that ran and remove documents with text, in pipeline order (a filter that only
        rewrites, PII masking, is none: its work is in the hygiene table)."""
        enabled = lambda section: self.config.get(section, {}).get("enabled", False)  # noqa: E731
        order = self.config["filters"].get("order", []) if enabled("filters") else []
        filters = [name for name in order if name not in FILTERS or FILTERS[name].REMOVES]
        decontaminate = ["decontaminate"] * bool(self.config.get("decontaminate", {}).get("files"))
        return ["langid"] * enabled("langid") + filters + decontaminate + ["dedup"] * enabled("dedup")


def collect(frame: pl.LazyFrame) -> pl.DataFrame:
    """`frame` computed by polars' streaming engine: batch by batch, holding its groups only."""
    return frame.collect(engine="streaming")


def _check_layout(layout: OutputLayout) -> None:
    if any(layout.shards_dir.glob("lang=*")):
        raise UsageError(
            f"{layout.root}: the shards are in the layout of an older curate (shards/lang=xx/); rerun "
            "the same `curate run` to rebuild them as shards/lang-xx/"
        )


def load_outputs(out_dir: Path, signal_columns: list[str]) -> RunOutputs:
    """Load a finished run from `out_dir`; a folder that holds no run is a UsageError."""
    layout = OutputLayout(out_dir)
    if not layout.run_record.is_file():
        raise UsageError(
            f"{out_dir}: no curate run here (no {layout.run_record.name}); run `curate run ... -o {out_dir}`"
        )
    _check_layout(layout)
    record = json.loads(layout.run_record.read_text())
    failed = {t["input"]: t["failure"] for t in record.get("tasks", []) if t.get("failure")}
    ledger = read_ledgers(layout)
    wanted = ["id", "lang", "lang_script", "domain", "topic", "dup_cluster_size", *signal_columns]
    shards = Documents.of(layout.shard_paths(), wanted, KEPT_SCHEMA, text_length=True)
    base = [
        "id",
        "url",
        "lang",
        "domain",
        "topic",
        "stage",
        "reason",
        "chars",
        "words",
        "bytes",
        *signal_columns,
    ]
    removed = Documents.of(layout.removed_files(), base, EMPTY_REMOVED)
    clusters = [verified(layout.clusters, "clusters")] if layout.clusters.exists() else []
    return RunOutputs(
        out_dir, record["config"], ledger, shards, removed, Documents.of(clusters, None, pl.Schema()), failed
    )


def removed_excerpts(out_dir: Path, ids: list[str], chars: int) -> pl.DataFrame:
    """For the removed documents `ids`: id, the first `chars` characters of the text (null when
    the run did not keep it) and the badword terms, read in batches, only their rows kept."""
    record = Documents.of(OutputLayout(out_dir).removed_files(), list(EXCERPT_SCHEMA), EXCERPT_SCHEMA)
    found = pl.concat(
        [EXCERPT_SCHEMA.to_frame(), *record.batches(list(EXCERPT_SCHEMA), pl.col("id").is_in(ids))]
    )
    text = pc.utf8_slice_codeunits(found["text"].to_arrow(), 0, chars)
    return found.with_columns(pl.from_arrow(text).alias("text")).unique("id", keep="first")
