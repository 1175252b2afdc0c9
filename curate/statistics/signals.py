"""Distributions of the filters' signals, kept against removed documents, with the thresholds
that decide on them. The signals stream by in batches: a few passes find each one's percentiles
(quantiles.py), one more counts its values per bin, so that memory holds bins, not documents."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from itertools import chain
from typing import Any

import numpy as np
import polars as pl

from curate.statistics.quantiles import Batches, spreads
from curate.statistics.scan import Documents
from curate.statistics.sources import RunOutputs
from filters import FILTERS

BINS = 30
PERCENTILES = (1, 99)  # the range the bins cover; values beyond count in the end bins
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


def _batches(documents: Documents) -> Batches:
    """Passes over the finite values of signals, of those that `documents` have."""

    def batches(signals: list[str]) -> Iterator[dict[str, np.ndarray]]:
        present = [s for s in signals if s in documents.schema]
        for batch in documents.batches(present) if present else ():
            yield {signal: _finite(batch[signal]) for signal in present}

    return batches


def _bin_counts(batches: Batches, bins: dict[str, tuple[float, float, np.ndarray]]) -> dict[str, np.ndarray]:
    """Per signal of `bins` (low, high, edges): its values counted per bin, those beyond low and
    high in the end bins."""
    counts = {signal: np.zeros(BINS, int) for signal in bins}
    for batch in batches(list(bins)):
        for signal, values in batch.items():
            low, high, edges = bins[signal]
            counts[signal] += np.histogram(np.clip(values, low, high), edges)[0]
    return counts


def histograms(run: RunOutputs) -> pl.DataFrame:
    """Per signal of a filter that ran: BINS equal bins between its 1st and 99th percentile
    (values outside go to the end bins), counts of kept and removed documents."""
    order = run.config.get("filters", {}).get("order", [])
    drawn = {s: f for s, f in numeric_signals().items() if f in order and s in run.shards.schema}
    # The duplicates dedup dropped carry no signals: the removed documents' are the stages' record's.
    kept, removed = _batches(run.shards), _batches(run.removed_record)

    def both(signals: list[str]) -> Iterator[dict[str, np.ndarray]]:
        return chain(kept(signals), removed(signals))

    bins = {}
    for signal, spread in spreads(both, list(drawn), PERCENTILES).items():
        low, high = spread.percentiles
        if high <= low:
            low, high = spread.low, spread.high + 1e-9
        bins[signal] = (low, high, np.linspace(low, high, BINS + 1))
    counts = {"kept": _bin_counts(kept, bins), "removed": _bin_counts(removed, bins)}
    rows = []
    for signal, filter_name in drawn.items():
        if signal not in bins:
            continue
        edges = bins[signal][2]
        bounds = thresholds_of(run.config, signal, filter_name)
        for label, per_signal in counts.items():
            rows += [
                {
                    "filter": filter_name,
                    "signal": signal,
                    "outcome": label,
                    "bin_start": float(edges[i]),
                    "bin_end": float(edges[i + 1]),
                    "count": int(per_signal[signal][i]),
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
