"""What the data is about: the topic share of the kept data per language, the funnel per topic, and
each filter's removal rate per topic against its overall rate (flagged and with intervals as the
language audit has them), with removed examples of each flagged (stage, topic) pair.

Every document that reached the topic step has a topic: the kept ones in the shards, the removed
ones in the removed-document record, the duplicates in dedup's clusters. Tokens per topic are
counted where `curate tokenize` has counted the shards (its per-document counts), else estimated
from the characters with the language's bytes per character and BYTES_PER_TOKEN.
"""

from __future__ import annotations

import polars as pl

from curate.statistics.audit import AUDIT_LANGUAGE_SCHEMA, EXAMPLES, EXCERPT_CHARS, judge, mask_badwords
from curate.statistics.sources import RunOutputs, collect, removed_excerpts
from curate.statistics.tables import ALL, ratio
from curate.statistics.tokens import BYTES_PER_TOKEN, TokenCounts

TOPIC = "topic"
NO_TOPIC = "(none)"  # documents of a run, or a part of it, made before topics or without them

TOPIC_SHARES_SCHEMA = {
    "lang": pl.String,
    "topic": pl.String,
    "docs": pl.Int64,
    "chars": pl.Int64,
    "tokens": pl.Int64,
    "docs_share": pl.Float64,
    "chars_share": pl.Float64,
    "tokens_share": pl.Float64,
}
TOPIC_FUNNEL_SCHEMA = {"step": pl.String, "topic": pl.String, "docs": pl.Int64, "chars": pl.Int64}
AUDIT_TOPIC_SCHEMA = {("topic" if k == "lang" else k): v for k, v in AUDIT_LANGUAGE_SCHEMA.items()}
TOPIC_EXAMPLE_SCHEMA = {
    "stage": pl.String,
    "topic": pl.String,
    "reason": pl.String,
    "lang": pl.String,
    "url": pl.String,
    "excerpt": pl.String,
}


def has_topics(run: RunOutputs) -> bool:
    """Whether the run ran the topic step (a run of an older curate has no such section)."""
    return bool(run.config.get("topics", {}).get("enabled", False))


def _topic(frame: pl.LazyFrame) -> pl.Expr:
    names = frame.collect_schema().names()
    return (pl.col(TOPIC) if TOPIC in names else pl.lit(None, pl.String)).fill_null(NO_TOPIC).alias(TOPIC)


def _kept_tokens(run: RunOutputs, counted: TokenCounts | None) -> pl.LazyFrame:
    """lang, topic, chars and tokens of each kept document (tokens counted, else estimated)."""
    kept = run.kept.select("lang", _topic(run.kept), "chars")
    if counted is not None and counted.documents.is_file() and "id" in run.kept.collect_schema().names():
        tokens = pl.scan_parquet(counted.documents).select("id", pl.col("tokens").cast(pl.Int64))
        return run.kept.select("id", "lang", _topic(run.kept), "chars").join(tokens, on="id", how="left")
    ledger = (
        run.ledger.filter(pl.col("outcome") == "kept").group_by("lang").agg(pl.col("chars", "bytes").sum())
    )
    per_char = ledger.select("lang", ratio("bytes", "chars").alias("bytes_per_char")).lazy()
    estimate = (pl.col("chars") * pl.col("bytes_per_char").fill_null(1.0) / BYTES_PER_TOKEN).round()
    return kept.join(per_char, on="lang", how="left").with_columns(estimate.cast(pl.Int64).alias("tokens"))


def topic_shares(run: RunOutputs, counted: TokenCounts | None = None) -> pl.DataFrame:
    """Per language (and `all`) and topic: the kept documents, characters and tokens, and their
    shares of the language's kept data."""
    if not has_topics(run):
        return pl.DataFrame(schema=TOPIC_SHARES_SCHEMA)
    per_language = collect(
        _kept_tokens(run, counted)
        .group_by("lang", TOPIC)
        .agg(pl.len().cast(pl.Int64).alias("docs"), pl.col("chars").sum(), pl.col("tokens").sum())
    )
    overall = per_language.group_by(TOPIC).agg(pl.col("docs", "chars", "tokens").sum())
    table = pl.concat([overall.with_columns(pl.lit(ALL).alias("lang")), per_language], how="diagonal")
    shares = [ratio(m, pl.col(m).sum().over("lang")).alias(f"{m}_share") for m in ("docs", "chars", "tokens")]
    return (
        table.with_columns(shares)
        .sort(pl.col("lang") != ALL, "lang", "chars", TOPIC, descending=[False, False, True, False])
        .select(list(TOPIC_SHARES_SCHEMA))
        .cast(TOPIC_SHARES_SCHEMA)
    )


