"""Generated texts with a known word 5-gram Jaccard similarity, for the dedup tests."""

from __future__ import annotations

import numpy as np

WINDOWS = 200  # distinct 5-gram shingles in the union of a pair, about
LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def random_words(rng: np.random.Generator, count: int) -> list[str]:
    return ["".join(rng.choice(LETTERS, 10)) for _ in range(count)]


def shingles(words: list[str], n: int = 5) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def pair_with_jaccard(rng: np.random.Generator, similarity: float) -> tuple[str, str, float]:
    """Two texts sharing a run of words: shared 5-grams k, own 5-grams m each: Jaccard k / (k + 2m).
    Returns both texts and their exact Jaccard similarity."""
    shared = max(1, round(WINDOWS * similarity))
    own = max(1, round(shared * (1 - similarity) / (2 * similarity)))
    common = random_words(rng, shared + 4)
    first = common + random_words(rng, own)
    second = common + random_words(rng, own)
    a, b = shingles(first), shingles(second)
    return " ".join(first), " ".join(second), len(a & b) / len(a | b)
