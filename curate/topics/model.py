"""The topic classifier: a fastText supervised model over word and character n-grams, trained on
weakly labelled text (labels.py) and read on each document's prefix, as the labels were."""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from pathlib import Path

from curate.errors import UsageError
from curate.topics.labels import PREFIX_CHARS
from curate.topics.taxonomy import TOPIC_NAMES
from filters.fasttext_training import train_supervised

LABEL_PREFIX = "__label__"
# fastText's hash table for word and character n-grams; its default (2M rows) makes a model of
# hundreds of MB, and a few hundred thousand rows hold the n-grams of a small labelled corpus.
BUCKETS = 200_000


def prepare(text: str) -> str:
    """What the model reads of a document: its prefix, lower-cased, on one line (fastText reads one
    line, and a newline in a predict call is an error), whitespace runs as one space."""
    return " ".join(text[:PREFIX_CHARS].lower().split())


def train_topic_model(
    labelled: Sequence[tuple[str, str]],
    path: str | os.PathLike,
    epochs: int = 25,
    dim: int = 32,
    word_ngrams: int = 2,
    minn: int = 3,
    maxn: int = 5,
    lr: float = 0.2,
    seed: int = 0,
) -> TopicModel:
    """Train on (text, topic) pairs, save the model to `path` and return it. Character n-grams of
    minn..maxn letters let it read inflections and compounds it never saw whole, in any language."""
    unknown = sorted({topic for _, topic in labelled} - set(TOPIC_NAMES))
    if unknown:
        raise ValueError(f"topics outside the taxonomy: {', '.join(unknown)}")
    rows = [f"{LABEL_PREFIX}{topic} {line}\n" for text, topic in labelled if (line := prepare(text))]
    if not rows:
        raise ValueError("no labelled text to train on")
    random.Random(seed).shuffle(rows)  # fastText reads the file in order: no run of one topic
    train_supervised(
        rows, path, epoch=epochs, lr=lr, dim=dim, wordNgrams=word_ngrams, minn=minn, maxn=maxn,
        bucket=BUCKETS, seed=seed, thread=1, verbose=0,
    )  # fmt: skip
    return TopicModel.load(path)


class TopicModel:
    """`predict(texts)` -> one (topic, score) per text, in order: the top topic, always, with its
    probability (a text the model is unsure of gets a low score, not a missing topic)."""

    def __init__(self, model):
        self.model = model

    @classmethod
    def load(cls, path: str | os.PathLike, option: str = "--model") -> TopicModel:
        """The model at `path`; a UsageError naming `option` (where the path came from) if there is none."""
        if not Path(path).is_file():
            raise UsageError(f"{option}: no such topic model: {path} (make one with `curate topics train`)")
        import fasttext

        fasttext.FastText.eprint = lambda *args, **kwargs: None  # its load warning on stderr
        try:
            model = fasttext.load_model(str(path))
        except ValueError as exc:
            raise UsageError(f"{option}: {path} is not a fastText model ({exc})") from None
        return cls(model)

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        if not texts:
            return []
        labels, scores = self.model.predict([prepare(text) for text in texts], k=1)  # a list: NumPy 2
        return [
            (doc_labels[0].removeprefix(LABEL_PREFIX), min(1.0, max(0.0, float(doc_scores[0]))))
            for doc_labels, doc_scores in zip(labels, scores)
        ]
