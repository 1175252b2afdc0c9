"""Stage `clusters`: candidate pairs -> connected clusters -> one document kept per cluster.

Only documents that appear in some pair are loaded, so memory follows the number of duplicates,
not the corpus. URL duplicates are settled first (the latest crawl of a page stays), then exact
and near duplicates among what is left: per cluster the longest text stays, ties to the smallest
id. A removed document is `exact_duplicate` when its normalized text equals the kept one's,
`near_duplicate` otherwise. Every cluster is named by the id of the document it keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from curate.dedup.pairs import SignatureSource
from curate.dedup.signatures import EXACT_KEY

STAGE = "clusters"
URL_DUPLICATE, EXACT_DUPLICATE, NEAR_DUPLICATE = "url_duplicate", "exact_duplicate", "near_duplicate"
NODE_COLUMNS = ["id", "lang", "domain", "topic", "chars", "words", "bytes", "crawl_date", EXACT_KEY]

DECISION_SCHEMA = {
    "id": pl.String,
    "task": pl.String,
    "lang": pl.String,
    "domain": pl.String,
    "topic": pl.String,
    "chars": pl.Int64,
    "words": pl.Int64,
    "bytes": pl.Int64,
    "kept": pl.Boolean,
    "reason": pl.String,
    "cluster_id": pl.String,
    "cluster_size": pl.UInt32,
}

# ((task, id) of first documents, (task, id) of second documents) -> Jaccard similarity of each pair
Similarity = Callable[[list[tuple[str, str]], list[tuple[str, str]]], np.ndarray]


def read_pairs(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    if not paths:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    frame = pl.concat([pl.read_parquet(path) for path in paths]).unique(maintain_order=False)
    frame = frame.sort("a", "b")
    return frame["a"].to_numpy(), frame["b"].to_numpy()


def node_attributes(nodes: np.ndarray, sources: list[SignatureSource]) -> pl.DataFrame:
    """Signature rows of the documents numbered `nodes` (sorted), one file at a time."""
    parts = []
    for source in sources:
        lo, hi = np.searchsorted(nodes, [source.offset, source.offset + source.rows])
        if hi > lo:
            rows = nodes[lo:hi] - source.offset
            table = pq.read_table(source.path, columns=NODE_COLUMNS).take(rows)
            parts.append(
                pl.from_arrow(table).with_columns(
                    pl.Series("doc", nodes[lo:hi]), pl.lit(source.task).alias("task")
                )
            )
    return pl.concat(parts)


def _components(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(count, count))
    return connected_components(graph, directed=False)[1]


def _first_per_label(frame: pl.DataFrame, by: list[str], descending: list[bool]) -> pl.DataFrame:
    ordered = frame.sort(["label", *by], descending=[False, *descending], nulls_last=True)
    return ordered.group_by("label", maintain_order=True).first()


def cluster_documents(
    sources: list[SignatureSource],
    url_pairs: list[Path],
    content_pairs: list[Path],
    similarity: Similarity | None = None,
    threshold: float = 0.0,
) -> pl.DataFrame:
    """One row per document in a cluster of two or more: id, task, lang, domain, sizes, kept,
    reason, cluster_id, cluster_size. With `similarity`, pairs of different normalized texts below
    `threshold` are not merged."""
    url_a, url_b = read_pairs(url_pairs)
    content_a, content_b = read_pairs(content_pairs)
    nodes = np.unique(np.concatenate([url_a, url_b, content_a, content_b]))
    if not len(nodes):
        return pl.DataFrame(schema=DECISION_SCHEMA)
    index = lambda docs: np.searchsorted(nodes, docs)  # noqa: E731 - document number -> node
    frame = node_attributes(nodes, sources).with_columns(
        pl.Series("label", _components(len(nodes), index(url_a), index(url_b)))
    )
    url_kept = _first_per_label(frame, ["crawl_date", "chars", "id"], [True, True, False])["doc"]
    url_removed = np.isin(nodes, url_a) | np.isin(nodes, url_b)
    url_removed &= ~np.isin(nodes, url_kept.to_numpy())

    ca, cb = index(content_a), index(content_b)
    live = ~(url_removed[ca] | url_removed[cb])
    ca, cb = ca[live], cb[live]
    if similarity is not None and len(ca):
        exact = frame[EXACT_KEY].to_numpy()
        check = exact[ca] != exact[cb]
        keys = list(zip(frame["task"].to_list(), frame["id"].to_list()))
        scores = similarity([keys[i] for i in ca[check]], [keys[i] for i in cb[check]])
        passed = np.ones(len(ca), bool)
        passed[check] = scores >= threshold
        ca, cb = ca[passed], cb[passed]

    labels = _components(len(nodes), np.concatenate([index(url_a), ca]), np.concatenate([index(url_b), cb]))
    frame = frame.with_columns(pl.Series("label", labels), pl.Series("url_removed", url_removed))
    frame = frame.with_columns(pl.len().over("label").alias("cluster_size")).filter(
        pl.col("cluster_size") > 1
    )
    keepers = _first_per_label(frame.filter(~pl.col("url_removed")), ["chars", "id"], [True, False])
    keepers = keepers.select(
        "label",
        pl.col("id").alias("cluster_id"),
        pl.col("doc").alias("kept_doc"),
        pl.col(EXACT_KEY).alias("kept_key"),
    )
    frame = frame.join(keepers, on="label", how="left").with_columns(
        (pl.col("doc") == pl.col("kept_doc")).alias("kept")
    )
    reason = (
        pl.when(pl.col("kept"))
        .then(None)
        .when(pl.col("url_removed"))
        .then(pl.lit(URL_DUPLICATE))
        .when(pl.col(EXACT_KEY) == pl.col("kept_key"))
        .then(pl.lit(EXACT_DUPLICATE))
        .otherwise(pl.lit(NEAR_DUPLICATE))
    )
    decided = frame.with_columns(reason.alias("reason")).select(*DECISION_SCHEMA)
    return decided.sort("cluster_id", "id").cast(DECISION_SCHEMA)
