"""The statistics tables: the funnel per language, the language x reason matrix, languages,
domains and public suffixes, dedup's cluster sizes. All polars, from `RunOutputs`: the ledgers'
sums, or streaming aggregations of the documents (one pass over the shards and one over the removed
documents give the counts per domain and language that the domain and suffix tables sum).

Null-safe throughout: documents without a URL have no domain, and counts are merged by grouping
(null keys group together, where a join would not match them); a rate over nothing is null, not
NaN or infinity."""

from __future__ import annotations

import polars as pl

from curate.domains import public_suffix
from curate.statistics.sources import RunOutputs, collect
from curate.statistics.tokens import TokenCounts

METRICS = ("docs", "chars", "words", "bytes")
ALL = "all"  # the language of rows that sum over every language
EARLY_STAGES = ("read", "url", "extract")  # their documents have no text and no language yet
SITE_COUNTS = ("kept_docs", "kept_chars", "removed_docs")


def ratio(numerator: str | pl.Expr, denominator: str | pl.Expr) -> pl.Expr:
    """numerator / denominator, null where the denominator is 0 (or null)."""
    num = pl.col(numerator) if isinstance(numerator, str) else numerator
    den = pl.col(denominator) if isinstance(denominator, str) else denominator
    return pl.when(den > 0).then(num / den)


def merge_counts(frames: list[pl.DataFrame], keys: list[str]) -> pl.DataFrame:
    """Count tables with the same `keys` and different count columns side by side, 0 where a
    table has no row: a full join that matches null keys too."""
    merged = pl.concat(frames, how="diagonal_relaxed")
    counts = [c for c in merged.columns if c not in keys]
    return merged.group_by(keys).agg(pl.col(c).sum() for c in counts)


def funnel(run: RunOutputs) -> pl.DataFrame:
    """Documents, characters, words and bytes left after each step, per language and for all:
    read -> extracted -> after each stage that removes documents -> final (the shards)."""
    ledger = run.ledger
    with_text = ledger.filter(
        ~pl.col("stage").is_in(EARLY_STAGES) & pl.col("outcome").is_in(["kept", "removed"])
    )
    entered = with_text.group_by("lang").agg(pl.col(m).sum() for m in METRICS)
    removed = (
        with_text.filter(pl.col("outcome") == "removed")
        .group_by("lang", "stage")
        .agg(pl.col(m).sum() for m in METRICS)
    )
    rows = [entered.with_columns(pl.lit("extracted").alias("step"))]
    left = entered
    for stage in run.stages:
        gone = removed.filter(pl.col("stage") == stage).drop("stage")
        left = (
            left.join(gone, on="lang", how="left", suffix="_gone")
            .fill_null(0)
            .select("lang", *(pl.col(m) - pl.col(f"{m}_gone") for m in METRICS))
        )
        rows.append(left.with_columns(pl.lit(stage).alias("step")))
    kept = ledger.filter(pl.col("outcome") == "kept").group_by("lang").agg(pl.col(m).sum() for m in METRICS)
    rows.append(kept.with_columns(pl.lit("final").alias("step")))
    per_language = pl.concat([r.select("step", "lang", *METRICS) for r in rows])
    totals = per_language.group_by("step", maintain_order=True).agg(pl.col(m).sum() for m in METRICS)
    read = ledger.filter(pl.col("outcome") == "read").select(pl.col("docs", "bytes").sum())
    read_row = pl.DataFrame(
        {
            "step": ["read"],
            "lang": [ALL],
            "docs": read["docs"],
            "chars": [None],
            "words": [None],
            "bytes": read["bytes"],
        },
        schema=per_language.schema,
    )
    order = {step: i for i, step in enumerate(["read", "extracted", *run.stages, "final"])}
    table = pl.concat(
        [read_row, totals.with_columns(pl.lit(ALL).alias("lang")).select(per_language.columns), per_language]
    )
    return table.with_columns(pl.col("step").replace_strict(order).alias("step_index")).sort(
        "step_index", pl.col("lang") != ALL, "lang"
    )


def removal_matrix(run: RunOutputs) -> pl.DataFrame:
    """Removed documents and characters by (language, stage, reason), every stage."""
    return (
        run.ledger.filter(pl.col("outcome") == "removed")
        .group_by("lang", "stage", "reason")
        .agg(pl.col("docs", "chars", "bytes").sum())
        .sort("docs", "lang", "reason", descending=[True, False, False])
    )


