"""The building blocks of the report's sections: tables with language names, notes, the audit's
tables led by their flagged rows."""

from __future__ import annotations

import html

import polars as pl

from curate.statistics.htmltable import table_html
from curate.statistics.names import with_language_names

INTERVAL = "95% CI"  # the column of a rate's Wilson interval
TEXT_COLUMNS = ("domain", "url", "excerpt", "message", "input")  # long ones wrap in their cells


def frame_table(frame: pl.DataFrame, **options) -> str:
    """`frame` as a table, a language name beside every language code, long texts wrapping."""
    named = with_language_names(frame)
    return table_html(named, text_columns=TEXT_COLUMNS, **options)


def image(src: str, alt: str) -> str:
    return f'<img src="{src}" alt="{html.escape(alt)}">'


def note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def flagged_first(frame: pl.DataFrame) -> pl.DataFrame:
    """The audit's rows, flagged first, then the highest rates, the interval as one readable column."""
    ordered = frame.sort("flagged", "rate", "removed", descending=True, nulls_last=True, maintain_order=True)
    interval = [
        f"{low:.3f} \u2013 {high:.3f}" if low is not None else None
        for low, high in zip(ordered["ci_low"], ordered["ci_high"])
    ]
    where = next(key for key in ("lang", "topic", "domain") if key in frame.columns)
    # The count (removed of entering) and the interval beside the rate, the flags after them.
    return ordered.with_columns(pl.Series(INTERVAL, interval, dtype=pl.String)).select(
        "stage", where, "removed", "entering", "rate", INTERVAL, "overall_rate", "flagged", "weak_evidence"
    )


def audit_row(row: dict) -> str:
    return " ".join(c for c, on in (("flagged", row["flagged"]), ("weak", row["weak_evidence"])) if on)


def audit_table(frame: pl.DataFrame) -> str:
    return frame_table(flagged_first(frame), hidden=("ci_low", "ci_high"), row_class=audit_row)
