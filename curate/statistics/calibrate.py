"""Per-language thresholds calibrated against a reference language (FineWeb-2's idea): a threshold
tuned on English removes some share of English documents on its signal; for another language, the
threshold that removes the same share of that language's documents is the quantile of its own
distribution of the signal at that share.

For every numeric threshold (`min_*`/`max_*`, signals.threshold_links) of gopher_repetition,
gopher_quality, c4 and fineweb that the run applied:

    share   = reference documents with signal < min_X (or > max_X, their own threshold) / reference
              documents with a value of the signal
    min_X  -> the language's percentile of the signal at 100 x share (rounded down: looser)
    max_X  -> the language's percentile at 100 x (1 - share) (rounded up); an int threshold takes
              the int that removes the same documents (ceil for min, floor for max)

proposed only where the result is looser than the threshold the language had in the run (lower
for min, higher for max), on at least `min_docs` documents of the language and of the reference.
Tighter results are never proposed: they come back as notes, as do thresholds on which the
reference loses nothing (no share to match) while the language loses some.

Which documents count: a filter's signals exist only for the documents that reached it (filters
run in order; a document leaves at the first that removes it). So for each filter the population
is the documents that reached it, for the reference and the language alike: the kept ones (the
shards) and those that this filter or a later one removed (the removed-documents record holds the
signals computed up to the filter that removed them). Documents removed before it (language ID, an
earlier filter, too large) are not counted, nor are those it timed out or failed on (no signals),
nor the duplicates that dedup dropped (they keep no signals; they are copies of kept ones). The
shares are thus conditional on the earlier filters, as the run applied them.

The documents stream by in batches (scan.py): the counts are polars streaming aggregations per
language, the percentiles the exact streamed ones of quantiles.py, a bounded number of languages at
a time; memory follows the languages and thresholds, not the documents.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from curate.config import config_from_dict, language_overrides
from curate.errors import UsageError
from curate.statistics.audit import reference_language
from curate.statistics.quantiles import Batches, spreads
from curate.statistics.scan import Documents
from curate.statistics.signals import threshold_links
from curate.statistics.sources import RunOutputs, collect
from filters import FILTERS
from filters.ranges import ALLOWED

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CALIBRATED = ("gopher_repetition", "gopher_quality", "c4", "fineweb")
MIN_DOCS = 50
DIGITS = 4  # significant digits of a proposed float threshold (rounded the looser way)
LANGUAGES_PER_PASS = 16  # languages whose percentiles one streamed selection finds at once


@dataclass(frozen=True)
class Bound:
    """A threshold field and the signal it bounds: `min` removes below it, `max` above."""

    filter: str
    field: str
    signal: str

    @property
    def kind(self) -> str:
        return self.field[:3]

    @property
    def key(self) -> str:
        return f"{self.filter}.{self.field}"

    def _spec(self) -> dataclasses.Field:
        return next(f for f in dataclasses.fields(FILTERS[self.filter].Thresholds) if f.name == self.field)

    def is_int(self) -> bool:
        return str(self._spec().type).startswith("int")  # `int | None`, as the annotation reads

    def allowed(self) -> tuple[float | None, float | None]:
        rule = self._spec().metadata.get(ALLOWED)
        return (rule.low, rule.high) if rule else (None, None)


def bounds_of(filter_name: str) -> list[Bound]:
    """The numeric thresholds of a filter that bound one of its signals, in field order."""
    links = threshold_links(filter_name)
    fields = {f.name: f for f in dataclasses.fields(FILTERS[filter_name].Thresholds)}
    found = [Bound(filter_name, name, signal) for signal, names in links.items() for name in names]
    numeric = [b for b in found if FILTERS[filter_name].SIGNALS[b.signal] in ("int", "float")]
    return sorted(numeric, key=lambda b: list(fields).index(b.field))


@dataclass(frozen=True)
class Applied:
    """The thresholds a run applied for one filter: the filter section's own, and per language the
    fields that differ, merged as the run merged them (the filter's LANGUAGE_DEFAULTS, then the
    profile's, then the config's [filters.per_language])."""

    own: dict[str, Any]
    by_lang: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, config: dict[str, Any], filter_name: str) -> Applied:
        filters = config.get("filters", {})
        merged = {lang: dict(v) for lang, v in FILTERS[filter_name].LANGUAGE_DEFAULTS.items()}
        profile, per_language = filters.get("profile", "fineweb"), filters.get("per_language", {})
        for lang, fields in language_overrides(profile, per_language, filter_name).items():
            merged.setdefault(lang, {}).update(fields)
        return cls(dict(filters.get(filter_name, {})), merged)

    def value(self, field_name: str, lang: str | None = None) -> Any:
        """The bound on `lang`'s documents (the section's without `lang`); None when switched off."""
        fields = self.by_lang.get(lang, {}) if lang is not None else {}
        value = fields.get(field_name, self.own.get(field_name))
        return None if value is False else value

    def by_language(self, field_name: str, langs: list[str]) -> dict[str, Any]:
        """The languages of `langs` whose bound differs from the section's, and theirs."""
        return {
            lang: self.value(field_name, lang) for lang in langs if field_name in self.by_lang.get(lang, {})
        }


