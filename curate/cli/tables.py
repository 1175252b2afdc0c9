"""Plain text tables for a terminal: a title, a header, a rule and one line per row, every line at
most `width` columns. Numbers right-aligned with thousands separators, rates as percentages, text
cut with "…" where the columns would not fit, and too many columns split into groups that repeat
the first. Cells are made safe to print: control, format and separator characters (newlines, tabs,
escape sequences, bidi overrides) become "�", so that a hostile URL cannot break a line or colour
the terminal."""

from __future__ import annotations

import math
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

WIDTH = 100
GAP = "  "
ELLIPSIS = "…"
MISSING = "-"
REPLACEMENT = "�"
MIN_TEXT = 6  # a text column is cut down to this before the columns are split into groups
UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


class Kind(Enum):
    TEXT = "text"
    NUMBER = "number"
    PERCENT = "percent"  # a rate in [0, 1]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT


def char_width(char: str) -> int:
    """Terminal columns of a character: 2 for East Asian wide ones, else 1. Never 0 (combining
    marks): a cell's width is then never below its len() either."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def safe_text(text: str) -> str:
    """`text` with every character that could move the cursor or change the terminal replaced."""
    return "".join(REPLACEMENT if unicodedata.category(c) in UNSAFE_CATEGORIES else c for c in text)


def clip(text: str, width: int) -> str:
    """`text` cut to `width` columns, the cut marked with "…"."""
    if text_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        if used + char_width(char) > width - 1:
            break
        kept.append(char)
        used += char_width(char)
    return "".join(kept) + ELLIPSIS if width > 0 else ""


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """`text` made safe and wrapped to `width` columns at spaces (not hyphens: paths stay whole), a
    word longer than a line broken; a line that wide characters make wider than its len() cut."""
    lines = textwrap.wrap(safe_text(text), width, break_on_hyphens=False)
    return [clip(line, width) for line in lines] or [""]


def format_cell(value: object, kind: Kind) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else "-inf"
    if kind is Kind.PERCENT and isinstance(value, int | float):
        return "<0.1%" if 0 < value < 0.0005 else f"{value:.1%}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        # Fixed point for the usual magnitudes; very large or small ones would run to hundreds of digits.
        return f"{value:,.2f}" if 0.01 <= abs(value) < 1e15 or value == 0 else f"{value:.3g}"
    return safe_text(str(value))


def _fit(natural: list[int], shrinkable: list[bool], budget: int, floor: int) -> list[int] | None:
    """Column widths that fit `budget` (gaps included), the widest shrinkable columns cut first
    and none below `floor`; None if they do not fit."""
    gaps = len(GAP) * (len(natural) - 1)
    for cap in range(max(natural), floor - 1, -1):
        widths = [min(w, cap) if cut else w for w, cut in zip(natural, shrinkable)]
        if sum(widths) + gaps <= budget:
            return widths
    return None


def _groups(floor: list[int], budget: int) -> list[list[int]]:
    """Indexes of the columns of each group: the first column, then as many others as fit at their
    narrowest (`floor`)."""
    groups: list[list[int]] = []
    for index in range(1, len(floor)):
        if groups and sum(floor[i] + len(GAP) for i in groups[-1]) + floor[index] <= budget:
            groups[-1].append(index)
        else:
            groups.append([0, index])
    return groups


def _render(rows: list[list[str]], widths: list[int], right: list[bool]) -> list[str]:
    """The header, a rule, then the rows: each cell cut or padded to its column's width."""
    lines = []
    for row in [rows[0], ["-" * w for w in widths], *rows[1:]]:
        parts = []
        for text, size, align_right in zip(row, widths, right):
            text = clip(text, size)
            pad = " " * (size - text_width(text))
            parts.append(pad + text if align_right else text + pad)
        lines.append(GAP.join(parts).rstrip())
    return lines


def _widths(natural: list[int], right: list[bool], width: int) -> list[int]:
    """Text cut down to MIN_TEXT; failing that (numbers too wide) every column down to one (and
    the natural widths only where `width` is below a column per gap)."""
    text_cut = _fit(natural, [not r for r in right], width, MIN_TEXT)
    return text_cut or _fit(natural, [True] * len(right), width, 1) or natural


def _layout(rows: list[list[str]], right: list[bool], width: int) -> list[str]:
    """`rows` (the header first) in `width` columns, split into groups of columns where they do not
    fit with text cut down to MIN_TEXT."""
    natural = [max(text_width(row[i]) for row in rows) for i in range(len(right))]
    if len(right) <= 2 or _fit(natural, [not r for r in right], width, MIN_TEXT):
        groups = [list(range(len(right)))]
    else:
        # The first column, repeated in every group, whole where it takes at most a third of the width.
        floor = [min(natural[0], max(width // 3, MIN_TEXT))]
        floor += [w if r else min(w, MIN_TEXT) for w, r in zip(natural[1:], right[1:])]
        groups = _groups(floor, width)
    lines: list[str] = []
    for group in groups:
        aligns = [right[i] for i in group]
        widths = _widths([natural[i] for i in group], aligns, width)
        lines += [""] * bool(lines)  # a blank line between groups
        lines += _render([[row[i] for i in group] for row in rows], widths, aligns)
    return lines


def format_table(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    notes: Sequence[str] = (),
    empty: str = "none",
    width: int = WIDTH,
) -> list[str]:
    """The lines of a table: the title, then the header, a rule and one line per row (or `empty`
    where there are no rows) for each group of columns, then the notes. Title and notes wrapped."""
    lines = wrap(title, width)
    if rows:
        header = [safe_text(c.header) for c in columns]
        cells = [[format_cell(v, c.kind) for v, c in zip(row, columns)] for row in rows]
        lines += _layout([header, *cells], [c.kind is not Kind.TEXT for c in columns], width)
    else:
        lines.append(clip(safe_text(empty), width))
    for note in notes:
        lines += wrap(note, width)
    return lines
