"""Gopher repetition rules (Rae et al. 2021, table A1), defaults as datatrove's GopherRepetitionFilter.

Word n-grams are hashed with NumPy (a 64-bit polynomial over word ids) instead of joined into
strings: the same counts, a fraction of the work. And an n-gram can occur twice only where both of
its (n-1)-grams do, so from bigrams on only those positions are counted: on real text the candidates
shrink fast as n grows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, TypeVar

import numpy as np

from filters.base import BatchFilter, over, ratio
from filters.ranges import RATIO
from filters.text import TextFeatures
from filters.time_bound import NO_BOUND, TimeBound

TOP_NGRAMS = (2, 3, 4)
DUPLICATE_NGRAMS = (5, 6, 7, 8, 9, 10)
_HASH_BASE = np.uint64(1_000_003)
T = TypeVar("T")


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


class _Batch:
    """The words of many documents end to end, so that each n-gram level is a few NumPy calls for
    the whole batch instead of a few per document (the calls, not the words, were the cost). An
    n-gram's key is its hash XOR a number per document, so equal n-grams of two documents differ."""

    def __init__(self, word_lists: list[list[str]]):
        self.sizes = np.fromiter(map(len, word_lists), np.int64, len(word_lists))
        self.starts = np.concatenate(([0], np.cumsum(self.sizes)[:-1])).astype(np.int64)
        self.ends = self.starts + self.sizes
        self.doc_of = np.repeat(np.arange(len(word_lists)), self.sizes)
        self.salt = (self.doc_of.astype(np.uint64) + np.uint64(1)) * _DOC_SALT
        words = list(chain.from_iterable(word_lists))
        self.ids = word_ids(words)
        lengths = np.fromiter(map(len, words), np.int64, len(words))
        self.cumulative = np.concatenate(([0], np.cumsum(lengths)))

    def top_chars(self, n: int, candidates: np.ndarray, occurrences: np.ndarray) -> np.ndarray:
        """Per document: characters of all occurrences of its most frequent n-gram, the first seen
        among ties, joined with spaces (with no n-gram repeated: the first one, once)."""
        best = np.ones(len(self.sizes), np.int64)
        index = self.starts.copy()
        if len(candidates):
            docs = self.doc_of[candidates]
            np.maximum.at(best, docs, occurrences)
            is_best = (occurrences > 1) & (occurrences == best[docs])
            first_docs, first = np.unique(docs[is_best], return_index=True)
            index[first_docs] = candidates[is_best][first]
        index = np.minimum(index, len(self.ids) - n)  # a document too short has no n-gram (not read)
        return best * (self.cumulative[index + n] - self.cumulative[index] + n - 1)

    def repeated_chars(self, n: int, positions: np.ndarray, keys: np.ndarray) -> dict[int, int]:
        """Per document: characters in n-grams seen before, skipping past each repeat so overlaps
        count once. Only the `positions` of n-grams that occur more than once can match, so the
        walk, in order, visits those alone."""
        chars: dict[int, int] = {}
        gram_chars = (self.cumulative[positions + n] - self.cumulative[positions]).tolist()
        seen: set[int] = set()  # keys: equal n-grams of two documents differ
        next_allowed = 0  # a repeat ends inside its document, so never past the next one's start
        docs = self.doc_of[positions].tolist()
        for i, key, c, doc in zip(positions.tolist(), keys.tolist(), gram_chars, docs):
            if i < next_allowed:
                continue
            if key in seen:
                chars[doc] = chars.get(doc, 0) + c
                next_allowed = i + n
            else:
                seen.add(key)
        return chars


_DOC_SALT = np.uint64(0x9E3779B97F4A7C15)  # odd: distinct documents, distinct salts
CHUNK_WORDS = 200_000  # words of the documents counted at once: bounds the arrays (~10 x 8 bytes a word)