@dataclass
class Row:
    """One proposal: `lang`'s threshold `bound` from `default` to `proposed`; `docs` of the language
    had a value of the signal; shares of them removed on the signal before and after, and the share
    of the reference's documents that the reference's threshold removes."""

    lang: str
    docs: int
    bound: Bound
    default: float
    proposed: float
    reference_share: float
    before: float
    after: float | None = None


@dataclass
class Calibration:
    reference: str
    reference_note: str  # why this language is the reference
    min_docs: int
    reached: dict[str, int]  # lang -> documents that reached the first filter calibrated
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def overrides(self) -> dict[str, dict[str, dict[str, Any]]]:
        """lang -> filter -> field -> proposed value."""
        found: dict[str, dict[str, dict[str, Any]]] = {}
        for row in self.rows:
            found.setdefault(row.lang, {}).setdefault(row.bound.filter, {})[row.bound.field] = row.proposed
        return found


def _reached(run: RunOutputs, filter_name: str) -> list[tuple[Documents, pl.Expr | None]]:
    """The documents that reached `filter_name`, as (files, the rows of them): every kept one,
    and the removed ones booked under this filter or a later one."""
    order = run.config["filters"]["order"]
    later = order[order.index(filter_name) :]
    return [(run.shards, None), (run.removed_record, pl.col("stage").is_in(later))]


def _frame(run: RunOutputs, filter_name: str, signals: list[str]) -> pl.LazyFrame:
    frames = []
    for documents, rows in _reached(run, filter_name):
        present = [c for c in ["lang", *signals] if c in documents.schema]
        lazy = documents.lazy()
        frames.append((lazy if rows is None else lazy.filter(rows)).select(present))
    return pl.concat(frames, how="diagonal_relaxed")


def _value(signal: str, dtype: pl.DataType) -> pl.Expr:
    """The stored signal, in its stored precision if a float (a float32 ratio of 6/20 equals the
    float32 of 0.3: compared as float64 it would exceed 0.3, which the filter did not see)."""
    return pl.col(signal) if dtype in (pl.Float32, pl.Float64) else pl.col(signal).cast(pl.Float64)


def _bound_expr(values: dict[str, Any], default: Any, dtype: pl.DataType) -> pl.Expr:
    """Per document, the threshold of its language: `values` by language, else `default`; in the
    precision of the signal (`_value`)."""
    kind = pl.Float32 if dtype == pl.Float32 else pl.Float64
    expr = pl.lit(default, dtype=pl.Float64)
    if values:
        expr = pl.col("lang").replace_strict(
            list(values), list(values.values()), default=expr, return_dtype=pl.Float64
        )
    return expr.cast(kind)


def _removes(bound: Bound, dtype: pl.DataType, threshold: pl.Expr) -> pl.Expr:
    value = _value(bound.signal, dtype)
    beyond = value < threshold if bound.kind == "min" else value > threshold
    return (value.is_finite() & beyond).fill_null(False).sum()


