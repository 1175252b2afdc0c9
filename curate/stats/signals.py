"""Distributions of the filters' signals, kept against removed documents, with the thresholds
that decide on them."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import polars as pl

from curate.stats.sources import RunOutputs
from filters import FILTERS

BINS = 30
NUMERIC_KINDS = ("int", "float")


def numeric_signals() -> dict[str, str]:
    """Every numeric signal column -> the filter that computes it."""
    return {s: name for name, f in FILTERS.items() for s, kind in f.SIGNALS.items() if kind in NUMERIC_KINDS}


def threshold_links(filter_name: str) -> dict[str, list[str]]:
    """signal -> the threshold fields that bound it: `min_X`/`max_X` bound the signal named
    `<prefix>_X` (gopher_words <- min_words, max_words)."""
    cls = FILTERS[filter_name]
    links: dict[str, list[str]] = {}
    for field in dataclasses.fields(cls.Thresholds):
        if field.name.startswith(("min_", "max_")):
            for signal in cls.SIGNALS:
                if signal.split("_", 1)[-1] == field.name[4:]:
                    links.setdefault(signal, []).append(field.name)
    return links


def thresholds_of(config: dict[str, Any], signal: str, filter_name: str) -> dict[str, float]:
    """The run's global bounds on `signal` (per-language overrides are not drawn)."""
    values = config.get("filters", {}).get(filter_name, {})
    fields = threshold_links(filter_name).get(signal, [])
    return {f: values[f] for f in fields if isinstance(values.get(f), int | float) and values[f] is not False}


def _finite(values: pl.Series) -> np.ndarray:
    """The values that can be binned: a signal may be NaN or infinite (a ratio over an empty text)."""
    array = values.drop_nulls().cast(pl.Float64).to_numpy()
    return array[np.isfinite(array)]


def histograms(run: RunOutputs) -> pl.DataFrame:
    """Per signal of a filter that ran: BINS equal bins between its 1st and 99th percentile
    (values outside go to the end bins), counts of kept and removed documents."""
    order = run.config.get("filters", {}).get("order", [])
    rows = []
    for signal, filter_name in numeric_signals().items():
        if filter_name not in order or signal not in run.kept.columns:
            continue
        kept = _finite(run.kept[signal])
        removed = _finite(run.removed[signal]) if signal in run.removed.columns else np.array([])
        values = np.concatenate([kept, removed])
        if not len(values):
            continue
        low, high = np.percentile(values, [1, 99])
        if high <= low:
            low, high = float(values.min()), float(values.max()) + 1e-9
        edges = np.linspace(low, high, BINS + 1)
        bounds = thresholds_of(run.config, signal, filter_name)
        for label, sample in (("kept", kept), ("removed", removed)):
            counts = (
                np.histogram(np.clip(sample, low, high), edges)[0] if len(sample) else np.zeros(BINS, int)
            )
            rows += [
                {
                    "filter": filter_name,
                    "signal": signal,
                    "outcome": label,
                    "bin_start": float(edges[i]),
                    "bin_end": float(edges[i + 1]),
                    "count": int(counts[i]),
                    "thresholds": ", ".join(f"{k} = {v:g}" for k, v in bounds.items()),
                }
                for i in range(BINS)
            ]
    return pl.DataFrame(
        rows,
        schema={
            "filter": pl.String,
            "signal": pl.String,
            "outcome": pl.String,
            "bin_start": pl.Float64,
            "bin_end": pl.Float64,
            "count": pl.Int64,
            "thresholds": pl.String,
        },
    )
