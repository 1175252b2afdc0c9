"""`curate.stats(out)`: the statistics tables of a finished run, as `curate stats` computes them
(the package that computes them is `curate.statistics`)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curate.statistics import compute_stats


def stats(out: str | Path) -> dict[str, pl.DataFrame]:
    """Every statistics table of the run in folder `out` by name (funnel, languages, removals,
    domains, signals, the audit's ...), and "summary": the run's totals as a one-row frame."""
    computed = compute_stats(Path(out))
    return {**computed.tables, "summary": pl.DataFrame([computed.summary])}