def _counts(
    run: RunOutputs, filter_name: str, bounds: list[Bound], thresholds: dict[str, tuple[dict[str, Any], Any]]
) -> tuple[pl.DataFrame, dict[str, pl.DataType]]:
    """Per language: `reached`, the documents that reached the filter; `n:<signal>`, those with a
    finite value of each signal; `<field>`, those that the thresholds (field -> (by language,
    else)) remove on its signal."""
    signals = list(dict.fromkeys(b.signal for b in bounds))
    frame = _frame(run, filter_name, signals)
    schema = frame.collect_schema()
    present = [s for s in signals if s in schema]
    dtypes = {s: schema[s] for s in present}
    aggs = [pl.len().alias("reached")]
    aggs += [_value(s, dtypes[s]).is_finite().fill_null(False).sum().alias(f"n:{s}") for s in present]
    for b in bounds:
        if b.signal in dtypes and b.field in thresholds:
            by_lang, default = thresholds[b.field]
            aggs.append(
                _removes(b, dtypes[b.signal], _bound_expr(by_lang, default, dtypes[b.signal])).alias(b.field)
            )
    counts = collect(frame.group_by("lang").agg(aggs)).filter(pl.col("lang").is_not_null())
    return counts, dtypes


def _finite(values: pl.Series) -> np.ndarray:
    array = values.drop_nulls().cast(pl.Float64).to_numpy()
    return array[np.isfinite(array)]


def _language_values(run: RunOutputs, filter_name: str, signal: str) -> Batches:
    """Passes over the values of `signal` of the documents that reached the filter, a column per
    language (the columns asked for are language codes)."""

    def batches(langs: list[str]) -> Iterator[dict[str, np.ndarray]]:
        wanted = set(langs)
        for documents, rows in _reached(run, filter_name):
            if signal not in documents.schema:
                continue
            for batch in documents.batches(["lang", signal], rows):
                parts = batch.filter(pl.col("lang").is_in(wanted)).partition_by("lang", as_dict=True)
                yield {lang: _finite(part[signal]) for (lang,), part in parts.items()}

    return batches


def _round(value: float, bound: Bound) -> float | int:
    """The looser side of `value`: an int threshold the int removing the same int values, a float
    one DIGITS significant digits; within the range the field allows."""
    low, high = bound.allowed()
    if bound.is_int():
        rounded: float = math.ceil(value) if bound.kind == "min" else math.floor(value)
    elif value == 0:
        rounded = 0.0
    else:
        exponent = math.floor(math.log10(abs(value))) - (DIGITS - 1)
        step = math.floor if bound.kind == "min" else math.ceil
        rounded = round(step(value / 10**exponent) * 10**exponent, max(0, -exponent))
    if low is not None:
        rounded = max(rounded, low)
    if high is not None:
        rounded = min(rounded, high)
    return int(rounded) if bound.is_int() else float(rounded)


def _looser(bound: Bound, proposed: float, default: float) -> bool:
    return proposed < default if bound.kind == "min" else proposed > default


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def _number(value: float) -> str:
    return f"{value:g}"


