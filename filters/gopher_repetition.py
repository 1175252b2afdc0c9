"""Gopher repetition rules (Rae et al. 2021, table A1), defaults as datatrove's GopherRepetitionFilter.

Word n-grams are hashed with NumPy (a 64-bit polynomial over word ids) instead of joined into
strings: the same counts, a fraction of the work. And an n-gram can occur twice only where both of
its (n-1)-grams do, so from bigrams on only those positions are counted: on real text the candidates
shrink fast as n grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from filters.base import BatchFilter, over, ratio
from filters.ranges import RATIO
from filters.text import TextFeatures

TOP_NGRAMS = (2, 3, 4)
DUPLICATE_NGRAMS = (5, 6, 7, 8, 9, 10)
_HASH_BASE = np.uint64(1_000_003)


@dataclass(frozen=True)
class GopherRepetitionThresholds:
    max_dup_para_ratio: float | None = field(default=0.30, metadata=RATIO)
    max_dup_para_char_ratio: float | None = field(default=0.20, metadata=RATIO)
    max_dup_line_ratio: float | None = field(default=0.30, metadata=RATIO)
    max_dup_line_char_ratio: float | None = field(default=0.20, metadata=RATIO)
    max_top_2gram_char_ratio: float | None = field(default=0.20, metadata=RATIO)
    max_top_3gram_char_ratio: float | None = field(default=0.18, metadata=RATIO)
    max_top_4gram_char_ratio: float | None = field(default=0.16, metadata=RATIO)
    max_dup_5gram_char_ratio: float | None = field(default=0.15, metadata=RATIO)
    max_dup_6gram_char_ratio: float | None = field(default=0.14, metadata=RATIO)
    max_dup_7gram_char_ratio: float | None = field(default=0.13, metadata=RATIO)
    max_dup_8gram_char_ratio: float | None = field(default=0.12, metadata=RATIO)
    max_dup_9gram_char_ratio: float | None = field(default=0.11, metadata=RATIO)
    max_dup_10gram_char_ratio: float | None = field(default=0.10, metadata=RATIO)


def duplicates(items: list[str]) -> tuple[int, int]:
    """(number of repeated items, characters in them), counting every occurrence after the first:
    all items minus the distinct ones, so that the loop runs in C."""
    distinct = set(items)
    return len(items) - len(distinct), sum(map(len, items)) - sum(map(len, distinct))


def top_ngram_chars(best: int, index: int, span_chars: np.ndarray) -> int:
    """Characters covered by all occurrences of the most frequent n-gram (first seen wins ties)."""
    return int(best * span_chars[index])


def repeated_ngram_chars(positions: np.ndarray, hashes: np.ndarray, gram_chars: np.ndarray, n: int) -> int:
    """Characters in n-grams seen before, skipping past each repeat so overlaps count once.

    Only the `positions` of n-grams that occur more than once can ever match, so the sequential walk
    visits those alone.
    """
    seen: set[int] = set()
    chars = next_allowed = 0
    for i, h, c in zip(positions.tolist(), hashes[positions].tolist(), gram_chars[positions].tolist()):
        if i < next_allowed:
            continue
        if h in seen:
            chars += c
            next_allowed = i + n
        else:
            seen.add(h)
    return chars


def occurrence_counts(values: np.ndarray) -> np.ndarray:
    """How often each element's value occurs in `values` (np.unique's counts, without its overhead
    on the many small arrays here)."""
    if len(values) < 2:
        return np.ones(len(values), np.intp)
    order = values.argsort()
    ordered = values[order]
    starts_group = np.empty(len(values), bool)
    starts_group[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts_group[1:])
    group = starts_group.cumsum() - 1
    occurrences = np.empty(len(values), np.intp)
    occurrences[order] = np.bincount(group)[group]
    return occurrences


def word_ids(words: list[str]) -> np.ndarray:
    """A 64-bit id per word: Python's own string hash (equal words, equal ids; two different words
    share one with odds of about 2^-64, like the n-gram hashes built from them)."""
    return np.fromiter(map(hash, words), np.int64, len(words)).view(np.uint64)


def ngram_char_counts(words: list[str]) -> dict[int, int]:
    """For each n of TOP_NGRAMS and DUPLICATE_NGRAMS the characters that Gopher's rule counts."""
    ids = word_ids(words)
    lengths = np.fromiter(map(len, words), np.int64, len(words))
    cumulative = np.concatenate(([0], np.cumsum(lengths)))
    repeats = occurrence_counts(ids) > 1  # n-grams (here words) that occur again
    hashes = ids
    counts: dict[int, int] = {}
    for n in range(2, max(DUPLICATE_NGRAMS) + 1):
        if len(words) < n:
            break
        hashes = hashes[:-1] * _HASH_BASE + ids[n - 1 :]
        repeats = repeats[:-1] & repeats[1:]  # both (n-1)-grams repeat: the n-gram may
        candidates = np.flatnonzero(repeats)
        if not len(candidates):  # no n-gram occurs twice, so no longer one does
            for m in range(n, min(len(words), max(DUPLICATE_NGRAMS)) + 1):
                # the top m-gram is the first one, once: its words joined with spaces
                counts[m] = int(cumulative[m]) + m - 1 if m in TOP_NGRAMS else 0
            break
        occurrences = occurrence_counts(hashes[candidates])
        repeats[candidates] = occurrences > 1  # now exactly the n-grams that occur again
        gram_chars = cumulative[n:] - cumulative[:-n]  # letters of the words, without spaces
        if n in TOP_NGRAMS:
            best = int(occurrences.max())
            index = int(candidates[np.argmax(occurrences)]) if best > 1 else 0
            counts[n] = top_ngram_chars(best, index, gram_chars + (n - 1))  # joined with spaces
        elif n in DUPLICATE_NGRAMS:
            counts[n] = repeated_ngram_chars(candidates[occurrences > 1], hashes, gram_chars, n)
    return counts


