"""Batched language identification with fastText: one `predict` call per batch, list input."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from langid.labels import UNDETERMINED, parse_label
from langid.model import find_model, load_model

# Characters read per document: chosen from the accuracy/speed table in the README.
DEFAULT_PREFIX_CHARS = 5000
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Prediction:
    lang: str  # ISO 639-1 where it exists, else 639-3; "und" for text without letters
    script: str | None
    score: float
    alternatives: tuple[tuple[str, float], ...] = field(default=())  # the next best, when k > 1


NO_LANGUAGE = Prediction(UNDETERMINED, None, 0.0)


class LanguageIdentifier:
    """`predict(texts)` -> one Prediction per text, in order.

    `prefix_chars` bounds the text each prediction reads (None: all of it); newlines become
    spaces, since fastText reads one line. Text without a single letter is `und` with score 0.
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        prefix_chars: int | None = DEFAULT_PREFIX_CHARS,
        top_k: int = 1,
    ):
        self.model_path = find_model(model_path)
        self.model = load_model(self.model_path)
        self.prefix_chars = prefix_chars
        self.top_k = top_k

    def prepare(self, text: str) -> str | None:
        sample = text[: self.prefix_chars] if self.prefix_chars else text
        if not LETTER.search(sample):
            return None
        return sample.replace("\n", " ")

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        prepared = [self.prepare(text) for text in texts]
        todo = [i for i, sample in enumerate(prepared) if sample is not None]
        results = [NO_LANGUAGE] * len(texts)
        if not todo:
            return results
        labels, scores = self.model.predict([prepared[i] for i in todo], k=self.top_k)
        for i, doc_labels, doc_scores in zip(todo, labels, scores):
            best = parse_label(doc_labels[0])
            alternatives = tuple(
                (parse_label(label).lang, round(float(score), 4))
                for label, score in zip(doc_labels[1:], doc_scores[1:])
            )
            results[i] = Prediction(best.lang, best.script, float(doc_scores[0]), alternatives)
        return results

    def labels(self) -> list[str]:
        """Every language the model can predict, normalized."""
        return sorted({parse_label(label).lang for label in self.model.get_labels()})