def calibrate(run: RunOutputs, reference: str | None = None, min_docs: int = MIN_DOCS) -> Calibration:
    """Proposals (see the module docstring) for every language of the run but the reference:
    `reference` (default: en, else the language with most documents that reached the filters)."""
    filters = run.config.get("filters", {})
    order = (
        [name for name in filters.get("order", []) if name in CALIBRATED] if filters.get("enabled") else []
    )
    if not order:
        raise UsageError(f"{run.out_dir}: the run applied none of the filters {', '.join(CALIBRATED)}")
    reached = collect(_frame(run, order[0], []).group_by("lang").agg(pl.len().alias("docs")))
    per_lang = {lang: docs for lang, docs in reached.drop_nulls("lang").iter_rows()}
    if reference is None:
        reference, why = reference_language(per_lang)
    elif per_lang.get(reference, 0) == 0:
        known = ", ".join(sorted(per_lang)) or "none"
        raise UsageError(
            f"--reference {reference}: no document of it reached the filters (languages: {known})"
        )
    else:
        why = f"{reference}, as asked"
    calibration = Calibration(reference, why, min_docs, per_lang)
    if per_lang.get(reference, 0) < min_docs:
        calibration.notes.append(
            f"{reference}: {per_lang.get(reference, 0):,} document(s) reached the filters, fewer than "
            f"--min-docs {min_docs}: nothing to calibrate against"
        )
        return calibration
    for lang, docs in sorted(per_lang.items()):
        if lang != reference and docs < min_docs:
            calibration.notes.append(
                f"{lang}: {docs:,} document(s) reached the filters, fewer than --min-docs {min_docs}: "
                "not calibrated"
            )
    for filter_name in order:
        _calibrate_filter(run, filter_name, calibration, sorted(per_lang))
    return calibration


def _calibrate_filter(run: RunOutputs, filter_name: str, calibration: Calibration, langs: list[str]) -> None:
    """The rows of one filter's thresholds (their percentiles not yet found), and its notes."""
    reference, min_docs = calibration.reference, calibration.min_docs
    bounds = bounds_of(filter_name)
    applied = Applied.of(run.config, filter_name)
    current = {b.field: (applied.by_language(b.field, langs), applied.value(b.field)) for b in bounds}
    counts, dtypes = _counts(run, filter_name, bounds, current)
    rows = {row["lang"]: row for row in counts.iter_rows(named=True)}
    for lang, row in sorted(rows.items()):
        if lang != reference and row["reached"] < min_docs <= calibration.reached.get(lang, 0):
            calibration.notes.append(
                f"{lang}: {row['reached']:,} document(s) reached {filter_name}, fewer than --min-docs "
                f"{min_docs}: {filter_name} not calibrated"
            )
    wanted: dict[str, list[tuple[str, Bound, float]]] = {}  # signal -> (lang, bound, share)
    for b in bounds:
        if b.signal not in dtypes or reference not in rows:
            continue
        n_ref = rows[reference][f"n:{b.signal}"]
        if applied.value(b.field, reference) is None or n_ref < min_docs:
            continue
        share = rows[reference][b.field] / n_ref
        for lang, row in sorted(rows.items()):
            default = applied.value(b.field, lang)
            n = row[f"n:{b.signal}"]
            if lang == reference or n < min_docs or default is None:
                continue
            before = row[b.field] / n
            if share == 0:
                if before > 0:
                    calibration.notes.append(
                        f"{lang} {b.key}: the threshold {_number(default)} removes {_percent(before)} of "
                        f"{lang} and none of {reference}: no share to match, left as is"
                    )
                continue
            wanted.setdefault(b.signal, []).append((lang, b, share))
            calibration.rows.append(Row(lang, n, b, default, math.nan, share, before))
    _propose(run, filter_name, wanted, calibration)
    _after(run, filter_name, dtypes, calibration)


def _propose(
    run: RunOutputs,
    filter_name: str,
    wanted: dict[str, list[tuple[str, Bound, float]]],
    calibration: Calibration,
) -> None:
    """Each wanted row's percentile, a bounded number of languages a pass; the rows whose result is
    not looser than their default become notes."""
    pending = {(r.lang, r.bound): r for r in calibration.rows if math.isnan(r.proposed)}
    for signal, asked in wanted.items():
        percentiles = sorted({_percentile(b, share) for _, b, share in asked})
        langs = sorted({lang for lang, _, _ in asked})
        found = {}
        for start in range(0, len(langs), LANGUAGES_PER_PASS):
            chunk = langs[start : start + LANGUAGES_PER_PASS]
            found.update(spreads(_language_values(run, filter_name, signal), chunk, percentiles))
        for lang, b, share in asked:
            row = pending.pop((lang, b))
            value = found[lang].percentiles[percentiles.index(_percentile(b, share))]
            row.proposed = _round(value, b)
            if not _looser(b, row.proposed, row.default):
                calibration.rows.remove(row)
                if row.proposed != row.default:
                    calibration.notes.append(
                        f"{lang} {b.key}: {calibration.reference}'s share ({_percent(share)}) would take "
                        f"{_number(row.proposed)}, tighter than {_number(row.default)} (which removes "
                        f"{_percent(row.before)} of {lang}): not tightened"
                    )


