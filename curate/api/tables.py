"""`curate.run_stats`: the statistics tables of a finished run, as `curate stats` computes them.

Named so because `curate.stats` is the package that computes them."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curate.stats import compute_stats


def run_stats(out: str | Path) -> dict[str, pl.DataFrame]:
    """Every statistics table of the run in folder `out` by name (funnel, languages, removals,
    domains, signals, the audit's ...), and "summary": the run's totals as a one-row frame."""
    stats = compute_stats(Path(out))
    return {**stats.tables, "summary": pl.DataFrame([stats.summary])}
