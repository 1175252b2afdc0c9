"""Gopher repetition rules (Rae et al. 2021, table A1), defaults as datatrove's GopherRepetitionFilter.

Word n-grams are hashed with NumPy (a 64-bit polynomial over word ids) instead of joined into
strings: the same counts, a fraction of the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from filters.base import BatchFilter, over, ratio
from filters.text import TextFeatures, ngram_hashes

TOP_NGRAMS = (2, 3, 4)
DUPLICATE_NGRAMS = (5, 6, 7, 8, 9, 10)
_HASH_BASE = np.uint64(1_000_003)


@dataclass(frozen=True)
class GopherRepetitionThresholds:
    max_dup_para_ratio: float | None = 0.30
    max_dup_para_char_ratio: float | None = 0.20
    max_dup_line_ratio: float | None = 0.30
    max_dup_line_char_ratio: float | None = 0.20
    max_top_2gram_char_ratio: float | None = 0.20
    max_top_3gram_char_ratio: float | None = 0.18
    max_top_4gram_char_ratio: float | None = 0.16
    max_dup_5gram_char_ratio: float | None = 0.15
    max_dup_6gram_char_ratio: float | None = 0.14
    max_dup_7gram_char_ratio: float | None = 0.13
    max_dup_8gram_char_ratio: float | None = 0.12
    max_dup_9gram_char_ratio: float | None = 0.11
    max_dup_10gram_char_ratio: float | None = 0.10


def duplicates(items: list[str]) -> tuple[int, int]:
    """(number of repeated items, characters in them), counting every occurrence after the first."""
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count += 1
            chars += len(item)
        else:
            seen.add(item)
    return count, chars


def top_ngram_chars(hashes: np.ndarray, span_chars: np.ndarray) -> int:
    """Characters covered by all occurrences of the most frequent n-gram (first seen wins ties)."""
    values, first, counts = np.unique(hashes, return_index=True, return_counts=True)
    best = counts.max()
    index = first[counts == best].min()
    return int(best * span_chars[index])


def repeated_ngram_chars(hashes: np.ndarray, gram_chars: np.ndarray, n: int) -> int:
    """Characters in n-grams seen before, skipping past each repeat so overlaps count once.

    Only n-grams that occur more than once can ever match, so the sequential walk visits those alone.
    """
    _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    candidates = np.flatnonzero(counts[inverse] > 1)
    if not len(candidates):
        return 0
    seen: set[int] = set()
    chars = next_allowed = 0
    candidate_hashes = hashes[candidates].tolist()
    candidate_chars = gram_chars[candidates].tolist()
    for i, h, c in zip(candidates.tolist(), candidate_hashes, candidate_chars):
        if i < next_allowed:
            continue
        if h in seen:
            chars += c
            next_allowed = i + n
        else:
            seen.add(h)
    return chars


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
        words = doc.words
        # Word ids in order of first appearance (a hash table in Arrow, not a Python dict per word).
        ids = pa.array(words, pa.string()).dictionary_encode().indices.to_numpy().astype(np.uint64)
        lengths = np.fromiter(map(len, words), np.int64, len(words))
        cumulative = np.concatenate(([0], np.cumsum(lengths)))
        for n in (*TOP_NGRAMS, *DUPLICATE_NGRAMS):
            key = f"rep_top_{n}gram_char_ratio" if n in TOP_NGRAMS else f"rep_dup_{n}gram_char_ratio"
            if len(words) < n:
                signals[key] = 0.0
                continue
            hashes = ngram_hashes(ids, n, _HASH_BASE)
            gram_chars = cumulative[n:] - cumulative[:-n]  # letters of the words, without spaces
            if n in TOP_NGRAMS:
                chars = top_ngram_chars(hashes, gram_chars + (n - 1))  # joined with spaces
            else:
                chars = repeated_ngram_chars(hashes, gram_chars, n)
            signals[key] = ratio(chars, text_len)
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
