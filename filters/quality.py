"""A trainable fastText quality classifier (as GPT-3 and DCLM): reference-quality text against
random crawl text. As a filter it keeps documents whose high-quality probability passes a bound."""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from filters.base import BatchFilter, under
from filters.fasttext_training import train_supervised
from filters.ranges import RATIO
from filters.text import TextFeatures
from filters.time_bound import NO_BOUND, TimeBound

POSITIVE, NEGATIVE = "__label__hq", "__label__lq"


def _line(label: str, text: str) -> str:
    return f"{label} {' '.join(text.split())}\n"


def train_classifier(
    positive: Iterable[str],
    negative: Iterable[str],
    output: str | os.PathLike,
    epoch: int = 5,
    lr: float = 0.1,
    word_ngrams: int = 2,
    dim: int = 64,
    seed: int = 0,
    balance: bool = True,
) -> dict[str, Any]:
    """Train on the two text sets (shuffled together, seeded; the smaller side repeated to the size
    of the larger unless `balance` is off); save to `output`; return the document counts."""
    positive_rows = [_line(POSITIVE, t) for t in positive if t.strip()]
    negative_rows = [_line(NEGATIVE, t) for t in negative if t.strip()]
    if not positive_rows or not negative_rows:
        raise ValueError("need at least one positive and one negative document")
    n_positive, n_negative = len(positive_rows), len(negative_rows)
    if balance:  # repeat the smaller side, or the classifier learns to answer the larger one
        target = max(n_positive, n_negative)
        positive_rows = (positive_rows * (target // n_positive + 1))[:target]
        negative_rows = (negative_rows * (target // n_negative + 1))[:target]
    rows = positive_rows + negative_rows
    random.Random(seed).shuffle(rows)
    train_supervised(
        rows, output, epoch=epoch, lr=lr, wordNgrams=word_ngrams, dim=dim, seed=seed, thread=1, verbose=0
    )
    return {"positive": n_positive, "negative": n_negative, "output": str(output)}


@dataclass(frozen=True)
class QualityThresholds:
    model: str = ""  # a model from `curate quality train`; the filter is off without one
    min_score: float = field(default=0.5, metadata=RATIO)  # probability of the high-quality label


class QualityClassifier(BatchFilter[QualityThresholds]):
    name = "quality"
    Thresholds = QualityThresholds
    SIGNALS = {"quality_score": "float"}

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        import fasttext

        fasttext.FastText.eprint = lambda *args, **kwargs: None
        self.model = fasttext.load_model(self.thresholds.model)

    def scores(self, texts: Sequence[str]) -> list[float]:
        labels, probabilities = self.model.predict([" ".join(t.split()) for t in texts], k=2)
        return [
            float(dict(zip(doc_labels, doc_probs)).get(POSITIVE, 0.0))
            for doc_labels, doc_probs in zip(labels, probabilities)
        ]

    def compute(
        self, docs: Sequence[TextFeatures], bound: TimeBound = NO_BOUND
    ) -> list[dict[str, Any] | None]:
        # One batched C++ call, linear in the text: the size cap bounds it, not `bound`.
        return [{"quality_score": score} for score in self.scores([d.text for d in docs])]

    def reason(self, s: dict[str, Any], t: QualityThresholds, doc: TextFeatures) -> str | None:
        return "low_quality_score" if under(s["quality_score"], t.min_score) else None
