"""--tokenize: `curate tokenize` (read the shards, encode, shuffle, write datatrove files, count)
against a bare `tokenizers` loop (read the same shards' text, `encode_batch`, count the ids), each in
its own process on the same shards, one thread each (RAYON_NUM_THREADS=1): tokens/s per core, and
the ratio, and peak RSS.

The shards: a `curate run` over every shared crawl file and the text sample, its final shards then
copied COPIES times (more text to encode, the same kind); the tokenizer: a byte-level BPE of
VOCAB ids trained on that text (curate.train.tokenizer).

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from bench_measure import run_rounds  # noqa: E402 - scripts/ is on sys.path
from bench_replay import LDNOOBW  # noqa: E402

COPIES = 20
VOCAB = 16_000
TOKENIZER = "tokenizer.json"


def _tokenizer_of(shards_out: Path) -> Path:
    return shards_out.parent / TOKENIZER


def measure_tokenize_curate(out: Path, tokens: Path) -> int:
    from curate.tokenize.job import TokenizeSettings, tokenize_run
    from curate.tokenize.tokenizer_files import find_tokenizer

    record = tokenize_run(out, tokens, find_tokenizer(_tokenizer_of(out)), TokenizeSettings())
    return record["tokens"]


def measure_tokenize_bare(out: Path, tokens: Path) -> int:
    import pyarrow.parquet as pq
    from tokenizers import Tokenizer

    from curate.layout import OutputLayout

    tokenizer = Tokenizer.from_file(str(_tokenizer_of(out)))
    count = 0
    for shard in OutputLayout(out).shard_paths():
        for batch in pq.ParquetFile(shard).iter_batches(batch_size=256, columns=["text"]):
            count += sum(len(e.ids) + 1 for e in tokenizer.encode_batch(batch.column(0).to_pylist()))
    return count  # + 1 a document: the end token curate adds


MEASUREMENTS = {"tokenize-curate": measure_tokenize_curate, "tokenize-bare": measure_tokenize_bare}
PRELOAD = {
    "tokenize-curate": ("curate.tokenize.job", "tokenizers", "polars", "pyarrow.parquet"),
    "tokenize-bare": ("tokenizers", "pyarrow.parquet", "curate.layout"),
}


def build_shards(data: Path, workdir: Path) -> Path:
    """A curated run of the shared data, its shards copied COPIES times, and the tokenizer beside it."""
    import polars as pl

    from curate.config import Config
    from curate.layout import OutputLayout
    from curate.pipeline.run import run_pipeline
    from curate.train.tokenizer import train_tokenizer

    out = workdir / "out"
    inputs = [
        *sorted(str(p) for p in (data / "warc").iterdir()),
        *map(str, sorted((data / "text").iterdir())),
    ]
    config = Config()
    config.filters.badwords_dir = str(LDNOOBW)
    run_pipeline(inputs, out, config.validate(), show_progress=False, force=True)
    layout = OutputLayout(out)
    originals = layout.shard_paths()
    texts = pl.read_parquet(originals, columns=["text"])["text"].to_list()
    train_tokenizer(texts, VOCAB).save(str(_tokenizer_of(out)))
    for copy in range(1, COPIES):
        for shard in originals:
            shutil.copy(shard, shard.with_name(f"copy{copy:03d}-{shard.name}"))
    return out


def bench_tokenize(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Tokenization throughput: curate tokenize against a bare tokenizers loop, one thread each."""
    # Built in a process of its own: this one stays small, so its children's peak RSS (which on
    # Linux starts at the parent's when it forks them) is theirs.
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        out = pool.apply(build_shards, (args.data.parent, workdir))
    os.environ["RAYON_NUM_THREADS"] = "1"  # the children inherit it: tokens/s per core
    print(
        f"input: {out} ({COPIES} copies of the curated shards), tokenizer of {VOCAB:,} ids", file=sys.stderr
    )
    summaries = run_rounds(list(MEASUREMENTS), out, workdir, args.repeat, "tokens")
    bare = summaries["tokenize-bare"].best
    print(f"\ninput: the final shards of a curated run of the shared data x{COPIES}; best of {args.repeat}\n")
    print("| variant | tokens | s | tokens/s (one thread) | vs bare | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = {}
    for variant, summary in summaries.items():
        best = summary.best
        ratio = best.docs_per_s / bare.docs_per_s
        rows[variant] = {
            "tokens": best.docs,
            "seconds": best.seconds,
            "ratio": ratio,
            "rss": summary.peak_rss_mb,
        }
        print(
            f"| {variant} | {best.docs:,} | {best.seconds:.2f} | {best.docs_per_s:,.0f} | {ratio:.2f}x | "
            f"{summary.peak_rss_mb:.0f} |"
        )
    return {"tokenize": rows}
