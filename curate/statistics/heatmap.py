"""The removal rate of every step for every language, as an HTML table whose cells are coloured
by the rate (white: nothing removed, dark red: everything), the rate written in each: where a
step bites one language, its row lights up."""

from __future__ import annotations

import html

import polars as pl

from curate.statistics.htmltable import scroll_box
from curate.statistics.names import language_of

LOW, HIGH = (255, 255, 255), (178, 34, 34)  # the colours of rate 0 and rate 1
DARK = 0.55  # from this rate on, the number is written in white


def colour(rate: float) -> str:
    """The background of a cell of `rate`: white to dark red, linearly."""
    mix = [round(lo + (hi - lo) * min(max(rate, 0.0), 1.0)) for lo, hi in zip(LOW, HIGH)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def _cell(row: dict | None) -> str:
    if row is None:  # no document of the language reached the step
        return '<td class="heat" data-v="">&ndash;</td>'
    rate = row["rate"]
    ink = "#fff" if rate >= DARK else "#222"
    title = f"{row['removed']:,} of {row['entering']:,} removed"
    return (
        f'<td class="heat" data-v="{rate!r}" title="{title}" '
        f'style="background:{colour(rate)};color:{ink}">{rate:.0%}</td>'
    )


def removal_heatmap(audit_languages: pl.DataFrame, documents: dict[str, int], stages: list[str]) -> str:
    """Languages (rows, most `documents` first) x `stages` (columns, pipeline order): the share of
    the language's documents reaching the stage that it removed, from the audit_languages table."""
    if not audit_languages.height:
        return "<p>No step removed documents of a language.</p>"
    cells = {(r["lang"], r["stage"]): r for r in audit_languages.iter_rows(named=True)}
    languages = sorted(set(audit_languages["lang"]), key=lambda lang: (-documents.get(lang, 0), lang or ""))
    columns = ["lang", "language", "documents", *stages]
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
    rows = []
    for lang in languages:
        label = f"<td>{html.escape(str(lang))}</td><td>{html.escape(language_of(lang))}</td>"
        count = documents.get(lang, 0)
        rows.append(
            f'<tr>{label}<td data-v="{count}">{count:,}</td>'
            f"{''.join(_cell(cells.get((lang, stage))) for stage in stages)}</tr>"
        )
    table = f'<table class="sortable heatmap"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
    return scroll_box(table + "</table>")