def scripts(run: RunOutputs) -> pl.DataFrame:
    """Per language, the scripts its kept documents are written in: `Cyrl` when one, else each
    with its share of the language's documents, largest first (`Latn 62%, Cyrl 38%`): where a
    language is written in several (Serbian, Chinese), the count alone hides which."""
    empty = pl.DataFrame(schema={"lang": pl.String, "scripts": pl.String})
    if not {"lang", "lang_script"} <= set(run.kept.collect_schema().names()):
        return empty  # no shards to read the scripts from
    counts = collect(run.kept.group_by("lang", "lang_script").agg(pl.len().alias("docs")))
    rows = []
    for (lang,), group in counts.sort("docs", "lang_script", descending=[True, False]).group_by(
        "lang", maintain_order=True
    ):
        total = group["docs"].sum()
        named = [(script or "?", docs) for script, docs in group.select("lang_script", "docs").iter_rows()]
        text = named[0][0] if len(named) == 1 else ", ".join(f"{s} {d / total:.0%}" for s, d in named)
        rows.append({"lang": lang, "scripts": text})
    return pl.DataFrame(rows, schema=empty.schema)


def languages(run: RunOutputs, counted: TokenCounts | None = None) -> pl.DataFrame:
    """The kept data per language, with its share of documents and characters, the scripts it is
    written in, and its tokens where `curate tokenize` counted them (`counted`; else null tokens)."""
    kept = (
        run.ledger.filter(pl.col("outcome") == "kept").group_by("lang").agg(pl.col(m).sum() for m in METRICS)
    )
    kept = kept.filter(pl.col("docs") > 0)
    tokens = (
        counted.per_language.select("lang", "tokens")
        if counted
        else pl.DataFrame(schema={"lang": pl.String, "tokens": pl.Int64})
    )
    return (
        kept.with_columns(
            ratio("docs", pl.col("docs").sum()).alias("docs_share"),
            ratio("chars", pl.col("chars").sum()).alias("chars_share"),
        )
        .join(tokens.with_columns(pl.col("tokens").cast(pl.Int64)), on="lang", how="left")
        .join(scripts(run), on="lang", how="left")
        .sort("chars", "lang", descending=[True, False])
    )


def site_counts(run: RunOutputs) -> pl.DataFrame:
    """Kept documents and characters, and removed documents (those with text), per domain and
    language: what the domain, suffix and audit tables aggregate."""
    kept = run.kept.group_by("domain", "lang").agg(
        pl.len().alias("kept_docs"), pl.col("chars").sum().alias("kept_chars")
    )
    removed = run.removed.group_by("domain", "lang").agg(pl.len().alias("removed_docs"))
    return merge_counts([collect(kept), collect(removed)], ["domain", "lang"])


def _by_site(per_language: pl.DataFrame, key: str) -> pl.DataFrame:
    overall = per_language.group_by(key).agg(pl.col(SITE_COUNTS).sum())
    table = pl.concat(
        [overall.with_columns(pl.lit(ALL).alias("lang")).select(per_language.columns), per_language]
    )
    total = pl.col("kept_docs") + pl.col("removed_docs")
    # lang last: a site's languages with as many kept documents come in one order, run after run.
    return table.with_columns(ratio("removed_docs", total).alias("removal_rate")).sort(
        pl.col("lang") != ALL, "kept_docs", key, "lang", descending=[False, True, False, False]
    )


def domains(sites: pl.DataFrame) -> pl.DataFrame:
    """Kept documents and characters, and removed documents, per registered domain: over all
    languages (lang = all) and per language, from `site_counts`. Removed: documents that had text."""
    return _by_site(sites, "domain")


def suffixes(sites: pl.DataFrame) -> pl.DataFrame:
    """The same per public suffix (the top-level domain, or co.uk and the like)."""
    suffix = pl.col("domain").map_elements(public_suffix, return_dtype=pl.String).alias("suffix")
    return _by_site(sites.group_by(suffix, "lang").agg(pl.col(SITE_COUNTS).sum()), "suffix")


def cluster_sizes(run: RunOutputs) -> pl.DataFrame:
    """How many kept documents stand for a cluster of each size (1: no duplicate found)."""
    if "dup_cluster_size" not in run.kept.collect_schema().names():
        return pl.DataFrame(schema={"cluster_size": pl.Int64, "clusters": pl.UInt32, "documents": pl.Int64})
    sizes = (
        run.kept.drop_nulls("dup_cluster_size")
        .group_by(pl.col("dup_cluster_size").cast(pl.Int64).alias("cluster_size"))
        .agg(pl.len().alias("clusters"))
    )
    return (
        collect(sizes)
        .with_columns((pl.col("cluster_size") * pl.col("clusters")).alias("documents"))
        .sort("cluster_size")
    )
