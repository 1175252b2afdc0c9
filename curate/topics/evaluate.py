"""How good and how cheap the topic model is: agreement with the seed labels on held-out documents
whose seeds are masked out, per topic and per language, and milliseconds per document against
curate's language ID on the same texts."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from curate.topics.corpus import LabelledDocument
from curate.topics.labels import mask_seeds
from curate.topics.model import TopicModel


@dataclass(frozen=True)
class Accuracy:
    documents: int
    correct: int
    by_topic: dict[str, tuple[int, int]]  # topic -> (documents, correct)
    by_language: dict[str, tuple[int, int]]

    @property
    def rate(self) -> float:
        return self.correct / self.documents if self.documents else 0.0


def evaluate(model: TopicModel, held_out: Sequence[LabelledDocument]) -> Accuracy:
    """The share of held-out documents whose predicted topic is their seed label, read with every
    seed of every language masked, so the model must use the other words it learned."""
    predicted = [topic for topic, _ in model.predict([mask_seeds(doc.text) for doc in held_out])]
    totals: dict[str, Counter[str]] = {"topic": Counter(), "lang": Counter()}
    hits: dict[str, Counter[str]] = {"topic": Counter(), "lang": Counter()}
    for doc, guess in zip(held_out, predicted):
        for key, value in (("topic", doc.topic), ("lang", doc.lang)):
            totals[key][value] += 1
            hits[key][value] += guess == doc.topic
    return Accuracy(
        documents=len(held_out),
        correct=sum(hits["topic"].values()),
        by_topic={topic: (n, hits["topic"][topic]) for topic, n in sorted(totals["topic"].items())},
        by_language={lang: (n, hits["lang"][lang]) for lang, n in totals["lang"].most_common()},
    )


def format_accuracy(accuracy: Accuracy) -> str:
    """Markdown tables: overall, per topic, per language."""
    lines = [f"held-out accuracy (seeds masked): {accuracy.rate:.3f} on {accuracy.documents:,} documents"]
    for title, rows in (("topic", accuracy.by_topic), ("language", accuracy.by_language)):
        lines += ["", f"| {title} | documents | accuracy |", "|---|---:|---:|"]
        lines += [f"| {name} | {n:,} | {correct / n:.3f} |" for name, (n, correct) in rows.items()]
    return "\n".join(lines)


def _seconds(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def cost_per_document(model: TopicModel, texts: Sequence[str], repeat: int = 5) -> dict[str, float]:
    """ms per document of topic prediction and of curate's language ID (both on 5,000-character
    prefixes, one batched call) on the same texts, best of `repeat` interleaved rounds."""
    from langid import LanguageIdentifier

    identifier = LanguageIdentifier()
    batch = list(texts)
    best = {"topics": float("inf"), "langid": float("inf")}
    for _ in range(repeat):  # interleaved, so noise hits both alike
        best["topics"] = min(best["topics"], _seconds(lambda: model.predict(batch)))
        best["langid"] = min(best["langid"], _seconds(lambda: identifier.predict(batch)))
    return {name: 1000 * seconds / max(1, len(batch)) for name, seconds in best.items()}
