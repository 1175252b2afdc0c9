"""Topic benchmark for scripts/bench.py: the model's masked held-out accuracy per topic and language,
and ms per document of the model and of the run's clusters against curate's language ID on the same
texts in the same process.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def bench_topics(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Topic model: masked held-out accuracy per topic/language, and ms/doc against language ID."""
    from curate.topics.clusters import fit_clusters
    from curate.topics.corpus import label_documents, read_documents, split
    from curate.topics.evaluate import cost_per_document, evaluate, format_accuracy
    from curate.topics.model import train_topic_model

    shared = args.data.parent  # --data points at shared/data/warc
    documents = list(read_documents([str(shared / "text"), str(args.data)]))
    labelled = label_documents(documents)
    train, held_out = split(labelled)
    model = train_topic_model([(d.text, d.topic) for d in train], workdir / "topics.bin")
    accuracy = evaluate(model, held_out)
    texts = [d.text for d in documents]
    clusters = fit_clusters(texts)  # what a run without a model fits on its first documents
    predictors = {"topics (model)": model, "topics (clusters)": clusters}
    cost = cost_per_document(predictors, texts, repeat=5 * args.repeat)
    print(f"{len(documents):,} documents of the shared data, {len(labelled):,} seed-labelled: "
          f"{len(train):,} to train on, {len(held_out):,} held out\n")  # fmt: skip
    print(format_accuracy(accuracy))
    print(f"\ncost on {len(texts):,} documents (5,000-character prefixes, one batched call)\n")
    print("| step | ms/doc | vs language ID |\n|---|---:|---:|")
    for name, ms in cost.items():
        print(f"| {name} | {ms:.4f} | {ms / cost['langid']:.2f}x |")
    return {"labelled": len(labelled), "held_out_accuracy": accuracy.rate, "ms_per_doc": cost}
