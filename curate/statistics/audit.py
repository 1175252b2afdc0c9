"""The filter audit: for each stage that removes documents, its removal rate per language and
on the domains it hits hardest, against its overall rate, so that a list or heuristic that
removes one language or one kind of site disproportionately stands out; and a few removed
examples per stage for review, badwords masked. The documents are aggregated in streaming passes:
counts per domain and stage, and a pass per example for the smallest ids of each reason.

`language_fairness` sets every language against one reference (English, where the run has it):
per step, the share of the documents reaching it that the step keeps, and its ratio to the
reference's keep rate at the same step.

Every rate comes with its Wilson 95% interval (ci_low, ci_high): a flag on a few documents reads as
the weak evidence it is (weak_evidence: the interval's low end is not above the overall rate)."""

from __future__ import annotations

import re

import polars as pl

from curate.statistics.sources import RunOutputs, collect, removed_excerpts
from curate.statistics.tables import ALL, merge_counts, ratio
from curate.statistics.wilson import wilson_interval

DISPROPORTION = 2.0  # flagged: removal rate at least this many times the stage's overall rate
MIN_REMOVED = 3  # ... and at least this many documents removed (no flags on one-offs)
TOP_DOMAINS = 5
EXAMPLES = 3
EXCERPT_CHARS = 300
EXAMPLE_COLUMNS = ["id", "stage", "reason", "lang", "domain", "url"]
REFERENCE = "en"  # the language every other is set against, where the run has it
FAIR_RATIO = 0.5  # flagged: a keep rate below this times the reference's at the same step
MIN_REACHED = 3  # ... with at least this many documents of both reaching the step (else a small sample)
OVERALL = "overall"  # the step of the rows over the whole pipeline: final / extracted
UNDETERMINED = "und"


AUDIT_LANGUAGE_SCHEMA = {
    "stage": pl.String,
    "lang": pl.String,
    "entering": pl.Int64,
    "removed": pl.Int64,
    "rate": pl.Float64,
    "overall_rate": pl.Float64,
    "flagged": pl.Boolean,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "weak_evidence": pl.Boolean,
}


def judge(frame: pl.DataFrame) -> pl.DataFrame:
    """The flag, the rate's Wilson interval, and whether the interval leaves the overall rate in."""
    low, high = wilson_interval("removed", "entering")
    return frame.with_columns(
        (
            (pl.col("rate") >= DISPROPORTION * pl.col("overall_rate")) & (pl.col("removed") >= MIN_REMOVED)
        ).alias("flagged"),
        low.alias("ci_low"),
        high.alias("ci_high"),
    ).with_columns((pl.col("ci_low") <= pl.col("overall_rate")).alias("weak_evidence"))


def language_rates(run: RunOutputs, funnel: pl.DataFrame) -> pl.DataFrame:
    """Per stage and language that reached it: documents that reached the stage, removed by it, rate,
    overall rate, the flag and the rate's interval (judge)."""
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
    table = table.filter((pl.col("lang") != ALL) & (pl.col("entering") > 0)).join(overall, on="stage")
    return judge(table.select("stage", "lang", "entering", "removed", "rate", "overall_rate")).sort(
        "stage", "removed", "lang", descending=[False, True, False]
    )


FAIRNESS_SCHEMA = {
    "step": pl.String,
    "lang": pl.String,
    "reached": pl.Int64,
    "kept": pl.Int64,
    "keep_rate": pl.Float64,
    "reference": pl.String,
    "reference_reached": pl.Int64,
    "reference_keep_rate": pl.Float64,
    "ratio": pl.Float64,
    "flagged": pl.Boolean,
    "small_sample": pl.Boolean,
    "ci_low": pl.Float64,  # the keep rate's Wilson 95% interval
    "ci_high": pl.Float64,
}


def reference_language(docs: dict[str, int]) -> tuple[str, str]:
    """(the reference language, why): REFERENCE if it has documents, else the language with most
    (und only if there is no other), ties to the smaller code."""
    if docs.get(REFERENCE, 0) > 0:
        return REFERENCE, REFERENCE
    ranked = sorted(docs.items(), key=lambda item: (item[0] == UNDETERMINED, -item[1], item[0]))
    if not ranked:
        return REFERENCE, f"{REFERENCE} (the run has no documents)"
    lang, count = ranked[0]
    return lang, f"{lang}: the run has no {REFERENCE}, so the language with most documents ({count:,})"


def reference_note(fairness: pl.DataFrame) -> str:
    """What the language_fairness table sets the languages against, in words."""
    if not fairness.height:
        return "no language to compare"
    reference = fairness["reference"][0]
    if reference == REFERENCE:
        return f"against {REFERENCE}"
    counts = fairness.filter((pl.col("step") == OVERALL) & (pl.col("lang") == reference))["reached"]
    count = f" ({counts[0]:,})" if counts.len() else ""
    return f"against {reference}: the run has no {REFERENCE}, so the language with most documents{count}"


def language_fairness(run: RunOutputs, funnel: pl.DataFrame) -> pl.DataFrame:
    """Per step that removes documents (langid, each filter, dedup: run.stages) and language: the
    documents that reached the step, those it kept, the keep rate; the reference language's
    (reference_language over the extracted documents) reached and keep rate at the same step, and
    their ratio; flagged below FAIR_RATIO with MIN_REACHED documents of both, else small_sample.
    Rows of step `overall`: final (the shards) / extracted. Flagged rows first, then step order."""
    per_lang = funnel.filter(pl.col("lang") != ALL)
    extracted = per_lang.filter(pl.col("step") == "extracted")
    if not extracted.height:
        return pl.DataFrame(schema=FAIRNESS_SCHEMA)
    reference, _ = reference_language(dict(zip(extracted["lang"], extracted["docs"])))
    steps = ["extracted", *run.stages]
    pairs = [*zip(steps, steps[1:]), ("extracted", "final")]
    rows = []
    for index, (before, step) in enumerate(pairs):
        reached = per_lang.filter(pl.col("step") == before).select("lang", pl.col("docs").alias("reached"))
        kept = per_lang.filter(pl.col("step") == step).select("lang", pl.col("docs").alias("kept"))
        name = OVERALL if step == "final" else step
        table = reached.join(kept, on="lang", how="left").with_columns(
            pl.col("kept").fill_null(0), pl.lit(name).alias("step"), pl.lit(index).alias("order")
        )
        rows.append(table)
    low, high = wilson_interval("kept", "reached")
    table = pl.concat(rows).with_columns(
        ratio("kept", "reached").alias("keep_rate"), low.alias("ci_low"), high.alias("ci_high")
    )
    ref = table.filter(pl.col("lang") == reference).select(
        "step", pl.col("reached").alias("reference_reached"), pl.col("keep_rate").alias("reference_keep_rate")
    )
    table = (
        table.join(ref, on="step", how="left")
        .with_columns(
            pl.lit(reference).alias("reference"),
            pl.col("reference_reached").fill_null(0),
            ratio("keep_rate", "reference_keep_rate").alias("ratio"),
        )
        .with_columns(
            ((pl.col("reached") < MIN_REACHED) | (pl.col("reference_reached") < MIN_REACHED)).alias(
                "small_sample"
            )
        )
        .with_columns(
            ((pl.col("ratio") < FAIR_RATIO) & ~pl.col("small_sample")).fill_null(False).alias("flagged")
        )
    )
    return table.sort(
        "flagged", "order", "ratio", "lang", descending=[True, False, False, False], nulls_last=True
    ).select(list(FAIRNESS_SCHEMA))


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
    return judge(pl.concat(rows))


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
