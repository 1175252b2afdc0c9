"""The report's charts: SVG written directly and inlined as data URIs.

Bar charts and histograms need no plotting library: drawing them with matplotlib cost about 3 s
per report (its import and text layout), a quarter of `curate run` on a 2,000-record WARC, for
pictures that are a few hundred rectangles.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import polars as pl

from curate.statistics.names import code_and_name
from curate.statistics.tables import ALL

COLORS = {"kept": "#3b75af", "removed": "#d1603d", "line": "#222222", "axis": "#888888"}
FONT = 'font-family="system-ui, sans-serif"'
CHAR_WIDTH = 0.6  # average glyph width as a fraction of the font size, to size label margins
TITLE_SIZE, LABEL_SIZE, VALUE_SIZE = 13, 11, 10  # font sizes
MAX_LABEL = 28  # characters of a category label; longer ones end in an ellipsis
LABEL_ANGLE = 35  # degrees the labels under vertical bars are turned
PLOT_TOP, PLOT_H = 40, 220  # where the bars start, under the title and the tallest bar's value


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


def text_width(content: str, size: float) -> float:
    """About how wide `content` is drawn at font `size` (the margins and the overlap tests use it)."""
    return CHAR_WIDTH * size * len(content)


def shortened(label: str, limit: int = MAX_LABEL) -> str:
    """`label`, cut to `limit` characters with an ellipsis: a long domain must not take the chart."""
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def _title(content: str) -> tuple[str, float]:
    """The chart's title and the width it needs (bold: a tenth wider)."""
    width = text_width(content, TITLE_SIZE) * 1.1
    return text(0, 16, content, TITLE_SIZE, "start", ' font-weight="bold"'), width


@dataclass
class Series:
    """Bars ready to draw: labels, values as written, lengths and tick positions as fractions of the
    plot."""

    labels: list[str]
    shown: list[str]
    lengths: list[float]
    ticks: list[tuple[float, str]]

    def longest(self, texts: list[str], size: float) -> float:
        return text_width(max(texts, key=len, default=""), size)


def _horizontal(series: Series, title: str, value_label: str) -> str:
    left, band, plot_w = series.longest(series.labels, LABEL_SIZE) + 12, 18, 400
    bottom = PLOT_TOP + band * len(series.labels)
    title_svg, title_w = _title(title)
    value_room = series.longest(series.shown, VALUE_SIZE) + 10
    width = max(left + plot_w + value_room, title_w + 10, left + text_width(value_label, LABEL_SIZE) + 10)
    parts = [title_svg]
    for i, (label, value_text, length) in enumerate(zip(series.labels, series.shown, series.lengths)):
        y, bar_w = PLOT_TOP + i * band, plot_w * length
        parts += [
            rect(left, y + 2, bar_w, band - 4, COLORS["kept"]),
            text(left - 6, y + band - 5, label, LABEL_SIZE, anchor="end"),
            text(left + bar_w + 4, y + band - 5, value_text, VALUE_SIZE, "start"),  # beside the bar
        ]
    for position, tick in series.ticks:
        x = left + plot_w * position
        parts += [line(x, bottom, x, bottom + 4, COLORS["axis"]), text(x, bottom + 16, tick)]
    parts += [
        line(left, PLOT_TOP, left, bottom, COLORS["axis"]),
        text(left + plot_w / 2, bottom + 32, value_label),
    ]
    return data_uri(width, bottom + 40, parts)


