"""The report's charts: SVG written directly and inlined as data URIs.

Bar charts and histograms need no plotting library: drawing them with matplotlib cost about 3 s
per report (its import and text layout), a quarter of `curate run` on a 2,000-record WARC, for
pictures that are a few hundred rectangles.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from html import escape

import numpy as np
import polars as pl

from curate.stats.tables import ALL

COLORS = {"kept": "#3b75af", "removed": "#d1603d", "line": "#222222", "axis": "#888888"}
FONT = 'font-family="system-ui, sans-serif"'
CHAR_WIDTH = 0.6  # average glyph width as a fraction of the font size, to size label margins


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About `count` round values (1, 2, 5 x 10^k steps) covering [low, high]."""
    if not high > low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]


def number(value: float) -> str:
    """A short axis label: 1.5k, 2M, 0.25."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:.3g}"


def text(x: float, y: float, content: str, size: int = 11, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {FONT}{extra}>'
        f"{escape(content)}</text>"
    )


def line(x1: float, y1: float, x2: float, y2: float, color: str, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}"{dash}/>'


def rect(x: float, y: float, width: float, height: float, color: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{color}"/>'


def data_uri(width: float, height: float, parts: Sequence[str]) -> str:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}"><rect width="100%" height="100%" fill="white"/>'
        f"{''.join(parts)}</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    value_label: str,
    horizontal: bool = False,
    log: bool = False,
) -> str:
    """One series of bars; horizontal ones list the labels top to bottom in the given order."""
    # On the log scale a count of 1 still gets a bar one decade tall.
    scale = (lambda v: math.log10(v) + 1 if v > 0 else 0.0) if log else float
    top = max(map(scale, values), default=0.0) or 1.0
    ticks = [float(10**k) for k in range(math.ceil(top))] if log else nice_ticks(0.0, top)
    top = max(top, scale(ticks[-1]))
    label_room = CHAR_WIDTH * 11 * max((len(s) for s in labels), default=1) + 12
    parts = [text(0, 16, title, 13, "start", ' font-weight="bold"')]
    if horizontal:
        left, band = label_room, 18
        width, height = left + 420, 40 + band * len(labels) + 36
        plot_w, bottom = 400, 40 + band * len(labels)
        for i, (label, value) in enumerate(zip(labels, values)):
            y = 40 + i * band
            parts.append(rect(left, y + 2, plot_w * scale(value) / top, band - 4, COLORS["kept"]))
            parts.append(text(left - 6, y + band - 5, label, anchor="end"))
        for tick in ticks:
            x = left + plot_w * scale(tick) / top
            parts += [line(x, bottom, x, bottom + 4, COLORS["axis"]), text(x, bottom + 16, number(tick))]
        parts += [
            line(left, 40, left, bottom, COLORS["axis"]),
            text(left + plot_w / 2, bottom + 32, value_label),
        ]
        return data_uri(width, height, parts)
    left, band, plot_h = 60, max(24, min(60, 640 / max(len(labels), 1))), 220
    bottom = 40 + plot_h
    width, height = left + band * len(labels) + 20, bottom + label_room * 0.6 + 10
    for i, (label, value) in enumerate(zip(labels, values)):
        x = left + i * band
        bar_h = plot_h * scale(value) / top
        parts.append(rect(x + 3, bottom - bar_h, band - 6, bar_h, COLORS["kept"]))
        anchor_x, anchor_y = x + band / 2, bottom + 12
        parts.append(
            text(
                anchor_x,
                anchor_y,
                label,
                anchor="end",
                extra=f' transform="rotate(-35 {anchor_x:.1f} {anchor_y:.1f})"',
            )
        )
    for tick in ticks:
        y = bottom - plot_h * scale(tick) / top
        parts += [
            line(left - 4, y, left, y, COLORS["axis"]),
            text(left - 7, y + 4, number(tick), anchor="end"),
        ]
    parts += [
        line(left, bottom, left + band * len(labels), bottom, COLORS["axis"]),
        text(14, 40 + plot_h / 2, value_label, extra=f' transform="rotate(-90 14 {40 + plot_h / 2:.1f})"'),
    ]
    return data_uri(width, height, parts)


def language_shares(languages: pl.DataFrame) -> str:
    """Share of the kept characters per language, largest first (as Common Crawl plots it)."""
    top = languages.head(30)
    shares = (top["chars_share"].fill_null(0) * 100).to_list()  # null: no kept characters at all
    return bars(
        top["lang"].to_list(), shares, "Language share of the kept data", "% of kept characters", True
    )


def funnel(table: pl.DataFrame) -> str:
    """Documents left after each step, for all languages."""
    rows = table.filter(pl.col("lang") == ALL)
    return bars(rows["step"].to_list(), rows["docs"].to_list(), "Documents left after each step", "documents")


def cluster_sizes(table: pl.DataFrame) -> str:
    labels = [str(s) for s in table["cluster_size"]]
    return bars(
        labels, table["clusters"].to_list(), "Dedup cluster sizes (1: unique)", "kept documents", log=True
    )


PANEL_W, PANEL_H, PANEL_PLOT_H = 250, 150, 100


def _panel(x0: float, y0: float, histogram: pl.DataFrame, thresholds: dict[str, float]) -> list[str]:
    """Kept (blue) stacked under removed (orange) per bin, thresholds dashed, one signal."""
    kept = np.array(histogram.filter(pl.col("outcome") == "kept")["count"].to_list(), float)
    removed = np.array(histogram.filter(pl.col("outcome") == "removed")["count"].to_list(), float)
    edges = [*histogram["bin_start"][: len(kept)].to_list(), histogram["bin_end"][len(kept) - 1]]
    low, high = edges[0], edges[-1]
    span = (high - low) or 1.0
    tallest = float((kept + removed).max()) or 1.0
    left, plot_w, bottom = x0 + 10, PANEL_W - 20, y0 + 20 + PANEL_PLOT_H

    def x_of(value: float) -> float:
        return left + plot_w * (min(max(value, low), high) - low) / span

    parts = [
        text(x0 + PANEL_W / 2, y0 + 12, histogram["signal"][0], 10),
        text(left, y0 + 24, f"{number(tallest)} docs", 8, "start", f' fill="{COLORS["axis"]}"'),
    ]
    for start, end, k, r in zip(edges, edges[1:], kept, removed):
        x, width = x_of(start), max(x_of(end) - x_of(start), 0.5)
        parts.append(
            rect(
                x,
                bottom - PANEL_PLOT_H * (k + r) / tallest,
                width,
                PANEL_PLOT_H * r / tallest,
                COLORS["removed"],
            )
        )
        parts.append(
            rect(x, bottom - PANEL_PLOT_H * k / tallest, width, PANEL_PLOT_H * k / tallest, COLORS["kept"])
        )
    for value in thresholds.values():
        if low <= value <= high:
            parts.append(
                line(x_of(value), bottom - PANEL_PLOT_H, x_of(value), bottom, COLORS["line"], dashed=True)
            )
    parts.append(line(left, bottom, left + plot_w, bottom, COLORS["axis"]))
    for tick in nice_ticks(low, high, 3):
        parts.append(text(x_of(tick), bottom + 12, number(tick), 9))
    return parts


def signals(histograms: list[tuple[pl.DataFrame, dict[str, float]]], columns: int = 4) -> str:
    """Small multiples, one per signal: kept and removed documents per bin, stacked, the thresholds
    as dashed lines."""
    rows = max(1, -(-len(histograms) // columns))
    parts: list[str] = []
    for i, (histogram, thresholds) in enumerate(histograms):
        parts += _panel((i % columns) * PANEL_W, (i // columns) * PANEL_H, histogram, thresholds)
    return data_uri(PANEL_W * columns, PANEL_H * rows, parts)
