"""Topic benchmark for scripts/bench.py: the model's cross-validated accuracy per topic and language,
and ms per document of the model and of the run's clusters against curate's language ID on the same
texts in the same process.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

FOLDS = 5


def bench_topics(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Topics: cross-validated accuracy per topic/language; ms/doc of model and clusters vs language ID."""
    from curate.topics.clusters import fit_clusters
    from curate.topics.corpus import label_documents, read_documents
    from curate.topics.evaluate import cost_per_document, cross_validate, format_accuracy
    from curate.topics.model import train_topic_model

    shared = args.data.parent  # --data points at shared/data/warc
    documents = list(read_documents([str(shared / "text"), str(args.data)]))
    labelled = label_documents(documents)
    # Every labelled document scored by a model that did not see it: a 10% held-out split of so few
    # documents is a dozen.
    accuracy = cross_validate(labelled, FOLDS, workdir)
    model = train_topic_model([(d.text, d.topic) for d in labelled], workdir / "topics.bin")
    texts = [d.text for d in documents]
    clusters = fit_clusters(texts)  # what a run without a model fits on its first documents
    predictors = {"topics (model)": model, "topics (clusters)": clusters}
    cost = cost_per_document(predictors, texts, repeat=5 * args.repeat)
    print(f"{len(documents):,} documents of the shared data, {len(labelled):,} seed-labelled\n")
    print(format_accuracy(accuracy, f"{FOLDS}-fold cross-validated accuracy (seeds masked)"))
    print(f"\ncost on {len(texts):,} documents (5,000-character prefixes, one batched call)\n")
    print("| step | ms/doc | vs language ID |\n|---|---:|---:|")
    for name, ms in cost.items():
        print(f"| {name} | {ms:.4f} | {ms / cost['langid']:.2f}x |")
    return {"labelled": len(labelled), "cross_validated_accuracy": accuracy.rate, "ms_per_doc": cost}
