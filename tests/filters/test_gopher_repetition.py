"""Gopher repetition rules at their thresholds: a generated document just inside (kept) and one
just outside.

Texts are built so each signal lands exactly on, or one step past, its bound. The rules compare
strictly (`over`: value > max, `under`: value < min), so a signal equal to its bound is kept.
"""

from __future__ import annotations

import dataclasses

import pytest

from filters import GopherRepetition, GopherRepetitionThresholds
from tests.filters.helpers import filler, run


def distinct(k: int, length: int = 40) -> list[str]:
    """k different strings of `length` chars each."""
    return [filler(length, offset=50 * i) for i in range(k)]


def gram(n: int, letters: int) -> str:
    """n distinct words ("aaa bbb ...") holding `letters` letters in all."""
    sizes = [letters // n + (i < letters % n) for i in range(n)]
    return " ".join("abcdefghij"[i] * size for i, size in enumerate(sizes))


def only(rule: str) -> GopherRepetition:
    """A GopherRepetition with every bound off but `rule` (left at its default)."""
    fields = {f.name: None for f in dataclasses.fields(GopherRepetitionThresholds) if f.name != rule}
    return GopherRepetition(GopherRepetitionThresholds(**fields))


def test_gopher_repetition_passes_distinct_text():
    signals, reason = run(GopherRepetition(), "\n\n".join(distinct(10, 80)))
    assert reason is None
    assert all(value == 0 for key, value in signals.items() if key.startswith("rep_dup"))


@pytest.mark.parametrize(
    "separator, rule, signal, reason",
    [
        ("\n\n", "max_dup_para_ratio", "rep_dup_para_ratio", "dup_para_ratio"),
        ("\n", "max_dup_line_ratio", "rep_dup_line_ratio", "dup_line_ratio"),
    ],
)
@pytest.mark.parametrize("n_items, n_dups, kept", [(10, 3, True), (13, 4, False)])
def test_gopher_dup_item_ratio(separator, rule, signal, reason, n_items, n_dups, kept):
    # n_dups extra copies of one paragraph (line) among n_items: 3 / 10 = 0.3 exactly; 4 / 13 above
    items = [*distinct(n_items - n_dups - 1), *["again"] * (n_dups + 1)]
    signals, got = run(only(rule), separator.join(items))
    assert signals[signal] == n_dups / n_items
    assert got == (None if kept else reason)
    assert run(GopherRepetition(), separator.join(items))[1] == (None if kept else reason)


@pytest.mark.parametrize(
    "separator, rule, signal, reason",
    [
        ("\n\n", "max_dup_para_char_ratio", "rep_dup_para_char_ratio", "dup_para_char_ratio"),
        ("\n", "max_dup_line_char_ratio", "rep_dup_line_char_ratio", "dup_line_char_ratio"),
    ],
)
@pytest.mark.parametrize("unique_len, kept", [(0, True), (-1, False)])
def test_gopher_dup_item_char_ratio(separator, rule, signal, reason, unique_len, kept):
    # a distinct block, then one 20-char block twice: 20 / 100 chars = 0.2 exactly; then 20 / 99
    unique = filler(100 - 2 * 20 - 2 * len(separator) + unique_len)
    block = "twenty chars repeat."
    doc = separator.join([unique, block, block])
    assert len(block) == 20 and len(doc) == 100 + unique_len
    signals, got = run(only(rule), doc)
    assert signals[signal] == 20 / len(doc)
    assert got == (None if kept else reason)


@pytest.mark.parametrize("n, bound", [(2, 0.20), (3, 0.18), (4, 0.16)])
@pytest.mark.parametrize("length, kept", [(100, True), (99, False)])
def test_gopher_top_ngram_char_ratio(n, bound, length, kept):
    # an n-gram of bound * 50 chars (spaces included) twice in distinct words: 2 * 10 / 100 = 0.2
    repeated = gram(n, round(bound * 50) - (n - 1))
    assert len(repeated) == round(bound * 50)
    doc = " ".join([repeated, filler(length - 2 * len(repeated) - 2), repeated])
    assert len(doc) == length
    rule = f"max_top_{n}gram_char_ratio"
    assert getattr(GopherRepetitionThresholds(), rule) == bound
    signals, reason = run(only(rule), doc)
    assert signals[f"rep_top_{n}gram_char_ratio"] == 2 * len(repeated) / length
    assert reason == (None if kept else f"top_{n}gram")


@pytest.mark.parametrize("n, bound", [(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)])
@pytest.mark.parametrize("length, kept", [(100, True), (99, False)])
def test_gopher_duplicate_ngram_char_ratio(n, bound, length, kept):
    # an n-gram of bound * 100 letters twice; only the second copy counts, without its spaces
    letters = round(bound * 100)
    repeated = gram(n, letters)
    doc = " ".join([repeated, filler(length - 2 * len(repeated) - 2), repeated])
    assert len(doc) == length
    rule = f"max_dup_{n}gram_char_ratio"
    assert getattr(GopherRepetitionThresholds(), rule) == bound
    signals, reason = run(only(rule), doc)
    assert signals[f"rep_dup_{n}gram_char_ratio"] == letters / length
    assert reason == (None if kept else f"dup_{n}gram")


def test_gopher_duplicate_ngrams_overlapping_repeats_count_once():
    # "aa" twenty times: 5-grams repeat from position 1 on; each counted repeat skips 5 positions,
    # so positions 1, 6, 11 count (position 16 has no whole 5-gram): 3 * 10 letters of 59 chars
    doc = " ".join(["aa"] * 20)
    signals, _ = run(GopherRepetition(), doc)
    assert signals["rep_dup_5gram_char_ratio"] == 30 / 59