def _vertical(series: Series, title: str, value_label: str, category_label: str) -> str:
    count = len(series.labels)
    band = max(24.0, min(60.0, 640 / max(count, 1)), series.longest(series.shown, VALUE_SIZE) + 6)
    # Labels turned LABEL_ANGLE degrees end under their bar and reach down and to the left: the first
    # one needs this much room left of the plot, all of them this much below it.
    longest, angle = series.longest(series.labels, LABEL_SIZE), math.radians(LABEL_ANGLE)
    reach_x = longest * math.cos(angle) + LABEL_SIZE * math.sin(angle)
    reach_y = longest * math.sin(angle) + LABEL_SIZE
    left = max(60.0, reach_x - band / 2 + 6)
    bottom = PLOT_TOP + PLOT_H
    title_svg, title_w = _title(title)
    height = bottom + 12 + reach_y + 20
    width = max(left + band * count + 20, title_w + 10, left + text_width(category_label, LABEL_SIZE))
    parts = [title_svg]
    for i, (label, value_text, length) in enumerate(zip(series.labels, series.shown, series.lengths)):
        x, bar_h = left + i * band, PLOT_H * length
        anchor_x, anchor_y = x + band / 2, bottom + 12
        turned = f' transform="rotate(-{LABEL_ANGLE} {anchor_x:.1f} {anchor_y:.1f})"'
        parts += [
            rect(x + 3, bottom - bar_h, band - 6, bar_h, COLORS["kept"]),
            # Above the bar: the plot starts PLOT_TOP under the title, so the tallest one's fits too.
            text(anchor_x, bottom - bar_h - 4, value_text, VALUE_SIZE),
            text(anchor_x, anchor_y, label, LABEL_SIZE, anchor="end", extra=turned),
        ]
    for position, tick in series.ticks:
        y = bottom - PLOT_H * position
        parts += [line(left - 4, y, left, y, COLORS["axis"]), text(left - 7, y + 4, tick, anchor="end")]
    middle = PLOT_TOP + PLOT_H / 2
    parts += [
        line(left, bottom, left + band * count, bottom, COLORS["axis"]),
        text(14, middle, value_label, extra=f' transform="rotate(-90 14 {middle:.1f})"'),
        text(left + band * count / 2, height - 8, category_label),
    ]
    return data_uri(width, height, parts)


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    value_label: str,
    horizontal: bool = False,
    log: bool = False,
    category_label: str = "",
    value_format: Callable[[float], str] = number,
) -> str:
    """One series of bars, each with its value (`value_format`) beside or above it; horizontal ones
    list the labels top to bottom in the given order. `value_label` names the value axis and its
    unit, `category_label` the other (vertical bars)."""
    # On the log scale a count of 1 still gets a bar one decade tall.
    scale = (lambda v: math.log10(v) + 1 if v > 0 else 0.0) if log else float
    top = max(map(scale, values), default=0.0) or 1.0
    ticks = [float(10**k) for k in range(math.ceil(top))] if log else nice_ticks(0.0, top)
    top = max(top, scale(ticks[-1]))
    series = Series(
        labels=[shortened(str(label)) for label in labels],
        shown=[value_format(v) for v in values],
        lengths=[scale(v) / top for v in values],
        ticks=[(scale(t) / top, number(t)) for t in ticks],
    )
    if horizontal:
        return _horizontal(series, title, value_label)
    return _vertical(series, title, value_label, category_label)


def percent(value: float) -> str:
    return f"{value:.1f}%"


def language_shares(languages: pl.DataFrame) -> str:
    """Share of the kept characters per language, largest first (as Common Crawl plots it)."""
    top = languages.head(30)
    shares = (top["chars_share"].fill_null(0) * 100).to_list()  # null: no kept characters at all
    labels = [code_and_name(code) for code in top["lang"]]
    return bars(
        labels, shares, "Language share of the kept data", "% of kept characters", True, value_format=percent
    )


def funnel(table: pl.DataFrame) -> str:
    """Documents left after each step, for all languages."""
    rows = table.filter(pl.col("lang") == ALL)
    return bars(
        rows["step"].to_list(),
        rows["docs"].to_list(),
        "Documents left after each step",
        "documents",
        category_label="step",
    )


def cluster_sizes(table: pl.DataFrame) -> str:
    labels = [str(s) for s in table["cluster_size"]]
    return bars(
        labels,
        table["clusters"].to_list(),
        "Dedup cluster sizes (1: unique)",
        "kept documents (log scale)",
        log=True,
        category_label="documents in the cluster",
    )


PANEL_W, PANEL_H, PANEL_PLOT_H, PANEL_MARGIN = 250, 150, 100, 20
PANEL_TITLE_CHARS = int((PANEL_W - 10) / (CHAR_WIDTH * 10))  # what fits a panel at font size 10


def _panel(x0: float, y0: float, histogram: pl.DataFrame, thresholds: dict[str, float]) -> list[str]:
    """Kept (blue) stacked under removed (orange) per bin, thresholds dashed, one signal."""
    kept = np.array(histogram.filter(pl.col("outcome") == "kept")["count"].to_list(), float)
    removed = np.array(histogram.filter(pl.col("outcome") == "removed")["count"].to_list(), float)
    edges = [*histogram["bin_start"][: len(kept)].to_list(), histogram["bin_end"][len(kept) - 1]]
    low, high = edges[0], edges[-1]
    span = (high - low) or 1.0
    tallest = float((kept + removed).max()) or 1.0
    # Margins of half a tick label: the end ticks' labels are centred on the plot's edges.
    left, plot_w, bottom = x0 + PANEL_MARGIN, PANEL_W - 2 * PANEL_MARGIN, y0 + 28 + PANEL_PLOT_H

    def x_of(value: float) -> float:
        return left + plot_w * (min(max(value, low), high) - low) / span

    parts = [
        text(x0 + PANEL_W / 2, y0 + 12, shortened(histogram["signal"][0], PANEL_TITLE_CHARS), 10),
        # The scale, above the plot: the tallest bin reaches its top.
        text(left, y0 + 25, f"{number(tallest)} docs", 8, "start", f' fill="{COLORS["axis"]}"'),
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
