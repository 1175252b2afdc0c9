"""np.percentile, exactly, of columns of values that come in batches and need not fit in memory.

numpy's default (linear) method interpolates between two order statistics of the sorted values.
Each is found without sorting them all: a pass counts the values per bucket of a sortable 64-bit
key (a float's bits, reordered), 2^BUCKET_BITS buckets over the key range, and the next pass looks
only inside the bucket that holds the rank, BUCKET_BITS further down, until that bucket holds at
most FEW values, which are gathered and sorted, or a single key. Memory follows the buckets and
FEW, never the number of values; each pass reads the batches again (usually two or three).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

KEY_BITS = 64
BUCKET_BITS = 16
FEW = 1 << 15  # values of one bucket that are gathered and sorted rather than counted again
SIGN = np.uint64(1 << 63)

# A fresh pass over the values of the columns asked for: per batch, column -> its finite float64 values.
Batches = Callable[[list[str]], Iterable[dict[str, np.ndarray]]]


@dataclass
class Spread:
    """A column's count, smallest and largest value, and the percentiles asked for."""

    count: int
    low: float
    high: float
    percentiles: list[float]


def sortable(values: np.ndarray) -> np.ndarray:
    """float64 -> uint64 keys in the same order: the sign bit set on positives, negatives flipped."""
    bits = np.ascontiguousarray(values, np.float64).view(np.uint64)
    return np.where(bits >= SIGN, ~bits, bits | SIGN)


def _value(key: int) -> float:
    """The float of a key: `sortable` undone."""
    bits = np.uint64(key) ^ SIGN if key >= SIGN else ~np.uint64(key)
    return float(np.array([bits], np.uint64).view(np.float64)[0])


@dataclass
class _Window:
    """The 2^bits keys of one column from `start` (aligned): `below` values of the column have
    smaller keys, `ranks` (0-based, in sorted order) lie inside. A pass counts its values per
    bucket, or gathers their keys when there are few."""

    column: str
    start: int
    bits: int
    below: int
    ranks: list[int]
    gather: bool = False
    counts: np.ndarray | None = None
    keys: list[np.ndarray] = field(default_factory=list)

    def add(self, keys: np.ndarray) -> None:
        """Take the keys of a batch of the column that fall in the window."""
        if self.bits < KEY_BITS:
            keys = keys[keys >> np.uint64(self.bits) == np.uint64(self.start >> self.bits)]
        if self.gather:
            self.keys.append(keys)
            return
        shift = np.uint64(self.bits - BUCKET_BITS)
        buckets = ((keys - np.uint64(self.start)) >> shift).astype(np.int64)
        counts = np.bincount(buckets, minlength=1 << BUCKET_BITS)
        self.counts = counts if self.counts is None else self.counts + counts

    def split(self) -> list[_Window]:
        """The buckets that hold the ranks, as windows BUCKET_BITS narrower (once counted)."""
        ends = self.below + np.cumsum(self.counts)
        windows: dict[int, _Window] = {}
        bits = self.bits - BUCKET_BITS
        for rank in self.ranks:
            bucket = int(np.searchsorted(ends, rank, side="right"))
            if bucket not in windows:
                size = int(self.counts[bucket])
                start = self.start + (bucket << bits)
                windows[bucket] = _Window(self.column, start, bits, int(ends[bucket]) - size, [], size <= FEW)
            windows[bucket].ranks.append(rank)
        return list(windows.values())

    def values(self) -> dict[int, float]:
        """rank -> value: of the one key of a window of 0 bits, or from the gathered keys."""
        if not self.bits:
            return dict.fromkeys(self.ranks, _value(self.start))
        keys = np.sort(np.concatenate(self.keys))
        return {rank: _value(int(keys[rank - self.below])) for rank in self.ranks}


def _read(batches: Batches, windows: list[_Window]) -> None:
    """One pass: every window takes its keys of every batch."""
    for batch in batches(sorted({window.column for window in windows})):
        keys = {column: sortable(values) for column, values in batch.items()}
        for window in windows:
            window.add(keys.get(window.column, np.empty(0, np.uint64)))


def _select(batches: Batches, counted: list[_Window]) -> dict[tuple[str, int], float]:
    """(column, rank) -> value for the ranks of the `counted` windows, narrowing pass by pass."""
    found: dict[tuple[str, int], float] = {}
    while counted:
        narrower = [window for parent in counted for window in parent.split()]
        pending = [window for window in narrower if window.bits]
        if pending:
            _read(batches, pending)
        for window in narrower:
            if not window.bits or window.gather:
                found.update({(window.column, rank): v for rank, v in window.values().items()})
        counted = [window for window in pending if not window.gather]
    return found


def _lerp(low: float, high: float, weight: float) -> float:
    """numpy's interpolation between two neighbours (the form it picks by weight, for exactness)."""
    step = high - low
    return high - step * (1 - weight) if weight >= 0.5 else low + step * weight


def _neighbours(count: int, q: float) -> tuple[int, int, float]:
    """The ranks numpy's linear method interpolates between for percentile `q`, and the weight."""
    virtual = (count - 1) * (q / 100)
    if virtual >= count - 1:  # numpy takes the last value twice (index -1), weighted from -1
        return count - 1, count - 1, virtual + 1
    previous = math.floor(virtual)
    return previous, previous + 1, virtual - previous


def spreads(batches: Batches, columns: Sequence[str], q: Sequence[float]) -> dict[str, Spread]:
    """Per column of `columns` that has values: their count, extremes and np.percentile(values, q)."""
    roots = {column: _Window(column, 0, KEY_BITS, 0, []) for column in columns}
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for batch in batches(list(columns)):  # the first pass: counts over the whole key range, and the extremes
        for column, values in batch.items():
            if len(values):
                roots[column].add(sortable(values))
                low[column] = min(low.get(column, math.inf), float(values.min()))
                high[column] = max(high.get(column, -math.inf), float(values.max()))
    counted = [root for root in roots.values() if root.counts is not None]
    neighbours = {w.column: [_neighbours(int(w.counts.sum()), p) for p in q] for w in counted}
    for window in counted:
        window.ranks = sorted({rank for *ranks, _ in neighbours[window.column] for rank in ranks})
    found = _select(batches, counted)
    return {
        column: Spread(
            int(roots[column].counts.sum()),
            low[column],
            high[column],
            [_lerp(found[column, a], found[column, b], weight) for a, b, weight in pairs],
        )
        for column, pairs in neighbours.items()
    }