class GopherRepetition(BatchFilter[GopherRepetitionThresholds]):
    name = "gopher_repetition"
    Thresholds = GopherRepetitionThresholds
    SIGNALS = {
        **{
            k: "float"
            for k in (
                "rep_dup_para_ratio",
                "rep_dup_para_char_ratio",
                "rep_dup_line_ratio",
                "rep_dup_line_char_ratio",
            )
        },
        **{f"rep_top_{n}gram_char_ratio": "float" for n in TOP_NGRAMS},
        **{f"rep_dup_{n}gram_char_ratio": "float" for n in DUPLICATE_NGRAMS},
    }

    def signals(self, doc: TextFeatures) -> dict[str, Any]:
        text_len = len(doc.text)
        paragraphs = doc.paragraphs
        para_dups, para_chars = duplicates(paragraphs)
        lines = [line for line in doc.text.split("\n") if line]  # datatrove splits on \n+
        line_dups, line_chars = duplicates(lines)
        signals: dict[str, Any] = {
            "rep_dup_para_ratio": ratio(para_dups, len(paragraphs)),
            "rep_dup_para_char_ratio": ratio(para_chars, text_len),
            "rep_dup_line_ratio": ratio(line_dups, len(lines) or 1),
            "rep_dup_line_char_ratio": ratio(line_chars, text_len),
        }
        counts = ngram_char_counts(doc.words)
        for n in TOP_NGRAMS:
            signals[f"rep_top_{n}gram_char_ratio"] = ratio(counts.get(n, 0), text_len)
        for n in DUPLICATE_NGRAMS:
            signals[f"rep_dup_{n}gram_char_ratio"] = ratio(counts.get(n, 0), text_len)
        return signals

    def reason(self, s: dict[str, Any], t: GopherRepetitionThresholds, doc: TextFeatures) -> str | None:
        checks = [
            ("rep_dup_para_ratio", t.max_dup_para_ratio, "dup_para_ratio"),
            ("rep_dup_para_char_ratio", t.max_dup_para_char_ratio, "dup_para_char_ratio"),
            ("rep_dup_line_ratio", t.max_dup_line_ratio, "dup_line_ratio"),
            ("rep_dup_line_char_ratio", t.max_dup_line_char_ratio, "dup_line_char_ratio"),
        ]
        checks += [
            (f"rep_top_{n}gram_char_ratio", getattr(t, f"max_top_{n}gram_char_ratio"), f"top_{n}gram")
            for n in TOP_NGRAMS
        ]
        checks += [
            (f"rep_dup_{n}gram_char_ratio", getattr(t, f"max_dup_{n}gram_char_ratio"), f"dup_{n}gram")
            for n in DUPLICATE_NGRAMS
        ]
        return next((reason for key, bound, reason in checks if over(s[key], bound)), None)


__all__ = ["GopherRepetition", "GopherRepetitionThresholds"]