def _chunks(items: list[T], sizes: list[int]) -> Iterator[list[T]]:
    """`items` in order, in runs of at most CHUNK_WORDS words (a larger document alone)."""
    chunk: list[T] = []
    words = 0
    for item, size in zip(items, sizes):
        if chunk and words + size > CHUNK_WORDS:
            yield chunk
            chunk, words = [], 0
        chunk.append(item)
        words += size
    if chunk:
        yield chunk


def ngram_char_counts(word_lists: list[list[str]]) -> list[dict[int, int]]:
    """For each document (its words) and each n of TOP_NGRAMS and DUPLICATE_NGRAMS that it has
    n-grams of, the characters that Gopher's rule counts."""
    counts: list[dict[int, int]] = [{} for _ in word_lists]
    batch = _Batch(word_lists)
    total = len(batch.ids)
    if not total:
        return counts
    hashes = batch.ids
    repeats = occurrence_counts(batch.ids ^ batch.salt) > 1  # n-grams (here words) that occur again
    for n in range(2, max(DUPLICATE_NGRAMS) + 1):
        if total < n:
            break
        hashes = hashes[:-1] * _HASH_BASE + batch.ids[n - 1 :]
        inside = np.arange(n, total + 1) <= batch.ends[batch.doc_of[: total - n + 1]]  # in one document
        repeats = repeats[:-1] & repeats[1:] & inside  # both (n-1)-grams repeat: the n-gram may
        candidates = np.flatnonzero(repeats)
        keys = hashes[candidates] ^ batch.salt[candidates]
        occurrences = occurrence_counts(keys)
        repeats[candidates] = occurrences > 1  # now exactly the n-grams that occur again
        long_enough = np.flatnonzero(batch.sizes >= n).tolist()
        if n in TOP_NGRAMS:
            top = batch.top_chars(n, candidates, occurrences).tolist()
            for doc in long_enough:
                counts[doc][n] = top[doc]
        elif n in DUPLICATE_NGRAMS:
            again = occurrences > 1
            repeated = batch.repeated_chars(n, candidates[again], keys[again])
            for doc in long_enough:
                counts[doc][n] = repeated.get(doc, 0)
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
        return self.compute([doc])[0]  # type: ignore[return-value]  # unbounded: never None

    def compute(
        self, docs: Sequence[TextFeatures], bound: TimeBound = NO_BOUND
    ) -> list[dict[str, Any] | None]:
        """The line and paragraph signals (and the words) per document under `bound`; then the
        n-gram signals of the documents in time, a chunk of documents at a time (linear in their
        words and vectorized, so outside the bound; the size cap keeps each document's short)."""
        computed = [bound.run(self._line_signals, doc) for doc in docs]
        in_time = [(doc, signals) for doc, signals in zip(docs, computed) if signals is not None]
        for chunk in _chunks(in_time, [len(doc.words) for doc, _ in in_time]):
            for (doc, signals), counts in zip(chunk, ngram_char_counts([doc.words for doc, _ in chunk])):
                for n in TOP_NGRAMS:
                    signals[f"rep_top_{n}gram_char_ratio"] = ratio(counts.get(n, 0), len(doc.text))
                for n in DUPLICATE_NGRAMS:
                    signals[f"rep_dup_{n}gram_char_ratio"] = ratio(counts.get(n, 0), len(doc.text))
        return computed

    @staticmethod
    def _line_signals(doc: TextFeatures) -> dict[str, Any]:
        text_len = len(doc.text)
        paragraphs = doc.paragraphs
        para_dups, para_chars = duplicates(paragraphs)
        lines = [line for line in doc.text.split("\n") if line]  # datatrove splits on \n+
        line_dups, line_chars = duplicates(lines)
        doc.words  # noqa: B018 - the words too, under the bound: they are the costly part
        return {
            "rep_dup_para_ratio": ratio(para_dups, len(paragraphs)),
            "rep_dup_para_char_ratio": ratio(para_chars, text_len),
            "rep_dup_line_ratio": ratio(line_dups, len(lines) or 1),
            "rep_dup_line_char_ratio": ratio(line_chars, text_len),
        }

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
