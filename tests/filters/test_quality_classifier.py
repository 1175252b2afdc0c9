"""The quality classifier, trained on generated good and spam texts: it keeps the one, drops the
other, and a score equal to its bound is kept."""

from __future__ import annotations

import pytest

from filters import QualityClassifier, QualityThresholds, TextFeatures, train_classifier
from tests.filters.helpers import run

TOPICS = ("cells", "planets", "proteins", "glaciers", "electrons", "forests", "volcanoes", "bacteria")
FINDINGS = ("grow slowly in cold water", "absorb light from nearby stars", "change shape under pressure")
SPAM = ("buy", "cheap", "pills", "casino", "free", "bonus", "click", "now", "win", "deal", "sale", "viagra")


def science(i: int) -> str:
    topic, finding = TOPICS[i % len(TOPICS)], FINDINGS[i % len(FINDINGS)]
    return (
        f"Researchers observed that {topic} {finding}. The study measured this over several years "
        f"and compared the results with earlier work on {TOPICS[(i + 3) % len(TOPICS)]}."
    )


def spam(i: int) -> str:
    return " ".join(SPAM[(i * 5 + k * 7) % len(SPAM)] for k in range(15)) + " !!!"


@pytest.fixture(scope="module")
def quality_model(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("quality") / "q.bin"
    counts = train_classifier([science(i) for i in range(60)], [spam(i) for i in range(60)], path, epoch=25)
    assert counts == {"positive": 60, "negative": 60, "output": str(path)}
    return str(path)


def test_quality_classifier_keeps_good_and_drops_spam(quality_model):
    classifier = QualityClassifier(thresholds=QualityThresholds(model=quality_model, min_score=0.5))
    good = "Researchers observed that glaciers change shape under pressure over several years."
    bad = "cheap pills casino bonus click now win free deal sale"
    signals, reasons = classifier([TextFeatures(good), TextFeatures(bad)])
    assert all(0.0 <= s["quality_score"] <= 1.0 for s in signals)
    assert signals[0]["quality_score"] > 0.5 > signals[1]["quality_score"]
    assert reasons == [None, "low_quality_score"]


def test_quality_classifier_bound_is_inclusive(quality_model):
    # a document whose score equals min_score is kept; a hair above its score drops it
    good = "Researchers observed that glaciers change shape under pressure over several years."
    score = run(QualityClassifier(thresholds=QualityThresholds(model=quality_model)), good)[0][
        "quality_score"
    ]
    at = QualityClassifier(thresholds=QualityThresholds(model=quality_model, min_score=score))
    assert run(at, good)[1] is None
    above = QualityClassifier(thresholds=QualityThresholds(model=quality_model, min_score=score + 1e-6))
    assert run(above, good)[1] == "low_quality_score"


def test_quality_classifier_handles_newlines_and_empty_text(quality_model):
    classifier = QualityClassifier(thresholds=QualityThresholds(model=quality_model))
    signals, _ = classifier([TextFeatures("Researchers observed\nthat cells grow."), TextFeatures("")])
    assert all(0.0 <= s["quality_score"] <= 1.0 for s in signals)


def test_train_classifier_needs_both_classes(tmp_path):
    with pytest.raises(ValueError):
        train_classifier([science(0)], ["  "], tmp_path / "q.bin")
