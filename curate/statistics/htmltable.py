"""Polars tables as HTML: every value escaped (languages, domains, URLs and excerpts come from the
crawl), numbers formatted for reading with their exact value in data-v for the sort script, each
table in its own scrolling box so that a wide one never widens the page."""

from __future__ import annotations

import html
from collections.abc import Callable

import polars as pl

RowClass = Callable[[dict], str]  # a row -> its CSS classes ("" for none)


def formatted(value: object) -> str:
    """A value as the report shows it: thousands separated, rates to 3 decimals, escaped."""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape("" if value is None else str(value))


def cell_html(value: object, text: bool = False) -> str:
    """One <td>; numbers carry their exact value (data-v) to sort by, long texts wrap (class text)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td data-v="{value!r}">{formatted(value)}</td>'
    return f'<td class="text">{formatted(value)}</td>' if text else f"<td>{formatted(value)}</td>"


def scroll_box(inner: str) -> str:
    """A box that scrolls sideways when `inner` is wider than the page."""
    return f'<div class="scroll">{inner}</div>'


def table_html(
    frame: pl.DataFrame,
    text_columns: tuple[str, ...] = (),
    hidden: tuple[str, ...] = (),
    row_class: RowClass | None = None,
) -> str:
    """A sortable table of `frame` without its `hidden` columns (they may still decide a row's class).
    Null numbers are empty cells with an empty data-v, so they sort last."""
    shown = [c for c in frame.columns if c not in hidden]
    numeric = {c for c in shown if frame.schema[c].is_numeric()}
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in shown)
    rows = []
    for row in frame.iter_rows(named=True):
        classes = row_class(row) if row_class else ""
        css = f' class="{classes}"' if classes else ""
        cells = "".join(
            '<td data-v=""></td>' if row[c] is None and c in numeric else cell_html(row[c], c in text_columns)
            for c in shown
        )
        rows.append(f"<tr{css}>{cells}</tr>")
    return scroll_box(
        f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
