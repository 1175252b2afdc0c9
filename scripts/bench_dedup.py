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
