"""Token counts for the report: counted by `curate tokenize` where it has run over the run's
current shards (OUT/token_counts/), else estimated from the bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from curate.layout import OutputLayout

# The report runs without the train extra, so without a tokenization it estimates tokens;
# `curate tokenize` counts them with a real tokenizer.
BYTES_PER_TOKEN = 4.0


@dataclass(frozen=True)
class TokenCounts:
    per_language: pl.DataFrame  # lang, documents, tokens
    tokenizer: str
    documents: Path  # id, lang, tokens: one row per document


def counted_tokens(layout: OutputLayout) -> TokenCounts | None:
    """The counts of the last `curate tokenize` of this run, if its shards are still the run's
    shards (same files, same sizes): a rerun that changed them makes the counts stale."""
    folder = layout.token_counts_dir
    try:
        record = json.loads((folder / "shards.json").read_text())
        counts = pl.read_parquet(folder / "counts.parquet")
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return None
    if record.get("shards") != layout.shard_sizes():
        return None
    per_language = counts.group_by("lang").agg(pl.col("documents").sum(), pl.col("tokens").sum()).sort("lang")
    return TokenCounts(per_language, str(record.get("tokenizer", "")), folder / "documents.parquet")


def token_summary(counted: TokenCounts | None, kept_bytes: int) -> dict:
    """tokens, and where the number comes from (`counted`, or estimated from `kept_bytes`)."""
    if counted is not None:
        return {
            "tokens": int(counted.per_language["tokens"].sum()),
            "tokens_counted": True,
            "token_source": f"counted with the tokenizer {counted.tokenizer} by curate tokenize",
        }
    return {
        "tokens": round(kept_bytes / BYTES_PER_TOKEN),
        "tokens_counted": False,
        "token_source": f"estimated: {BYTES_PER_TOKEN:g} UTF-8 bytes per token (curate tokenize counts them)",
    }
