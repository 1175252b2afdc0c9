"""Filter-chain benchmark for scripts/bench.py: our filters against datatrove's on the same texts.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

CC_TEXT = "text/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"


def _texts(shared: Path) -> list[str]:
    with gzip.open(shared / CC_TEXT, "rt") as fh:
        return [t for t in (json.loads(line)["text"] for line in fh) if t.strip()]


def _our_chain(shared: Path):
    from curate.config import Config
    from curate.document import DOCUMENT_SCHEMA
    from curate.pipeline.steps.filters import FilterStep

    config = Config()
    config.filters.badwords_dir = str(shared / "ldnoobw")
    stage = FilterStep(config.filters)

    def run(texts: list[str]) -> int:
        columns = {name: [None] * len(texts) for name in DOCUMENT_SCHEMA.names}
        columns["text"], columns["lang"] = list(texts), ["en"] * len(texts)
        return sum(removal is None for removal in stage.apply(columns))

    return run


def _datatrove_chain(shared: Path):
    """FineWeb's filter order in datatrove, each document stopping at its first drop."""
    assets = Path(tempfile.mkdtemp(prefix="datatrove-assets-"))
    os.environ["HF_ASSETS_CACHE"] = str(assets)  # before huggingface_hub is imported
    from compare_datatrove import prime_badwords_cache
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4BadWordsFilter,
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    prime_badwords_cache(shared / "ldnoobw", assets)
    chain = [
        GopherRepetitionFilter(),
        GopherQualityFilter(),
        C4QualityFilter(filter_no_terminal_punct=False),
        FineWebQualityFilter(),
        C4BadWordsFilter(default_language="en"),
    ]

    def run(texts: list[str]) -> int:
        kept = 0
        for i, text in enumerate(texts):
            doc = Document(text=text, id=str(i), metadata={"language": "en"})
            kept += all(f.filter(doc) is True for f in chain)
        return kept

    return run


def bench_filters(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """All filters (FineWeb order, badwords included) against datatrove's chain, ms per document."""
    shared = args.data.parent
    texts = _texts(shared)
    chains = {"curate filters": _our_chain(shared)}
    try:
        chains["datatrove filters"] = _datatrove_chain(shared)
    except ImportError as exc:
        print(f"datatrove not measured ({exc}): pip install -e '.[compare]'")
    best: dict[str, float] = {name: float("inf") for name in chains}
    kept: dict[str, int] = {}
    for _ in range(args.repeat):  # interleaved rounds, best of each
        for name, run in chains.items():
            started = time.perf_counter()
            kept[name] = run(texts)
            best[name] = min(best[name], time.perf_counter() - started)
    rounds = f"best of {args.repeat} rounds"
    print(f"{len(texts)} Common Crawl documents (the shared text sample), one core, {rounds}\n")
    print("| chain | ms/doc | documents kept | vs curate |\n|---|---:|---:|---:|")
    ours = best["curate filters"]
    for name, seconds in best.items():
        print(f"| {name} | {seconds / len(texts) * 1000:.2f} | {kept[name]} | {seconds / ours:.1f}x |")
    return {"documents": len(texts), "seconds": best, "kept": kept}
