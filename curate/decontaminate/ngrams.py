"""Word n-gram keys of many texts at once, on dedup's words (those of `normalize_text`: case,
diacritics, punctuation and digits folded) and dedup's 32-bit word hashes.

Dedup's word hasher costs about 0.1 ms a call in NumPy overhead, whatever the text's length: texts
are hashed a block at a time, joined by a sentinel word that marks where each ends. A block where a
text holds a word of the sentinel's hash is hashed again one text at a time, so the words are
exactly the per-text ones. An n-gram's key is a 64-bit polynomial of its words' hashes, spread over
64 bits first: with 10^7 benchmark n-grams, a document of 10^3 n-grams meets a false match with
probability about 10^-9 (a 32-bit key: nearly always).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from curate.dedup.minhash import _WordHasher
from filters.text import ngram_hashes

BLOCK_CHARS = 1 << 20  # characters hashed in one call: bounds the scratch arrays (~50 bytes a character)
SENTINEL = " \ua66e\ua66e\ua66e "  # a word of its own (Cyrillic multiocular O); rare, not required so
_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd: the polynomial's base
_SPLITMIX = (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9), np.uint64(27), np.uint64(0x94D049BB133111EB))


def blocks(texts: list[str], max_chars: int = BLOCK_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive runs of `texts` of at most `max_chars` characters (or one text)."""
    start = chars = 0
    for end, text in enumerate(texts):
        if end > start and chars + len(text) > max_chars:
            yield start, end
            start, chars = end, 0
        chars += len(text)
    if start < len(texts):
        yield start, len(texts)


class BlockWordHasher:
    """`(words, lengths)` of a block of texts: their word hashes end to end, and each text's count."""

    def __init__(self) -> None:
        self.hasher = _WordHasher()
        self.sentinel = int(self.hasher(SENTINEL)[0])

    def __call__(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        hashes = self.hasher(SENTINEL.join(texts))
        cuts = np.flatnonzero(hashes == self.sentinel)
        if len(cuts) != len(texts) - 1:  # a text has a word of the sentinel's hash
            each = [self.hasher(text) for text in texts]
            return np.concatenate(each), np.fromiter(map(len, each), np.int64, len(each))
        lengths = np.diff(np.concatenate(([-1], cuts, [len(hashes)]))) - 1
        return np.delete(hashes, cuts), lengths


def _spread(words: np.ndarray) -> np.ndarray:
    """32-bit word hashes spread over 64 bits (splitmix64's finalizer, a bijection), so that the
    n-gram polynomial mixes all 64 bits."""
    s1, m1, s2, m2 = _SPLITMIX
    z = words.astype(np.uint64)
    z = (z ^ (z >> s1)) * m1
    z = (z ^ (z >> s2)) * m2
    return z ^ (z >> np.uint64(31))


def ngram_keys(words: np.ndarray, lengths: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, owners, starts) of the n-grams of texts whose word hashes lie end to end in `words`:
    each n-gram's 64-bit key, its text and its first word's position there, in order. An n-gram
    never spans two texts; a text of fewer than n words has none."""
    if len(words) < n:
        return np.empty(0, np.uint64), np.empty(0, np.int64), np.empty(0, np.int64)
    keys = ngram_hashes(_spread(words), n, _BASE)
    owner = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.flatnonzero(owner[: len(keys)] == owner[n - 1 :])
    owners = owner[starts]
    return keys[starts], owners, starts - (np.cumsum(lengths) - lengths)[owners]
