"""The filter audit: for each stage that removes documents, its removal rate per language and
on the domains it hits hardest, against its overall rate, so that a list or heuristic that
removes one language or one kind of site disproportionately stands out; and a few removed
examples per stage for review, badwords masked. The documents are aggregated in streaming passes:
counts per domain and stage, and a pass per example for the smallest ids of each reason."""

from __future__ import annotations

import re

import polars as pl

from curate.stats.sources import RunOutputs, collect, removed_excerpts
from curate.stats.tables import ALL, merge_counts, ratio

DISPROPORTION = 2.0  # flagged: removal rate at least this many times the stage's overall rate
MIN_REMOVED = 3  # ... and at least this many documents removed (no flags on one-offs)
TOP_DOMAINS = 5
EXAMPLES = 3
EXCERPT_CHARS = 300
EXAMPLE_COLUMNS = ["id", "stage", "reason", "lang", "domain", "url"]


AUDIT_LANGUAGE_SCHEMA = {
    "stage": pl.String,
    "lang": pl.String,
    "entering": pl.Int64,
    "removed": pl.Int64,
    "rate": pl.Float64,
    "overall_rate": pl.Float64,
    "flagged": pl.Boolean,
}


def _flag(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        (
            (pl.col("rate") >= DISPROPORTION * pl.col("overall_rate")) & (pl.col("removed") >= MIN_REMOVED)
        ).alias("flagged")
    )


def language_rates(run: RunOutputs, funnel: pl.DataFrame) -> pl.DataFrame:
    """Per stage and language: documents that reached the stage, removed by it, rate, overall rate."""
    steps = ["extracted", *run.stages]
    rows = []
    for before, stage in zip(steps, steps[1:]):
        entering = funnel.filter(pl.col("step") == before).select("lang", pl.col("docs").alias("entering"))
        left = funnel.filter(pl.col("step") == stage).select("lang", pl.col("docs").alias("left"))
        rows.append(entering.join(left, on="lang").with_columns(pl.lit(stage).alias("stage")))
    if not rows:
        return pl.DataFrame(schema=AUDIT_LANGUAGE_SCHEMA)
    table = pl.concat(rows).with_columns((pl.col("entering") - pl.col("left")).alias("removed"))
    table = table.with_columns(ratio("removed", "entering").alias("rate"))
    overall = table.filter(pl.col("lang") == ALL).select("stage", pl.col("rate").alias("overall_rate"))
    table = table.filter(pl.col("lang") != ALL).join(overall, on="stage")
    return _flag(table.select("stage", "lang", "entering", "removed", "rate", "overall_rate")).sort(
        "stage", "removed", "lang", descending=[False, True, False]
    )


def domain_rates(run: RunOutputs, sites: pl.DataFrame) -> pl.DataFrame:
    """Per stage, the TOP_DOMAINS domains it removed most documents from: documents of the domain
    that reached the stage (kept, or removed by it or a later stage), removed, rate. `sites`: the
    counts per domain and language (tables.site_counts)."""
    position = {stage: i for i, stage in enumerate(run.stages)}
    removed = collect(
        run.removed.filter(pl.col("stage").is_in(run.stages))
        .group_by("domain", "stage")
        .agg(pl.len().alias("docs"))
    ).with_columns(pl.col("stage").replace_strict(position, return_dtype=pl.Int64).alias("position"))
    kept = sites.group_by("domain").agg(pl.col("kept_docs").sum().alias("kept"))
    rows = []
    for stage, index in position.items():
        reached = (
            removed.filter(pl.col("position") >= index)
            .group_by("domain")
            .agg(pl.col("docs").sum().alias("later"))
        )
        by_stage = removed.filter(pl.col("position") == index).select(
            "domain", pl.col("docs").alias("removed")
        )
        table = (
            merge_counts([by_stage, reached, kept], ["domain"])
            .filter(pl.col("removed") > 0)
            .with_columns((pl.col("later") + pl.col("kept")).alias("entering"))
        )
        total_removed = by_stage["removed"].sum()
        total_entering = reached["later"].sum() + kept["kept"].sum()
        overall = total_removed / total_entering if total_entering else 0.0
        top = table.sort("removed", "domain", descending=[True, False]).head(TOP_DOMAINS)
        rows.append(
            top.select(
                pl.lit(stage).alias("stage"),
                "domain",
                "entering",
                "removed",
                ratio("removed", "entering").alias("rate"),
                pl.lit(overall).alias("overall_rate"),
            )
        )
    if not rows:
        schema = {("domain" if k == "lang" else k): v for k, v in AUDIT_LANGUAGE_SCHEMA.items()}
        return pl.DataFrame(schema=schema)
    return _flag(pl.concat(rows))


def mask_badwords(text: str, terms: list[str] | None) -> str:
    """Each listed term with all but its first character starred."""
    for term in sorted(terms or [], key=len, reverse=True):
        text = re.sub(
            re.escape(term), lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text, flags=re.I
        )
    return text


def _first(removed: pl.DataFrame) -> pl.DataFrame:
    """The EXAMPLES removed documents of each (stage, reason) with the smallest ids, in that order."""
    return (
        removed.sort("stage", "reason", "id").group_by("stage", "reason", maintain_order=True).head(EXAMPLES)
    )


def _smallest_ids(removed: pl.LazyFrame) -> list[str]:
    """The EXAMPLES smallest ids of each (stage, reason): a streaming pass for each, every pass the
    smallest above the last one found."""
    ids: list[str] = []
    above = removed
    for _ in range(EXAMPLES):
        found = collect(above.group_by("stage", "reason").agg(pl.col("id").min().alias("found")))
        ids += found["found"].to_list()
        above = removed.join(found.lazy(), on=["stage", "reason"], nulls_equal=True).filter(
            pl.col("id") > pl.col("found")
        )
    return ids


def examples(run: RunOutputs) -> pl.DataFrame:
    """Up to EXAMPLES removed documents per (stage, reason), with an excerpt of the text when
    the run kept it (--keep-removed), badwords masked."""
    removed = run.removed.select(EXAMPLE_COLUMNS)
    # Every document with one of those ids, then the first of each (stage, reason) as if sorted whole.
    picked = _first(collect(removed.filter(pl.col("id").is_in(_smallest_ids(removed)))))
    found = removed_excerpts(run.out_dir, picked["id"].to_list(), EXCERPT_CHARS)
    texts = {row["id"]: row for row in found.iter_rows(named=True)}
    excerpts = []
    for doc_id in picked["id"]:
        row = texts.get(doc_id, {})
        excerpts.append(mask_badwords(row.get("text") or "", row.get("badword_terms")))
    return picked.select("stage", "reason", "lang", "domain", "url").with_columns(
        pl.Series("excerpt", excerpts, dtype=pl.String)
    )
