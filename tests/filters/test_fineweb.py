"""FineWeb rules at their thresholds: a generated document just inside (kept) and one just outside.

Texts are built so each signal lands exactly on, or one step past, its bound. The rules compare
strictly (`over`: value > max, `under`: value < min), so a signal equal to its bound is kept.
"""

from __future__ import annotations

import pytest

from filters import FineWebQuality, FineWebThresholds, split_words
from tests.filters.helpers import POOL, filler, run


def fineweb(doc: str) -> tuple[dict, str | None]:
    return run(FineWebQuality(), doc)


def long_line(i: int, end: str = ".") -> str:
    """A distinct line of well over 30 characters."""
    return f"Line {i} is long enough not to count as a short one{end}"


@pytest.mark.parametrize("n_lines, expected", [(25, None), (26, "line_punct_ratio")])
def test_fineweb_line_punct_ratio(n_lines, expected):
    # 3 of 25 lines end in a sentence terminal: 0.12 exactly; one more line without one: 3 / 26
    lines = [long_line(i, "." if i < 3 else "") for i in range(n_lines)]
    signals, reason = fineweb("\n".join(lines))
    assert signals["fw_punct_lines_ratio"] == 3 / n_lines
    assert reason == expected


@pytest.mark.parametrize("terminal", ["!", "?", "。", "।", "؟"])
def test_fineweb_sentence_terminals_of_any_script(terminal):
    lines = [long_line(i, terminal if i < 3 else "") for i in range(25)]
    assert fineweb("\n".join(lines))[0]["fw_punct_lines_ratio"] == 0.12


def test_fineweb_empty_lines_do_not_count():
    # blank and whitespace-only lines are not lines: 3 of 25 non-empty lines still make 0.12
    lines = [long_line(i, "." if i < 3 else "") for i in range(25)]
    doc = "\n\n  \n".join(lines)
    signals, reason = fineweb(doc)
    assert (signals["fw_punct_lines_ratio"], reason) == (0.12, None)


@pytest.mark.parametrize("n_short, n_long, expected", [(67, 33, None), (68, 33, "short_line_ratio")])
def test_fineweb_short_line_ratio(n_short, n_long, expected):
    # 67 short lines of 100: 0.67 exactly; one more short line: 68 / 101
    lines = [f"Short line {i}." for i in range(n_short)] + [long_line(i) for i in range(n_long)]
    signals, reason = fineweb("\n".join(lines))
    assert signals["fw_short_lines_ratio"] == n_short / (n_short + n_long)
    assert reason == expected


@pytest.mark.parametrize("length, short", [(30, 1.0), (31, 0.0)])
def test_fineweb_short_line_is_at_most_30_chars(length, short):
    line = filler(length - 1) + "."
    assert run(FineWebQuality(), line)[0]["fw_short_lines_ratio"] == short
    # short_line_chars moves the bound
    custom = FineWebQuality(FineWebThresholds(short_line_chars=length))
    assert run(custom, line)[0]["fw_short_lines_ratio"] == 1.0


@pytest.mark.parametrize("shorten, expected", [(0, None), (1, "char_dup_ratio")])
def test_fineweb_dup_line_char_ratio(shorten, expected):
    # 20 distinct 98-char lines and a 20-char line twice: the copy's 20 of 2000 chars (newlines
    # not counted) is 0.01 exactly; one char less elsewhere makes it 20 / 1999
    repeated = "The line is doubled."
    assert len(repeated) == 20
    unique = [filler(97, offset=30 * i) + "." for i in range(20)]
    unique[0] = unique[0][shorten:]
    doc = "\n".join([repeated, *unique, repeated])
    assert len(doc) - doc.count("\n") == 2000 - shorten
    signals, reason = fineweb(doc)
    assert signals["fw_dup_line_char_ratio"] == 20 / (2000 - shorten)
    assert reason == expected


def lines_with_tokens(n_lines: int, n_tokens: int) -> str:
    """n_lines lines, each ending in '.', of long distinct words: n_tokens tokens in all."""
    n_words = n_tokens - n_lines  # each period is a token
    sizes = [n_words // n_lines + (i < n_words % n_lines) for i in range(n_lines)]
    lines, k = [], 0
    for size in sizes:
        lines.append(
            " ".join(POOL[3 * j] + POOL[3 * j + 1] + POOL[3 * j + 2] for j in range(k, k + size)) + "."
        )
        k += size
    return "\n".join(lines)


@pytest.mark.parametrize("n_tokens, expected", [(100, None), (99, "list_ratio")])
def test_fineweb_newline_word_ratio(n_tokens, expected):
    # 31 lines (30 newlines) over 100 tokens: 0.3 exactly; one word fewer: 30 / 99
    doc = lines_with_tokens(31, n_tokens)
    assert len(split_words(doc)) == n_tokens
    signals, reason = fineweb(doc)
    assert signals["fw_newline_word_ratio"] == 30 / n_tokens
    assert signals["fw_short_lines_ratio"] == 0
    assert reason == expected


@pytest.mark.parametrize(
    "field",
    ["min_punct_lines_ratio", "max_short_lines_ratio", "max_dup_line_char_ratio", "max_newline_word_ratio"],
)
def test_fineweb_rules_can_be_switched_off(field):
    bad = {
        "min_punct_lines_ratio": "\n".join(long_line(i, "") for i in range(30)),
        "max_short_lines_ratio": "\n".join(f"Short line {i}." for i in range(30)),
        "max_dup_line_char_ratio": "\n".join([long_line(1)] * 2 + [long_line(i) for i in range(2, 30)]),
        "max_newline_word_ratio": lines_with_tokens(31, 90),
    }[field]
    assert run(FineWebQuality(), bad)[1] is not None
    assert run(FineWebQuality(FineWebThresholds(**{field: None})), bad)[1] is None
