"""An index of the word n-grams of benchmark texts, and the documents that share one with them.

Only the n-grams' 64-bit keys are kept (ngrams.py): a sorted array of distinct uint64 and a parallel
uint16 array of the benchmark each came from first, 10 bytes per distinct n-gram, nothing per item;
a matching document's n-gram is read again from the document.

A text shorter than n words gives no n-gram, as in GPT-3's and datatrove's decontamination: a short
answer ("Paris", "4") taken whole would remove every document that says it. An n-gram never spans
two fields, or two strings of a list field, of a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from curate.decontaminate.benchmarks import (
    DEFAULT_FIELDS,
    OPTION,
    BenchmarkStats,
    benchmark_names,
    read_rows,
    row_texts,
)
from curate.decontaminate.ngrams import BLOCK_CHARS, BlockWordHasher, blocks, ngram_keys
from curate.dedup.normalize import normalize_text
from curate.errors import UsageError
from curate.inputs import unique_inputs

DEFAULT_NGRAM = 13
MAX_BENCHMARKS = int(np.iinfo(np.uint16).max) + 1
FLUSH_TEXTS = 1 << 18  # benchmark texts held before their n-grams join the index (with BLOCK_CHARS)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """np.unique by sorting: NumPy 2's hash-based np.unique is ~30x slower on a million uint64 keys."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


@dataclass
class _Builder:
    """The sorted keys and their benchmarks so far, and the texts still to be added."""

    ngram: int
    words: BlockWordHasher = field(default_factory=BlockWordHasher)
    keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint16))
    pending: list[str] = field(default_factory=list)
    pending_chars: int = 0

    def add(self, text: str, stats: BenchmarkStats, benchmark: int) -> None:
        self.pending.append(text)
        self.pending_chars += len(text)
        if self.pending_chars >= BLOCK_CHARS or len(self.pending) >= FLUSH_TEXTS:
            self.flush(stats, benchmark)

    def flush(self, stats: BenchmarkStats, benchmark: int) -> None:
        """Insert the pending texts' n-grams that are new: the keys stay sorted and distinct, and an
        n-gram already there keeps its first benchmark. One copy of the index, never a sort of it."""
        if not self.pending:
            return
        words, lengths = self.words(self.pending)
        self.pending, self.pending_chars = [], 0
        stats.short_texts += int((lengths < self.ngram).sum())
        new = _distinct(ngram_keys(words, lengths, self.ngram)[0])
        at = np.searchsorted(self.keys, new)
        known = at < len(self.keys)
        known[known] = self.keys[at[known]] == new[known]
        new, at = new[~known], at[~known]
        self.keys = np.insert(self.keys, at, new)
        self.ids = np.insert(self.ids, at, np.uint16(benchmark))
        stats.ngrams += len(new)


class ContaminationIndex:
    """`match(texts)`: per text, None or (benchmark, its first n-gram found in a benchmark)."""

    def __init__(self, keys: np.ndarray, ids: np.ndarray, benchmarks: list[BenchmarkStats], ngram: int):
        self.keys, self.ids, self.benchmarks, self.ngram = keys, ids, benchmarks, ngram
        self.names = [stats.name for stats in benchmarks]
        self._words = BlockWordHasher()

    @classmethod
    def build(
        cls, paths: Iterable[str], ngram: int = DEFAULT_NGRAM, fields: tuple[str, ...] = DEFAULT_FIELDS
    ) -> ContaminationIndex:
        """The index of the n-grams of `fields` in every row of `paths` (one benchmark a file, a file
        named twice read once); `benchmarks` holds each file's counts. UsageError (naming
        decontaminate.files) for a file that cannot be read as JSONL or Parquet."""
        if ngram < 1:
            raise UsageError(f"decontaminate.ngram must be at least 1, not {ngram}")
        paths = unique_inputs(paths)
        if len(paths) > MAX_BENCHMARKS:
            raise UsageError(f"{OPTION}: at most {MAX_BENCHMARKS:,} files, not {len(paths):,}")
        builder = _Builder(ngram)
        benchmarks = [BenchmarkStats(name, path) for name, path in zip(benchmark_names(paths), paths)]
        for benchmark, stats in enumerate(benchmarks):
            for row in read_rows(stats.path, fields):
                texts = row_texts(row, fields)
                stats.rows += 1
                stats.skipped += not texts
                for text in texts:
                    builder.add(text, stats, benchmark)
            builder.flush(stats, benchmark)
        return cls(builder.keys, builder.ids, benchmarks, ngram)

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.ids.nbytes

    def match(self, texts: list[str]) -> list[tuple[str, str] | None]:
        """Per text: None, or (the benchmark, the normalized words of the text's first n-gram that
        is in the index). The benchmark is the first, in the files' order, that has that n-gram."""
        found: list[tuple[str, str] | None] = [None] * len(texts)
        if len(self.keys):
            for start, end in blocks(texts):
                for doc, position, benchmark in self._first_hits(texts[start:end]):
                    found[start + doc] = (self.names[benchmark], self._ngram_at(texts[start + doc], position))
        return found

    def _first_hits(self, texts: list[str]) -> list[tuple[int, int, int]]:
        """(text, its first matching n-gram's position, that n-gram's benchmark) of each text that
        matches. The keys are looked up sorted: a random lookup order misses the cache ~30x as often."""
        keys, owners, starts = ngram_keys(*self._words(texts), self.ngram)
        order = np.argsort(keys)
        at = np.minimum(np.searchsorted(self.keys, keys[order]), len(self.keys) - 1)
        found = self.keys[at] == keys[order]
        hits, at = order[found], at[found]
        by_position = np.argsort(hits)
        hits, at = hits[by_position], at[by_position]
        first = np.flatnonzero(np.diff(owners[hits], prepend=-1))  # owners rise with the position
        firsts = hits[first]
        return list(zip(owners[firsts].tolist(), starts[firsts].tolist(), self.ids[at[first]].tolist()))

    def _ngram_at(self, text: str, position: int) -> str:
        return " ".join(normalize_text(text).split()[position : position + self.ngram])
