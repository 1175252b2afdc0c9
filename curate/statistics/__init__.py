"""Statistics of a run, from its ledgers and outputs: `compute_stats(OUT)` -> tables, written by
`write_stats` as Parquet and one strict JSON file under OUT/report/, next to the shards. The
documents are aggregated as they stream by (sources.py): memory follows the tables, not the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from curate.atomic import strict_dumps, write_atomically
from curate.layout import OutputLayout
from curate.statistics import audit, errors, signals, tables, topics
from curate.statistics.hygiene import hygiene
from curate.statistics.sources import RunOutputs, load_outputs
from curate.statistics.tokens import TokenCounts, counted_tokens, token_summary

# Chinchilla (Hoffmann et al. 2022): compute-optimal training sees about 20 tokens per parameter.
# Here because the report estimates a model size; curate.train.budget plans with it.
TOKENS_PER_PARAM = 20


@dataclass
class Stats:
    out_dir: Path
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def summarize(
    run: RunOutputs, funnel: pl.DataFrame, error_counts: pl.DataFrame, counted: TokenCounts | None
) -> dict[str, Any]:
    def totals(step: str) -> dict[str, int]:  # zeros when nothing reached the step
        rows = funnel.filter((pl.col("step") == step) & (pl.col("lang") == tables.ALL))
        return {m: int(rows[m].fill_null(0).sum()) for m in tables.METRICS}

    final, read = totals("final"), totals("read")
    tokens = token_summary(counted, final["bytes"])
    return {
        "read_records": read["docs"],
        "kept_docs": final["docs"],
        "kept_chars": final["chars"],
        "kept_words": final["words"],
        "kept_bytes": final["bytes"],
        **tokens,
        "chinchilla_params": round(tokens["tokens"] / TOKENS_PER_PARAM),
        "languages": run.ledger.filter(pl.col("outcome") == "kept")["lang"].n_unique(),
        "error_records": int(error_counts["docs"].sum()),
        "failed_inputs": len(run.failed_inputs),
        "stages": run.stages,
        "thresholds": thresholds_used(run.config),
    }


def thresholds_used(config: dict[str, Any]) -> str:
    """Which threshold profiles the run used, in words (the run record's config, as written)."""
    langid, filters = config.get("langid", {}), config.get("filters", {})
    below = "kept as und" if langid.get("keep_below_threshold") else "removed"
    badwords = filters.get("badwords", {}).get("mode", "drop")
    return (
        f"language ID profile {langid.get('profile', 'fineweb')} (under a language's cut-off: {below}); "
        f"filter profile {filters.get('profile', 'fineweb')}; badwords mode {badwords}"
    )


def compute_stats(out_dir: Path) -> Stats:
    run = load_outputs(out_dir, list(signals.numeric_signals()))
    funnel = tables.funnel(run)
    error_counts = errors.error_counts(run)
    sites = tables.site_counts(run)
    counted = counted_tokens(run.layout)  # once: the languages table and the summary both use it
    topic_funnel = topics.topic_funnel(run)
    topic_rates = topics.topic_rates(run, topic_funnel)
    result = {
        "funnel": funnel,
        "languages": tables.languages(run, counted),
        "removals": tables.removal_matrix(run),
        "domains": tables.domains(sites),
        "suffixes": tables.suffixes(sites),
        "cluster_sizes": tables.cluster_sizes(run),
        "signals": signals.histograms(run),
        "audit_languages": audit.language_rates(run, funnel),
        "audit_domains": audit.domain_rates(run, sites),
        "language_fairness": audit.language_fairness(run, funnel),
        "examples": audit.examples(run),
        "topics": topics.topic_shares(run, counted),
        "topic_funnel": topic_funnel,
        "audit_topics": topic_rates,
        "topic_examples": topics.topic_examples(run, topic_rates),
        "hygiene": hygiene(run, funnel),
        "errors": error_counts,
        "error_examples": errors.error_examples(run),
    }
    return Stats(out_dir, result, summarize(run, funnel, error_counts, counted))


def stats_document(stats: Stats) -> dict[str, Any]:
    """The summary and every table as rows: the content of stats.json and `curate stats --json`."""
    return {"summary": stats.summary, **{name: table.to_dicts() for name, table in stats.tables.items()}}


def write_stats(stats: Stats) -> Path:
    """OUT/report/<table>.parquet for every table, and OUT/report/stats.json with all of them."""
    layout = OutputLayout(stats.out_dir)
    layout.report_dir.mkdir(exist_ok=True)
    for name, table in stats.tables.items():
        write_atomically(layout.report_dir / f"{name}.parquet", table.write_parquet)
    text = strict_dumps(stats_document(stats))
    return write_atomically(layout.stats_json, lambda tmp: tmp.write_text(text))
