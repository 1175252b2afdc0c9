"""The report's charts: matplotlib (Agg, no display) rendered to PNG and inlined as data URIs."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from curate.stats.tables import ALL  # noqa: E402

COLORS = {"kept": "#3b75af", "removed": "#d1603d", "line": "#222222"}


def _png(figure: plt.Figure, tight: bool = True) -> str:
    buffer = io.BytesIO()
    if tight:  # measures every label: costly on big grids, which set their spacing instead
        figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def language_shares(languages: pl.DataFrame) -> str:
    """Share of the kept characters per language, largest first (as Common Crawl plots it)."""
    top = languages.head(30)
    figure, axes = plt.subplots(figsize=(8, 0.3 * len(top) + 1.2))
    axes.barh(top["lang"].to_list()[::-1], (top["chars_share"] * 100).to_list()[::-1], color=COLORS["kept"])
    axes.set_xlabel("% of kept characters")
    axes.set_title("Language share of the kept data")
    return _png(figure)


def funnel(table: pl.DataFrame) -> str:
    """Documents left after each step, for all languages."""
    rows = table.filter(pl.col("lang") == ALL)
    figure, axes = plt.subplots(figsize=(8, 3.5))
    axes.bar(rows["step"].to_list(), rows["docs"].to_list(), color=COLORS["kept"])
    axes.set_ylabel("documents")
    axes.set_title("Documents left after each step")
    axes.tick_params(axis="x", rotation=30)
    return _png(figure)


def cluster_sizes(table: pl.DataFrame) -> str:
    figure, axes = plt.subplots(figsize=(6, 3))
    axes.bar([str(s) for s in table["cluster_size"]], table["clusters"].to_list(), color=COLORS["kept"])
    axes.set_xlabel("documents in the cluster (1: unique)")
    axes.set_ylabel("kept documents")
    axes.set_yscale("log")
    axes.set_title("Dedup cluster sizes")
    return _png(figure)


def signals(histograms: list[tuple[pl.DataFrame, dict[str, float]]], columns: int = 4) -> str:
    """Small multiples, one per signal: kept and removed documents per bin, stacked, the
    thresholds as dashed lines. One figure: far faster than one per signal."""
    rows = max(1, -(-len(histograms) // columns))
    figure, grid = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.3 * rows), squeeze=False)
    for axes in grid.flat[len(histograms) :]:
        axes.axis("off")
    for axes, (histogram, thresholds) in zip(grid.flat, histograms):
        kept = np.array(histogram.filter(pl.col("outcome") == "kept")["count"].to_list())
        removed = np.array(histogram.filter(pl.col("outcome") == "removed")["count"].to_list())
        edges = [*histogram["bin_start"][: len(kept)].to_list(), histogram["bin_end"][len(kept) - 1]]
        # stairs: one artist per series instead of one rectangle per bin
        axes.stairs(kept + removed, edges, fill=True, color=COLORS["removed"])
        axes.stairs(kept, edges, fill=True, color=COLORS["kept"])
        for value in thresholds.values():
            axes.axvline(value, color=COLORS["line"], linestyle="--", linewidth=1)
        axes.set_title(histogram["signal"][0], fontsize=8)
        axes.tick_params(labelsize=7)
        axes.locator_params(nbins=4)
    figure.subplots_adjust(left=0.04, right=0.99, bottom=0.03, top=0.97, hspace=0.55, wspace=0.3)
    return _png(figure, tight=False)
