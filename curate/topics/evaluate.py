"""How good and how cheap the topic model is: agreement with the seed labels on held-out documents
whose seeds are masked out, per topic and per language, and milliseconds per document against
curate's language ID on the same texts."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from curate.statistics.wilson import wilson_bounds
from curate.topics.corpus import LabelledDocument, fold_of
from curate.topics.labels import mask_seeds
from curate.topics.model import TopicModel, train_topic_model


class Predictor(Protocol):
    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]: ...


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
    return accuracy_of(
        held_out, [topic for topic, _ in model.predict([mask_seeds(d.text) for d in held_out])]
    )


def cross_validate(
    labelled: Sequence[LabelledDocument], folds: int, workdir: Path, epochs: int = 25
) -> Accuracy:
    """`evaluate` over every labelled document: each predicted (seeds masked) by a model trained on
    the other folds, so that a small labelled set still measures on all of it."""
    fold = [fold_of(doc.text, folds) for doc in labelled]
    predicted: list[str] = [""] * len(labelled)
    for k in range(folds):
        train = [(doc.text, doc.topic) for doc, f in zip(labelled, fold) if f != k]
        tested = [i for i, f in enumerate(fold) if f == k]
        if not train or not tested:
            continue
        model = train_topic_model(train, workdir / f"fold-{k}.bin", epochs=epochs)
        for i, (topic, _) in zip(tested, model.predict([mask_seeds(labelled[i].text) for i in tested])):
            predicted[i] = topic
    return accuracy_of(labelled, predicted)


def accuracy_of(docs: Sequence[LabelledDocument], predicted: Sequence[str]) -> Accuracy:
    """How many of `docs` have their seed label as the `predicted` topic, overall and per topic
    and language."""
    totals: dict[str, Counter[str]] = {"topic": Counter(), "lang": Counter()}
    hits: dict[str, Counter[str]] = {"topic": Counter(), "lang": Counter()}
    for doc, guess in zip(docs, predicted):
        for key, value in (("topic", doc.topic), ("lang", doc.lang)):
            totals[key][value] += 1
            hits[key][value] += guess == doc.topic
    return Accuracy(
        documents=len(docs),
        correct=sum(hits["topic"].values()),
        by_topic={topic: (n, hits["topic"][topic]) for topic, n in sorted(totals["topic"].items())},
        by_language={lang: (n, hits["lang"][lang]) for lang, n in totals["lang"].most_common()},
    )


def format_accuracy(accuracy: Accuracy, title: str = "held-out accuracy (seeds masked)") -> str:
    """Markdown tables: overall (with its Wilson 95% interval and the majority topic's share, what
    always guessing it would score), per topic, per language."""
    low, high = wilson_bounds(accuracy.correct, accuracy.documents)
    majority = max((n for n, _ in accuracy.by_topic.values()), default=0) / max(1, accuracy.documents)
    lines = [
        f"{title}: {accuracy.rate:.3f} (95% CI {low:.3f}-{high:.3f}) on {accuracy.documents:,} documents; "
        f"always the most frequent topic: {majority:.3f}"
    ]
    for name, rows in (("topic", accuracy.by_topic), ("language", accuracy.by_language)):
        lines += ["", f"| {name} | documents | accuracy |", "|---|---:|---:|"]
        lines += [f"| {key} | {n:,} | {correct / n:.3f} |" for key, (n, correct) in rows.items()]
    return "\n".join(lines)


def _seconds(predict, batch: list[str]) -> float:
    started = time.perf_counter()
    predict(batch)
    return time.perf_counter() - started


def cost_per_document(
    predictors: dict[str, Predictor], texts: Sequence[str], repeat: int = 5
) -> dict[str, float]:
    """ms per document of each topic predictor (a model, clusters) and of curate's language ID (all
    on 5,000-character prefixes, one batched call) on the same texts, best of `repeat` interleaved
    rounds."""
    from langid import LanguageIdentifier

    identifier = LanguageIdentifier()
    batch = list(texts)
    runs = {
        **{name: predictor.predict for name, predictor in predictors.items()},
        "langid": identifier.predict,
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):  # interleaved, so noise hits all alike
        for name, predict in runs.items():
            best[name] = min(best[name], _seconds(predict, batch))
    return {name: 1000 * seconds / max(1, len(batch)) for name, seconds in best.items()}
