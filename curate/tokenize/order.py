"""The order documents are written in: a seeded shuffle, per language or as a weighted mixture (of
languages, or of topics: the documents' `group`).

Every document gets a key, the first 8 bytes (big-endian) of blake2b("{seed}\\0{copy}\\0{shard}\\0{id}")
with `shard` its shard's part key (parts.part_key): sorting by it is a shuffle that is the same for
the same shards and seed, whatever the worker count or the order the parts were made in.

A mixture (`--weights en=0.7,de=0.3`, or `--topic-weights sports=0.3,travel=0.7` by topic) never
drops data of the groups it names to reach its shares: the group that is largest for its weight
sets the total, T = max(tokens_g / w_g), and every group g gets w_g * T tokens: its documents
repeat whole (copy 0, 1, ...), and a last, partial copy takes its documents in their shuffled order
under (seed, copy) while they fit under the target. So a group with a small share of the data but
a large weight is upsampled by repeats (its `repeats` says by how much); none is cut. All copies
of every group are then shuffled together by their keys under seed + 1: a document's copies have
keys of their own, so they spread apart.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from curate.errors import UsageError

# An id repeated within a shard gives equal keys: its place in the shard breaks the tie.
ORDER = ["key", "part", "start"]


@dataclass(frozen=True)
class Placement:
    """Where each document of an output comes from, in the order it is written."""

    part: np.ndarray  # index of the part
    start: np.ndarray  # first token in the part's ids
    length: np.ndarray
    repeats: dict[str, float]  # lang or topic -> tokens written / tokens it has (1.0: each once)

    @property
    def tokens(self) -> int:
        return int(self.length.sum())


def shuffle_key(seed: int, copy: int, shard: str, doc_id: str) -> int:
    digest = hashlib.blake2b(f"{seed}\x00{copy}\x00{shard}\x00{doc_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def shuffle_keys(frame: pl.DataFrame, seed: int, copy: int) -> np.ndarray:
    """One uint64 key per row (shard, id): the shuffle order of `copy` under `seed`."""
    pairs = zip(frame["shard"].to_list(), frame["id"].to_list())
    return np.array([shuffle_key(seed, copy, shard, doc_id) for shard, doc_id in pairs], dtype=np.uint64)


def _shuffled(frame: pl.DataFrame, seed: int, copy: int) -> pl.DataFrame:
    return frame.with_columns(pl.Series("key", shuffle_keys(frame, seed, copy))).sort(ORDER)


def _placement(frame: pl.DataFrame, repeats: dict[str, float]) -> Placement:
    return Placement(
        frame["part"].to_numpy().astype(np.int64),
        frame["start"].to_numpy().astype(np.int64),
        frame["length"].to_numpy().astype(np.int64),
        repeats,
    )


def per_language(docs: pl.DataFrame, seed: int) -> dict[str, Placement]:
    """Each language's documents once, shuffled: lang -> its placement."""
    return {
        lang: _placement(_shuffled(docs.filter(pl.col("lang") == lang), seed, 0), {lang: 1.0})
        for lang in sorted(docs["lang"].unique().to_list())
    }


def mixture(docs: pl.DataFrame, weights: dict[str, float], seed: int, group: str = "lang") -> Placement:
    """The groups of `weights` (values of the column `group`: languages, or topics) in those token
    shares, upsampled by repeats, shuffled together; documents of other groups left out."""
    tokens = {name: int(docs.filter(pl.col(group) == name)["length"].sum()) for name in weights}
    empty = sorted(name for name, count in tokens.items() if count == 0)
    if empty:
        raise UsageError(f"no documents in {', '.join(empty)} (those with documents: {_values(docs, group)})")
    total = max(tokens[name] / weight for name, weight in weights.items())
    copies, repeats = [], {}
    for name, weight in weights.items():
        frame, target = docs.filter(pl.col(group) == name), weight * total
        whole = max(1, math.floor(target / tokens[name] + 1e-9))
        # Whole copies need no order of their own (the keys under seed + 1 order everything); the
        # partial copy's order chooses which of its documents fit.
        mine = [frame.with_columns(pl.lit(copy).alias("copy")) for copy in range(whole)]
        rest = target - whole * tokens[name]
        if rest >= 1:
            partial = _shuffled(frame, seed, whole)
            mine.append(
                partial.filter(partial["length"].cum_sum() <= rest)
                .drop("key")
                .with_columns(pl.lit(whole).alias("copy"))
            )
        mine = [copy for copy in mine if copy.height]
        repeats[name] = round(sum(int(copy["length"].sum()) for copy in mine) / tokens[name], 4)
        copies += mine
    together = pl.concat(copies)
    keys = np.concatenate([shuffle_keys(c, seed + 1, int(c["copy"][0])) for c in copies])
    return _placement(together.with_columns(pl.Series("key", keys)).sort(ORDER), repeats)


def _values(docs: pl.DataFrame, group: str) -> str:
    return ", ".join(sorted(docs[group].unique().to_list())) or "none"
