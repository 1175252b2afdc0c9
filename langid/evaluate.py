"""Accuracy of a LanguageIdentifier on labelled text: accuracy, macro F1, per-language precision
and recall, the most confused pairs, and throughput."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from langid.identify import LanguageIdentifier
from langid.labels import normalize_code, parse_label


@dataclass
class LanguageScores:
    lang: str
    support: int  # documents whose true language this is
    precision: float
    recall: float
    f1: float


@dataclass
class Evaluation:
    documents: int
    skipped_unknown: int  # documents in languages the model cannot predict
    accuracy: float
    macro_f1: float  # over the true languages
    docs_per_s: float
    per_language: list[LanguageScores] = field(default_factory=list)
    confused: list[tuple[str, str, int]] = field(default_factory=list)  # (true, predicted, count)


def score_predictions(
    truth: Sequence[str], predicted: Sequence[str]
) -> tuple[float, float, list[LanguageScores], list[tuple[str, str, int]]]:
    """(accuracy, macro F1, per-language scores, confused pairs by count) of two label lists."""
    true_counts = Counter(truth)
    predicted_counts = Counter(predicted)
    correct = Counter(t for t, p in zip(truth, predicted) if t == p)
    per_language = []
    for lang in sorted(true_counts):
        hits = correct[lang]
        precision = hits / predicted_counts[lang] if predicted_counts[lang] else 0.0
        recall = hits / true_counts[lang]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_language.append(LanguageScores(lang, true_counts[lang], precision, recall, f1))
    accuracy = sum(correct.values()) / len(truth) if truth else 0.0
    macro_f1 = sum(s.f1 for s in per_language) / len(per_language) if per_language else 0.0
    confused = Counter((t, p) for t, p in zip(truth, predicted) if t != p)
    return accuracy, macro_f1, per_language, [(t, p, n) for (t, p), n in confused.most_common()]


def evaluate(
    identifier: LanguageIdentifier, texts: Sequence[str], labels: Sequence[str], batch_size: int = 1000
) -> Evaluation:
    """Predict every text whose (normalized) label the model knows, and score the predictions."""
    known = set(identifier.labels())
    truth_all = [normalize_code(label) for label in labels]
    keep = [i for i, lang in enumerate(truth_all) if lang in known]
    kept_texts = [texts[i] for i in keep]
    truth = [truth_all[i] for i in keep]
    started = time.perf_counter()
    predicted = []
    for offset in range(0, len(kept_texts), batch_size):
        predicted.extend(p.lang for p in identifier.predict(kept_texts[offset : offset + batch_size]))
    seconds = time.perf_counter() - started
    accuracy, macro_f1, per_language, confused = score_predictions(truth, predicted)
    return Evaluation(
        documents=len(truth),
        skipped_unknown=len(labels) - len(truth),
        accuracy=accuracy,
        macro_f1=macro_f1,
        docs_per_s=len(truth) / seconds if seconds else 0.0,
        per_language=per_language,
        confused=confused,
    )


def raw_fasttext_accuracy(model, texts: Sequence[str], labels: Sequence[str]) -> float:
    """Accuracy of a bare `model.predict` on whole texts (newlines as spaces): the reference that
    normalization and prefixes are checked against. Same documents as `evaluate`."""
    known = {parse_label(label).lang for label in model.get_labels()}
    pairs = [(text, normalize_code(label)) for text, label in zip(texts, labels)]
    pairs = [(text, lang) for text, lang in pairs if lang in known]
    if not pairs:
        return 0.0
    predicted, _ = model.predict([text.replace("\n", " ") for text, _ in pairs])
    # A raw label still has to be read in the truth's code system (e.g. ISO 639-3 for UDHR).
    hits = sum(parse_label(p[0]).lang == lang for p, (_, lang) in zip(predicted, pairs))
    return hits / len(pairs)
