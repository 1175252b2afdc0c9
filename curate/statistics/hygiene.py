"""The hygiene table: what the steps that clean rather than judge did, per language: documents
whose text Unicode repair changed or PII masking rewrote (ledger outcome `rewritten`, counted as
they were staged, before dedup), and documents decontamination removed, per benchmark."""

from __future__ import annotations

import polars as pl

from curate.ledger import REWRITTEN
from curate.statistics.sources import RunOutputs
from curate.statistics.tables import ALL, ratio

DECONTAMINATION = "decontaminate"
SCHEMA = {"lang": pl.String, "stage": pl.String, "reason": pl.String, "docs": pl.Int64, "share": pl.Float64}


def hygiene(run: RunOutputs, funnel: pl.DataFrame) -> pl.DataFrame:
    """Per language (and `all`), stage and reason: the documents rewritten or decontaminated, and
    their share of the language's extracted documents."""
    ledger = run.ledger
    rows = ledger.filter(
        (pl.col("outcome") == REWRITTEN)
        | ((pl.col("stage") == DECONTAMINATION) & (pl.col("outcome") == "removed"))
    )
    if not rows.height:
        return pl.DataFrame(schema=SCHEMA)
    per_language = rows.group_by("lang", "stage", "reason").agg(pl.col("docs").sum())
    every = per_language.group_by("stage", "reason").agg(pl.col("docs").sum()).with_columns(lang=pl.lit(ALL))
    extracted = funnel.filter(pl.col("step") == "extracted").select("lang", pl.col("docs").alias("extracted"))
    return (
        pl.concat([every.select(per_language.columns), per_language])
        .join(extracted, on="lang", how="left")
        .with_columns(ratio("docs", "extracted").alias("share"))
        .select(*SCHEMA)
        .sort(pl.col("lang") != ALL, "stage", "docs", "reason", descending=[False, False, True, False])
    )
