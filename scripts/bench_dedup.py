"""MinHash benchmarks for scripts/bench.py: batch signatures against datasketch, one document at a time.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path
from typing import Any

CC_TEXT = "text/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"


def bench_minhash(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """MinHash signatures: curate's batch computation against datasketch's MinHash.update_batch."""
    from datasketch import MinHash

    from curate.dedup.minhash import MinHasher
    from curate.dedup.normalize import normalize_text

    with gzip.open(args.data.parent / CC_TEXT, "rt") as fh:
        texts = [t for t in (json.loads(line)["text"] for line in fh) if t.strip()] * 3
    params = MinHasher().params

    def datasketch_loop() -> None:
        # The reference way: normalize, shingle, hash every 5-gram with SHA-1, one document at a time.
        for text in texts:
            words = normalize_text(text).split()
            shingles = {
                " ".join(words[i : i + params.ngram]).encode()
                for i in range(max(1, len(words) - params.ngram + 1))
            }
            sketch = MinHash(num_perm=params.num_perm, seed=params.seed)  # its default scheme, as ours
            sketch.update_batch(list(shingles))

    def curate_batches() -> None:
        hasher = MinHasher(params)
        for i in range(0, len(texts), 1000):
            hasher.signatures(texts[i : i + 1000])

    variants = {
        "datasketch MinHash.update_batch, per document": datasketch_loop,
        "curate MinHasher, batches of 1,000": curate_batches,
    }
    best = {name: float("inf") for name in variants}
    for _ in range(args.repeat):
        for name, run in variants.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    base = best["datasketch MinHash.update_batch, per document"]
    setup = "112 permutations, word 5-grams"
    print(
        f"{len(texts):,} Common Crawl documents (the shared text sample x3), {setup}, best of {args.repeat}\n"
    )
    print("| variant | docs/s | vs datasketch |\n|---|---:|---:|")
    for name, seconds in best.items():
        print(f"| {name} | {len(texts) / seconds:,.0f} | {base / seconds:.1f}x |")
    return {"documents": len(texts), "seconds": best}


# --- --dedup-scale: clustering millions of generated signatures ----------------------------------

SCALE_TASKS = 20
SCALE_LANGS = ("en", "de", "fr", "es", "ru")
# The chance that a generated document copies an earlier one: by URL (a recrawl; odd documents),
# its normalized text (an exact duplicate) or some MinHash bands (a near duplicate; even ones).
COPY_RATES = {"url": 0.04, "exact": 0.06, "near": 0.10}


def _write_scale_signatures(out_dir: Path, documents: int, seed: int = 0) -> tuple[list[str], int]:
    """Signature files of `documents` generated documents in SCALE_TASKS tasks, with duplicates
    planted by copying keys of earlier documents (same language). Returns the tasks and the
    number of copies: each joins the cluster of the document it copies, so exactly that many
    documents must be removed. URL and content duplicates involve different documents (odd and
    even numbers), so that no URL removal cuts a content cluster and the count stays exact."""
    import numpy as np
    import pyarrow as pa

    from curate.dedup.files import write_sealed
    from curate.dedup.minhash import MinHashParams
    from curate.dedup.signatures import EXACT_KEY, URL_KEY, band_columns, signature_schema
    from curate.layout import OutputLayout

    params = MinHashParams()
    bands = band_columns(params)
    schema = signature_schema(params)
    rng = np.random.default_rng(seed)
    per_task = documents // SCALE_TASKS
    tasks, copies, previous = [], 0, None
    for t in range(SCALE_TASKS):
        n = per_task if t < SCALE_TASKS - 1 else documents - per_task * (SCALE_TASKS - 1)
        keys = {name: rng.integers(0, 2**63, n, dtype=np.uint64) for name in [URL_KEY, EXACT_KEY, *bands]}
        lang = rng.integers(0, len(SCALE_LANGS), n)
        kind = rng.random(n)
        # Copy from this task's first half or the previous task: earlier documents only.
        pool = previous if previous is not None else {**keys, "lang": lang}
        limit = len(pool["lang"]) if previous is not None else n // 2
        start = 0 if previous is not None else n // 2
        position = np.arange(n)
        source = rng.integers(0, limit // 2, n) * 2 + position % 2  # a document of the same parity
        odd, later = position % 2 == 1, position >= start
        url_copy = (kind < COPY_RATES["url"]) & odd & later
        exact_copy = (kind < COPY_RATES["exact"]) & ~odd & later
        near_copy = (
            (kind >= COPY_RATES["exact"]) & (kind < COPY_RATES["exact"] + COPY_RATES["near"]) & ~odd & later
        )
        for mask, columns in ((url_copy, [URL_KEY]), (exact_copy, [EXACT_KEY, *bands])):
            for name in columns:
                keys[name][mask] = pool[name][source[mask]]
        shared = rng.random((n, len(bands))) < 0.5
        shared[np.arange(n), rng.integers(0, len(bands), n)] = True  # at least one band in common
        for b, name in enumerate(bands):
            chosen = near_copy & shared[:, b]
            keys[name][chosen] = pool[name][source[chosen]]
        copying = url_copy | exact_copy | near_copy
        lang[copying] = pool["lang"][source[copying]]
        copies += int(copying.sum())
        first_id = t * per_task
        table = pa.table(
            {
                "id": pa.array([f"doc-{first_id + i:09d}" for i in range(n)]),
                "lang": pa.array(np.array(SCALE_LANGS)[lang]),
                "domain": pa.array([f"site{k}.example" for k in rng.integers(0, 50_000, n)]),
                "chars": pa.array(rng.integers(200, 20000, n)),
                "words": pa.array(rng.integers(30, 3000, n)),
                "bytes": pa.array(rng.integers(200, 40000, n)),
                "crawl_date": pa.array(rng.integers(1.6e12, 1.7e12, n), pa.timestamp("ms", tz="UTC")),
                **{name: pa.array(values) for name, values in keys.items()},
            }
        ).select(schema.names)
        task = f"task-{t:03d}"
        write_sealed(table.cast(schema), OutputLayout(out_dir).signatures(task))
        tasks.append(task)
        previous = {**keys, "lang": lang}
        del table
    return tasks, copies


def _cluster_child(out_dir: Path, tasks: list[str]) -> dict[str, Any]:
    """In a fresh process: the pairs and clusters stages; prints time and own peak RSS."""
    import resource as res

    from curate.config import DedupConfig
    from curate.dedup.run import run_dedup
    from curate.executors.local import LocalExecutor
    from curate.layout import OutputLayout

    started = time.perf_counter()
    decisions = run_dedup(OutputLayout(out_dir), tasks, DedupConfig(), LocalExecutor())
    seconds = time.perf_counter() - started
    removed = decisions.filter(~decisions["kept"]).group_by("reason").len()
    return {
        "seconds": seconds,
        "peak_rss_mb": res.getrusage(res.RUSAGE_SELF).ru_maxrss / 1024,
        "removed": dict(removed.iter_rows()),
        "clustered": decisions.height,
    }


def bench_dedup_scale(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Dedup at scale: pairs and clusters of 2M generated documents' signatures; time, peak RSS."""
    import subprocess
    import sys

    documents = args.documents
    out_dir = workdir / "scale"
    started = time.perf_counter()
    tasks, copies = _write_scale_signatures(out_dir, documents)
    generated = time.perf_counter() - started
    print(f"generated {documents:,} documents' signatures in {generated:.0f} s", file=sys.stderr)
    child = subprocess.run(
        [sys.executable, __file__, "--cluster-child", str(out_dir), *tasks],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(child.stdout)
    removed = sum(result["removed"].values())
    print(
        f"{documents:,} generated documents in {len(tasks)} tasks, {copies:,} planted duplicates "
        "(URL, exact, near: a copy of some bands); FineWeb parameters, per language\n"
    )
    print("| documents | removed (planted) | by reason | time | peak RSS |\n|---:|---:|---|---:|---:|")
    reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(result["removed"].items()))
    print(
        f"| {documents:,} | {removed:,} ({copies:,}) | {reasons} | {result['seconds']:.1f} s "
        f"| {result['peak_rss_mb']:,.0f} MB |"
    )
    verdict = "ok" if result["peak_rss_mb"] < 2048 and removed == copies else "FAILED"
    print(f"\npeak RSS budget 2,048 MB, removed == planted: {verdict}")
    return {"documents": documents, "planted": copies, **result}


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--cluster-child"]:
        print(json.dumps(_cluster_child(Path(sys.argv[2]), sys.argv[3:])))
