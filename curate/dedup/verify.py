"""`--verify`: the exact Jaccard similarity of candidate pairs, from the staged texts, so that
no pair below the threshold is merged (MinHash only estimates it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from curate.dedup.clusters import Similarity
from curate.dedup.minhash import MinHasher, MinHashParams


def jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """Jaccard similarity of two sets given as sorted unique arrays."""
    union = len(np.union1d(first, second))
    return len(np.intersect1d(first, second, assume_unique=True)) / union if union else 1.0


def staged_similarity(staged_files: dict[str, list[Path]], params: MinHashParams) -> Similarity:
    """Similarity of documents named by (task, id), from each task's staged files: the Jaccard of
    their shingle sets (the same word n-grams of normalized text that MinHash estimates it from)."""
    hasher = MinHasher(params)

    def similarity(first: list[tuple[str, str]], second: list[tuple[str, str]]) -> np.ndarray:
        shingles = {}
        for task, files in staged_files.items():
            wanted = pl.Series(sorted({i for t, i in first + second if t == task}), dtype=pl.String)
            if not files or wanted.is_empty():
                continue
            texts = pl.scan_parquet(files).select("id", "text").filter(pl.col("id").is_in(wanted.implode()))
            for doc_id, text in texts.collect().iter_rows():
                shingles[(task, doc_id)] = np.unique(hasher.shingle_hashes(text))
        return np.array([jaccard(shingles[a], shingles[b]) for a, b in zip(first, second)])

    return similarity