def _percentile(bound: Bound, share: float) -> float:
    return 100 * share if bound.kind == "min" else 100 * (1 - share)


def _after(
    run: RunOutputs, filter_name: str, dtypes: dict[str, pl.DataType], calibration: Calibration
) -> None:
    """The share of each proposal's language that its proposed threshold removes: one more pass."""
    rows = [r for r in calibration.rows if r.bound.filter == filter_name]
    if not rows:
        return
    by_field: dict[Bound, dict[str, Any]] = {}
    for row in rows:
        by_field.setdefault(row.bound, {})[row.lang] = row.proposed
    frame = _frame(run, filter_name, list(dtypes))
    aggs = [
        _removes(b, dtypes[b.signal], _bound_expr(values, None, dtypes[b.signal])).alias(b.field)
        for b, values in by_field.items()
    ]
    counts = {r["lang"]: r for r in collect(frame.group_by("lang").agg(aggs)).iter_rows(named=True)}
    for row in rows:
        row.after = counts[row.lang][row.bound.field] / row.docs


def _toml_value(value: Any) -> str:
    if value is None or value is False:
        return "false"  # a bound switched off
    if value is True:
        return "true"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def overrides_toml(calibration: Calibration, run: RunOutputs, source: str) -> str:
    """The run's own per-language overrides with the proposals applied, as the
    [filters.per_language.<lang>.<filter>] tables that `curate run --config` reads; checked by
    loading it back."""
    merged: dict[str, dict[str, dict[str, Any]]] = {}
    for lang, by_filter in run.config.get("filters", {}).get("per_language", {}).items():
        for name, values in by_filter.items():
            merged.setdefault(lang, {}).setdefault(name, {}).update(values)
    for lang, by_filter in calibration.overrides().items():
        for name, values in by_filter.items():
            merged.setdefault(lang, {}).setdefault(name, {}).update(values)
    source = "".join(char if char.isprintable() else "?" for char in source)  # a comment holds no controls
    lines = [
        f"# curate calibrate {source}: per-language thresholds that remove the share of each",
        "# language's documents that the reference's thresholds remove of the reference's",
        f"# (reference: {calibration.reference_note}).",
        "# With the run's own per-language overrides. Use it as `curate run --config FILE`, or add",
        "# these tables to the config the run used (its other settings are not repeated here).",
    ]
    for lang in sorted(merged):
        for name in sorted(
            merged[lang], key=lambda n: list(FILTERS).index(n) if n in FILTERS else len(FILTERS)
        ):
            lines += ["", f"[filters.per_language.{lang}.{name}]"]
            lines += [f"{key} = {_toml_value(value)}" for key, value in merged[lang][name].items()]
    text = "\n".join(lines) + "\n"
    config_from_dict(tomllib.loads(text))  # the file loads and validates as `curate run` reads it
    return text


def format_table(calibration: Calibration) -> str:
    """The proposals as a plain-text table, then the notes."""
    ref = calibration.reference
    header = (
        "lang",
        "docs",
        "filter.field",
        "default",
        "proposed",
        f"{ref} removes",
        "removed before -> after",
    )
    body = [
        (
            r.lang,
            f"{r.docs:,}",
            r.bound.key,
            _number(r.default),
            _number(r.proposed),
            _percent(r.reference_share),
            f"{_percent(r.before)} -> {_percent(r.after or 0.0)}",
        )
        for r in calibration.rows
    ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    out = [f"reference: {calibration.reference_note}"]
    if body:
        out += [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
            for row in [header, *body]
        ]
    else:
        out.append("no threshold to loosen")
    if calibration.notes:
        out += ["", "notes:", *(f"  {note}" for note in calibration.notes)]
    return "\n".join(out)
