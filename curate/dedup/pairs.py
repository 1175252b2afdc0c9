"""Stage `pairs`: for one key column (a MinHash band, the exact-text key or the URL key), the
documents that share a key, as candidate pairs.

Keys are routed to bucket files on disk by key value (partitions), then each bucket file is
grouped with polars; a group of n documents gives n - 1 pairs, each member joined to the group's
smallest document number (a star: fewer pairs than all n(n-1)/2, the same connected cluster).
Memory holds one partition, never the whole corpus.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate.dedup.files import write_sealed

STAGE = "pairs"
PAIR_SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.int64())])
BUCKET_SCHEMA = pa.schema([("key", pa.uint64()), ("doc", pa.int64())])


@dataclass(frozen=True)
class SignatureSource:
    """One task's signature file; its documents are numbered from `offset` (input order)."""

    task: str
    path: Path
    offset: int
    rows: int


def _language_salts(langs: pa.ChunkedArray) -> np.ndarray:
    """Per row, a 64-bit value of its language: XORed into keys, documents of different
    languages never share a bucket."""
    encoded = pc.dictionary_encode(langs.combine_chunks())
    salts = np.array(
        [
            int.from_bytes(hashlib.blake2b((v or "").encode(), digest_size=8).digest(), "little")
            for v in encoded.dictionary.to_pylist()
        ],
        dtype=np.uint64,
    )
    return salts[encoded.indices.to_numpy(zero_copy_only=False)]


def _route_to_buckets(
    column: str, sources: list[SignatureSource], bucket_dir: Path, partitions: int, cross_language: bool
) -> list[Path]:
    paths = [bucket_dir / f"bucket-{p:04d}.parquet" for p in range(partitions)]
    writers = [pq.ParquetWriter(path, BUCKET_SCHEMA) for path in paths]
    try:
        for source in sources:
            table = pq.read_table(source.path, columns=[column, "lang"])
            valid = pc.is_valid(table[column]).to_numpy(zero_copy_only=False)
            keys = pc.fill_null(table[column], 0).to_numpy()  # nulls (no URL) are masked below
            if not cross_language:
                keys = keys ^ _language_salts(table["lang"])
            docs = source.offset + np.arange(table.num_rows, dtype=np.int64)
            keys, docs = keys[valid], docs[valid]
            partition = keys % np.uint64(partitions)
            for p, writer in enumerate(writers):
                chosen = partition == p
                writer.write_table(pa.table({"key": keys[chosen], "doc": docs[chosen]}, schema=BUCKET_SCHEMA))
    finally:
        for writer in writers:
            writer.close()
    return paths


def _star_pairs(bucket: Path) -> pl.DataFrame:
    frame = pl.read_parquet(bucket)
    return (
        frame.with_columns(pl.col("doc").min().over("key").alias("a"))
        .filter(pl.col("doc") != pl.col("a"))
        .select("a", pl.col("doc").alias("b"))
    )


def candidate_pairs(
    column: str,
    sources: list[SignatureSource],
    out_path: Path,
    partitions: int = 1,
    cross_language: bool = False,
) -> Path:
    """Write the pairs of documents sharing a value of `column` to `out_path` (sealed), sorted."""
    bucket_dir = out_path.with_name(f".{out_path.stem}.buckets")
    shutil.rmtree(bucket_dir, ignore_errors=True)
    bucket_dir.mkdir(parents=True)
    try:
        buckets = _route_to_buckets(column, sources, bucket_dir, partitions, cross_language)
        pairs = pl.concat([_star_pairs(bucket) for bucket in buckets]).sort("a", "b")
    finally:
        shutil.rmtree(bucket_dir, ignore_errors=True)
    return write_sealed(pairs.to_arrow().cast(PAIR_SCHEMA), out_path)