def topic_funnel(run: RunOutputs) -> pl.DataFrame:
    """Per topic: the documents and characters that reached the topic step (`extracted`), those
    left after each stage that removes documents, and those kept (`final`)."""
    if not has_topics(run):
        return pl.DataFrame(schema=TOPIC_FUNNEL_SCHEMA)
    kept = collect(run.kept.group_by(_topic(run.kept)).agg(pl.len().alias("docs"), pl.col("chars").sum()))
    removed = collect(
        run.removed.filter(pl.col("stage").is_in(run.stages))
        .group_by("stage", _topic(run.removed))
        .agg(pl.len().alias("docs"), pl.col("chars").sum())
    )
    counts = {"docs": pl.Int64, "chars": pl.Int64}
    kept, removed = kept.cast(counts), removed.cast(counts)
    # Left after a step: everything kept, and everything a later stage removed.
    rows = []
    for index, step in enumerate(["extracted", *run.stages]):
        later = removed.filter(pl.col("stage").is_in(run.stages[index:])).drop("stage")
        left = pl.concat([kept, later]).group_by(TOPIC).agg(pl.col("docs", "chars").sum())
        rows.append(left.with_columns(pl.lit(step).alias("step")))
    rows.append(kept.with_columns(pl.lit("final").alias("step")))
    order = {step: i for i, step in enumerate(["extracted", *run.stages, "final"])}
    table = pl.concat([row.select(list(TOPIC_FUNNEL_SCHEMA)) for row in rows])
    return table.sort(pl.col("step").replace_strict(order), TOPIC).cast(TOPIC_FUNNEL_SCHEMA)


def topic_rates(run: RunOutputs, funnel: pl.DataFrame) -> pl.DataFrame:
    """Per stage and topic that reached it: entering, removed, rate, the stage's overall rate, the
    flag and the rate's Wilson interval (audit.judge), flagged rows first."""
    steps = ["extracted", *run.stages]
    rows = []
    for before, stage in zip(steps, steps[1:]):
        entering = funnel.filter(pl.col("step") == before).select(TOPIC, pl.col("docs").alias("entering"))
        left = funnel.filter(pl.col("step") == stage).select(TOPIC, pl.col("docs").alias("left"))
        table = entering.join(left, on=TOPIC, how="left").with_columns(
            pl.col("left").fill_null(0), pl.lit(stage).alias("stage")
        )
        total_in, total_left = table["entering"].sum(), table["left"].sum()
        overall = (total_in - total_left) / total_in if total_in else 0.0
        rows.append(table.with_columns(pl.lit(overall).alias("overall_rate")))
    if not rows:
        return pl.DataFrame(schema=AUDIT_TOPIC_SCHEMA)
    table = pl.concat(rows).filter(pl.col("entering") > 0)
    table = table.with_columns((pl.col("entering") - pl.col("left")).alias("removed"))
    table = table.with_columns(ratio("removed", "entering").alias("rate"))
    judged = judge(table.select("stage", TOPIC, "entering", "removed", "rate", "overall_rate"))
    return judged.sort("flagged", "stage", "removed", TOPIC, descending=[True, False, True, False]).select(
        list(AUDIT_TOPIC_SCHEMA)
    )


def topic_examples(run: RunOutputs, rates: pl.DataFrame) -> pl.DataFrame:
    """Up to EXAMPLES removed documents (the smallest ids) of each flagged (stage, topic), with an
    excerpt where the run kept the text (--keep-removed), badwords masked."""
    flagged = rates.filter(pl.col("flagged")).select("stage", TOPIC)
    if not flagged.height:
        return pl.DataFrame(schema=TOPIC_EXAMPLE_SCHEMA)
    removed = run.removed.select("id", "stage", _topic(run.removed), "reason", "lang", "url")
    picked = collect(
        removed.join(flagged.lazy(), on=["stage", TOPIC])
        .group_by("stage", TOPIC)
        .agg(pl.all().sort_by("id").head(EXAMPLES))
        .explode("id", "reason", "lang", "url")
    ).sort("stage", TOPIC, "id")
    found = removed_excerpts(run.out_dir, picked["id"].to_list(), EXCERPT_CHARS)
    texts = {row["id"]: row for row in found.iter_rows(named=True)}
    excerpts = [
        mask_badwords(texts.get(doc_id, {}).get("text") or "", texts.get(doc_id, {}).get("badword_terms"))
        for doc_id in picked["id"]
    ]
    return picked.with_columns(pl.Series("excerpt", excerpts, dtype=pl.String)).select(
        list(TOPIC_EXAMPLE_SCHEMA)
    )
