"""Language names beside the codes the tables carry (CLDR's English names: fr -> French)."""

from __future__ import annotations

import polars as pl

from curate.statistics.tables import ALL
from langid.labels import language_name


def language_of(code: str | None) -> str:
    """The English name of a language code; `all` (the rows over every language) stays `all`."""
    if code is None or code == ALL:
        return "" if code is None else ALL
    return language_name(code)


def code_and_name(code: str | None) -> str:
    """`fr French`, or the code alone where the name would only repeat it."""
    name = language_of(code)
    return str(code) if name in (code, "") else f"{code} {name}"


def with_language_names(frame: pl.DataFrame, column: str = "lang") -> pl.DataFrame:
    """`frame` with a `language` column of names right after its language codes (if it has any)."""
    if column not in frame.columns:
        return frame
    names = pl.Series("language", [language_of(code) for code in frame[column]], dtype=pl.String)
    at = frame.columns.index(column) + 1
    order = [*frame.columns[:at], "language", *frame.columns[at:]]
    return frame.with_columns(names).select(order)  # a new frame: insert_column would change the caller's
