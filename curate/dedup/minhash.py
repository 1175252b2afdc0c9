"""MinHash signatures for a whole batch at once, with datasketch's hashing conventions.

Conventions (datasketch 2's default `MinHash` scheme, "affine32"): 32-bit shingle hashes, premixed
with the MurmurHash3 finalizer; permutation i maps h to (a_i * h + b_i) mod 2^32 with an odd a_i;
a_i, b_i drawn from `numpy.random.RandomState(seed)` in datasketch's order. Given the same shingle
hashes, the signatures are datasketch's, bit for bit (a test checks it). What differs is how
shingles are hashed: words are found and hashed on the text's code points with NumPy (no Python
work per word), a word n-gram's hash is a polynomial of its words' hashes, and the permutations
run over the whole batch in one NumPy block, instead of one SHA-1 per n-gram string.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from curate.dedup.normalize import FINAL_SIGMA, strip_diacritics
from filters.text import ngram_hashes

MAX_HASH = np.uint32(0xFFFFFFFF)
_MIX = np.uint32(0x9E3779B1)  # odd multiplier for combining word hashes
# MurmurHash3's 32-bit finalizer (datasketch's `_fmix` for width 32).
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
CHUNK_SHINGLES = 1 << 16  # shingles per NumPy block: bounds memory to num_perm x 64k x 8 bytes


@dataclass(frozen=True)
class MinHashParams:
    num_perm: int = 112
    bands: int = 14
    rows: int = 8
    ngram: int = 5  # word n-grams of the normalized text
    seed: int = 1  # datasketch's default seed

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows ({self.bands} x {self.rows}) exceeds num_perm ({self.num_perm})")

    @property
    def threshold(self) -> float:
        """Jaccard similarity where the candidate probability curve is steepest: (1/b)^(1/r)."""
        return (1 / self.bands) ** (1 / self.rows)

    def candidate_probability(self, similarity: float) -> float:
        return 1 - (1 - similarity**self.rows) ** self.bands

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int = 112, **kwargs: int) -> MinHashParams:
        """Bands x rows that datasketch's MinHashLSH picks for `threshold`: the least sum of the
        false-positive and false-negative probability masses, weighted equally."""
        from datasketch.lsh import _optimal_param

        bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
        return cls(num_perm=num_perm, bands=bands, rows=rows, **kwargs)


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) exactly as datasketch draws them for its affine32 scheme: a odd, both uint32."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def fmix32(hashes: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX
    hashes = hashes ^ (hashes >> s1)
    hashes = hashes * m1
    hashes = hashes ^ (hashes >> s2)
    hashes = hashes * m2
    return hashes ^ (hashes >> s3)


SEPARATOR, DROP = 0, 0xFFFFFFFF  # a code point that ends a word; one that is skipped (a combining mark)
_POLY = 0x01000193  # odd, so invertible mod 2^32: word hashes from prefix sums


def normalized_code(code: int) -> int:
    """A code point as normalize_text treats it: lower-cased, without diacritics, digits as 0."""
    char = chr(code)
    if unicodedata.category(char) == "Mn":
        return DROP
    lowered = char.lower().translate(FINAL_SIGMA)
    if not lowered.isalnum():
        return SEPARATOR
    if unicodedata.category(lowered[0]) == "Nd":
        return ord("0")
    stripped = strip_diacritics(lowered)
    return ord(stripped) if len(stripped) == 1 else ord(lowered[0])


def _simple_code(char: str) -> int | None:
    """normalized_code for a character whose lower case is one character without a decomposition
    (most code points: CJK, Hangul, plain letters, unassigned), cheaply; None for the others."""
    lowered = char.lower()
    if len(lowered) != 1 or lowered == "ς" or unicodedata.decomposition(lowered):
        return None
    if unicodedata.category(char) == "Mn":
        return DROP
    if not lowered.isalnum():
        return SEPARATOR
    return ord("0") if unicodedata.category(lowered) == "Nd" else ord(lowered)


@lru_cache(maxsize=1)
def bmp_code_table() -> np.ndarray:
    """normalized_code of every code point of the Basic Multilingual Plane (built once a process)."""
    codes = [_simple_code(chr(code)) for code in range(0x10000)]
    return np.array([normalized_code(i) if c is None else c for i, c in enumerate(codes)], dtype=np.uint32)


@lru_cache(maxsize=65536)
def _astral_code(code: int) -> int:
    return normalized_code(code)


def _powers(base: int, n: int) -> np.ndarray:
    return np.concatenate(([1], np.cumprod(np.full(n - 1, base, dtype=np.uint32), dtype=np.uint32))).astype(
        np.uint32
    )


class _WordHasher:
    """32-bit hashes of the words of normalize_text(text), computed on code points with NumPy:
    map every code point through a table, find word boundaries, hash each word as a polynomial
    from prefix sums. The same words give the same hashes, wherever they stand."""

    def __init__(self) -> None:
        self.table = bmp_code_table()
        self.powers = self.inverse_powers = np.ones(1, dtype=np.uint32)

    def _grow(self, n: int) -> None:
        if len(self.powers) < n:
            size = max(n, 2 * len(self.powers))
            self.powers = _powers(_POLY, size)
            self.inverse_powers = _powers(pow(_POLY, -1, 1 << 32), size)

    def __call__(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        mapped = self.table[codes & 0xFFFF]
        astral = np.flatnonzero(codes > 0xFFFF)  # rare: emoji, historic scripts
        if len(astral):
            mapped[astral] = [_astral_code(int(c)) for c in codes[astral]]
        mapped = mapped[mapped != DROP]
        is_word = mapped != SEPARATOR
        edges = np.diff(np.concatenate(([0], is_word.astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        self._grow(len(mapped) + 1)
        prefix = np.concatenate(([0], np.cumsum(mapped * self.powers[: len(mapped)], dtype=np.uint32)))
        return ((prefix[ends] - prefix[starts]) * self.inverse_powers[starts]).astype(np.uint32)


class MinHasher:
    """`signatures(texts)` -> array (documents, num_perm) of uint32 MinHash values."""

    def __init__(self, params: MinHashParams | None = None):
        self.params = params or MinHashParams()
        a, b = permutations(self.params.num_perm, self.params.seed)
        self.a, self.b = a[:, None], b[:, None]
        self._word_hasher = _WordHasher()

    def shingle_hashes(self, text: str) -> np.ndarray:
        """32-bit hashes of the word n-grams of the normalized text (one n-gram if it is shorter)."""
        return self._shingles(self._word_hasher(text))

    def _shingles(self, hashes: np.ndarray) -> np.ndarray:
        n = self.params.ngram
        if len(hashes) < n:  # short texts: the whole text is the one shingle
            n = max(len(hashes), 1)
            if not len(hashes):
                return np.zeros(1, np.uint32)
        return ngram_hashes(hashes, n, _MIX)  # uint32: a polynomial mod 2^32

    def _permute(self, hashes: np.ndarray) -> np.ndarray:
        """(num_perm, shingles): every premixed hash through every permutation, mod 2^32."""
        return fmix32(hashes)[None, :] * self.a + self.b

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        return self._signatures([self.shingle_hashes(text) for text in texts])

    def sketch(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(signatures, exact keys): the exact key is a 64-bit hash of the normalized text (its
        word hashes), so equal normalized texts share it."""
        words = [self._word_hasher(text) for text in texts]
        exact = np.array(
            [int.from_bytes(hashlib.blake2b(w.tobytes(), digest_size=8).digest(), "little") for w in words],
            dtype=np.uint64,
        )
        return self._signatures([self._shingles(w) for w in words]), exact

    def _signatures(self, per_doc: list[np.ndarray]) -> np.ndarray:
        out = np.empty((len(per_doc), self.params.num_perm), dtype=np.uint32)
        lengths = np.array([len(h) for h in per_doc])
        start = 0
        while start < len(per_doc):  # documents in blocks of about CHUNK_SHINGLES shingles
            end = start + 1
            while end < len(per_doc) and lengths[start : end + 1].sum() <= CHUNK_SHINGLES:
                end += 1
            folded = self._permute(np.concatenate(per_doc[start:end]))
            offsets = np.concatenate(([0], np.cumsum(lengths[start:end])[:-1]))
            out[start:end] = np.minimum.reduceat(folded, offsets, axis=1).T
            start = end
        return out

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """(documents, bands) uint64 keys: the rows of each band folded into one 64-bit value."""
        rows, bands = self.params.rows, self.params.bands
        banded = signatures[:, : bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
        keys = np.zeros(banded.shape[:2], dtype=np.uint64)
        for r in range(rows):
            keys = keys * np.uint64(0x100000001B3) + banded[:, :, r]
        return keys
