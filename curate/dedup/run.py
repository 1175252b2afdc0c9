"""The dedup stages after all tasks: signatures (written by each task) -> pairs per key column
(one task per band, in parallel) -> clusters -> the ledger's transfer rows. `finalize` then drops
the removed documents while it writes the shards."""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from curate.config import DedupConfig
from curate.dedup import signatures
from curate.dedup.clusters import STAGE as CLUSTERS_STAGE
from curate.dedup.clusters import Similarity, cluster_documents
from curate.dedup.files import StageFileError, verified, write_sealed
from curate.dedup.pairs import STAGE as PAIRS_STAGE
from curate.dedup.pairs import SignatureSource, candidate_pairs
from curate.dedup.signatures import EXACT_KEY, URL_KEY, band_columns, minhash_params
from curate.executors import Executor, run_all
from curate.layout import OutputLayout
from curate.ledger import LEDGER_SCHEMA

DOCS_PER_PARTITION = 1_000_000  # bucket files per key column: one per this many documents


def signature_sources(layout: OutputLayout, tasks: list[str]) -> list[SignatureSource]:
    """The tasks' signature files, checked, with document numbers running on in task order."""
    sources, offset = [], 0
    for task in tasks:
        path = verified(layout.signatures(task), signatures.STAGE)
        try:
            rows = pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException) as exc:
            raise StageFileError(f"dedup: {path} is unreadable ({exc}); rerun stage 'signatures'") from None
        sources.append(SignatureSource(task, path, offset, rows))
        offset += rows
    return sources


def key_columns(config: DedupConfig) -> list[str]:
    columns = [URL_KEY] * config.url + [EXACT_KEY] * config.exact
    return columns + (band_columns(minhash_params(config)) if config.near else [])


def compute_pairs(
    sources: list[SignatureSource],
    pairs_dir: Path,
    config: DedupConfig,
    executor: Executor,
    docs_per_partition: int = DOCS_PER_PARTITION,
    show_progress: bool | None = False,
) -> dict[str, Path]:
    """Candidate pairs per key column, one task per column; the same files whatever the executor."""
    shutil.rmtree(pairs_dir, ignore_errors=True)
    pairs_dir.mkdir(parents=True)
    total = sum(s.rows for s in sources)
    partitions = max(1, math.ceil(total / docs_per_partition))
    columns = key_columns(config)
    tasks = [(c, sources, pairs_dir / f"{c}.parquet", partitions, config.cross_language) for c in columns]
    disable = None if show_progress is None else not show_progress
    with tqdm(total=len(tasks), desc="dedup pairs", unit="key", disable=disable, file=sys.stderr) as bar:
        run_all(executor, candidate_pairs, tasks, lambda *_: bar.update())
    return {c: verified(pairs_dir / f"{c}.parquet", PAIRS_STAGE) for c in columns}


def dedup_ledger(decisions: pl.DataFrame, inputs: dict[str, str]) -> pa.Table:
    """Double entry per (task, language, reason): +n removed and -n kept at stage `dedup`, since
    the task ledgers booked these documents as kept when they were staged."""
    removed = (
        decisions.filter(~pl.col("kept"))
        .group_by("task", "lang", "reason")
        .agg(pl.len().alias("docs"), pl.col("bytes", "chars", "words").sum())
        .sort("task", "lang", "reason")
    )
    rows = []
    for row in removed.iter_rows(named=True):
        for outcome, sign in (("removed", 1), ("kept", -1)):
            rows.append(
                {
                    "task": row["task"],
                    "input": inputs.get(row["task"], ""),
                    "stage": "dedup",
                    "outcome": outcome,
                    "reason": row["reason"],
                    "lang": row["lang"],
                    **{name: sign * row[name] for name in ("docs", "bytes", "chars", "words")},
                }
            )
    return pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA)


def read_clusters(layout: OutputLayout) -> pl.DataFrame:
    return pl.read_parquet(verified(layout.clusters, CLUSTERS_STAGE))


def run_dedup(
    layout: OutputLayout,
    tasks: list[str],
    config: DedupConfig,
    executor: Executor,
    similarity: Similarity | None = None,
    docs_per_partition: int = DOCS_PER_PARTITION,
    show_progress: bool | None = False,
) -> pl.DataFrame:
    """Cluster the documents of `tasks` (in this order) and write `dedup/clusters.parquet`;
    returns it. Pair tasks run on `executor`; `similarity` is required when config.verify is set."""
    sources = signature_sources(layout, tasks)
    pairs = compute_pairs(sources, layout.pairs_dir, config, executor, docs_per_partition, show_progress)
    url_pairs = [pairs[URL_KEY]] if URL_KEY in pairs else []
    content_pairs = [path for column, path in pairs.items() if column != URL_KEY]
    if config.verify and similarity is None:
        raise ValueError("config.verify needs a similarity function")
    decisions = cluster_documents(
        sources, url_pairs, content_pairs, similarity if config.verify else None, config.threshold
    )
    write_sealed(decisions.to_arrow(), layout.clusters)
    return decisions
