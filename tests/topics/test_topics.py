"""The topic foundation: seed labels, the fastText model's masked held-out accuracy and cost, the CLI."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from curate.cli.main import main
from curate.topics.corpus import LabelledDocument, label_documents, read_documents, split
from curate.topics.evaluate import cost_per_document, evaluate
from curate.topics.labels import mask_seeds, seed_label
from curate.topics.model import TopicModel, train_topic_model
from curate.topics.seeds import SEEDS
from curate.topics.taxonomy import TOPIC_NAMES

SHARED_TEXT = Path(__file__).resolve().parents[3] / "shared" / "data" / "text"
CHANCE = 1 / len(TOPIC_NAMES)
FILLER = ("the", "of", "and", "to", "in", "it", "is", "was", "on", "with", "as", "for", "by", "at", "this")
# Words that are no seed but go with a topic: what the model must learn from seed-labelled text to
# name the topic once the seeds are masked.
CONTEXT = {
    "sports": "stadium referee halftime striker kickoff penalty",
    "food_drink": "simmer garlic tasty spoonful saucepan sprinkle",
    "religion": "sermon psalm congregation blessing salvation sacred",
    "travel": "luggage boarding sightseers suitcase layover scenic",
    "health_medicine": "prescription dosage chronic fever inflammation diagnosis",
    "computers_internet": "compile kernel bugfix repository plugin router",
}


def _documents(rng: random.Random, topic: str, n: int) -> list[str]:
    seeds, context = SEEDS["en"][topic], CONTEXT[topic].split()
    return [
        " ".join(rng.choices(seeds, k=5) + rng.choices(context, k=8) + rng.choices(FILLER, k=20))
        for _ in range(n)
    ]


@pytest.fixture(scope="module")
def labelled() -> list[LabelledDocument]:
    """Seed-labelled documents: the shared Common Crawl sample and texts written here."""
    rng = random.Random(0)
    written = [
        LabelledDocument(text, "en", topic)
        for topic in CONTEXT
        for text in _documents(rng, topic, 60)
        if seed_label(text, "en") and seed_label(text, "en").topic == topic
    ]
    return label_documents(read_documents([str(SHARED_TEXT)])) + written


@pytest.fixture(scope="module")
def trained(labelled, tmp_path_factory) -> tuple[TopicModel, list[LabelledDocument]]:
    train, held_out = split(labelled, percent=20)
    path = tmp_path_factory.mktemp("topics") / "topics.bin"
    return train_topic_model([(d.text, d.topic) for d in train], path), held_out


@pytest.mark.parametrize(
    ("text", "lang", "topic"),
    [
        ("Der Trainer lobte die Mannschaft; die Spieler der Bundesliga feierten.", "de", "sports"),
        ("Mélangez la farine et le chocolat, puis mettez la recette au four.", "fr", "food_drink"),
        ("El paciente tenía síntomas; el médico empezó el tratamiento.", "es", "health_medicine"),
        ("Il governo ha approvato la legge; il tribunale e il giudice la applicano.", "it", "law_government"),
        ("Футбол: команда выиграла матч, тренер похвалил игроков.", "ru", "sports"),
        ("这家酒店靠近机场，游客可以预订航班和景点门票。", "zh", "travel"),
        ("新しいパソコンにアプリをダウンロードして、パスワードを設定した。", "ja", "computers_internet"),
    ],
)  # fmt: skip
def test_seed_label_per_language(text, lang, topic):
    label = seed_label(text, lang)
    assert label is not None and label.topic == topic
    assert label.hits >= 3 and label.margin > 0


def test_no_seeds_a_tie_and_an_unknown_language_give_no_label():
    assert seed_label("A quiet afternoon, nothing much happened at all.", "en") is None
    tie = "football soccer tennis recipe recipes chocolate"  # 3 sports hits, 3 food hits
    assert seed_label(tie, "en") is None
    assert seed_label("football soccer tennis league", "en").topic == "sports"
    assert seed_label("football soccer tennis league", "xx") is None


def test_every_topic_has_seeds_in_every_language_and_no_seed_two_topics():
    for lang, by_topic in SEEDS.items():
        assert set(by_topic) == set(TOPIC_NAMES), lang
        seeds = [seed for topic_seeds in by_topic.values() for seed in topic_seeds]
        assert len(seeds) == len(set(seeds)), lang


@pytest.mark.parametrize("text", ["", "x" * 1_000_000, "\x00\x01\x1b\x7f\u2028\n\r\t", "1234567890 " * 500])
def test_hostile_texts_never_crash(text, trained):
    model, _ = trained
    seed_label(text, "en")
    seed_label(text, "zh")
    mask_seeds(text)
    [(topic, score)] = model.predict([text])
    assert topic in TOPIC_NAMES and 0.0 <= score <= 1.0


def test_mask_removes_the_seeds():
    masked = mask_seeds("The football team ate chocolate; 足球 比赛")
    assert "football" not in masked and "chocolate" not in masked and "足球" not in masked
    assert "the" in masked and "ate" in masked


def test_held_out_accuracy_with_seeds_masked_is_far_over_chance(trained):
    model, held_out = trained
    accuracy = evaluate(model, held_out)
    assert accuracy.documents >= 50
    assert accuracy.rate >= 0.5 > 5 * CHANCE  # measured 0.87: the context words carry it
    assert sum(n for n, _ in accuracy.by_topic.values()) == accuracy.documents


def test_predict_one_topic_per_text_in_order(trained):
    model, _ = trained
    texts = ["stadium referee striker penalty kickoff", "", "sermon psalm congregation blessing"]
    predictions = model.predict(texts)
    assert len(predictions) == 3 and model.predict([]) == []
    assert [topic for topic, _ in predictions][::2] == ["sports", "religion"]
    assert all(topic in TOPIC_NAMES and 0 <= score <= 1 for topic, score in predictions)


def test_cost_per_document_is_within_three_times_language_id(trained):
    model, _ = trained
    with gzip.open(next(SHARED_TEXT.glob("*.jsonl.gz")), "rt") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    cost = cost_per_document({"topics": model}, texts, repeat=3)
    assert cost["topics"] <= 3 * cost["langid"] and cost["topics"] < 0.5


def test_cli_train_eval_predict(tmp_path, capsys, monkeypatch, labelled):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"text": d.text, "lang": d.lang}) for d in labelled) + "\n")
    model = tmp_path / "topics.bin"
    assert main(["topics", "train", str(corpus), "-o", str(model), "--epoch", "10"]) == 0
    out = capsys.readouterr().out
    assert f"labelled {len(labelled):,} documents" in out and "held-out accuracy" in out and model.is_file()
    assert main(["topics", "eval", str(model), str(corpus)]) == 0
    assert "| sports |" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("stadium referee striker\nsermon psalm\n"))
    assert main(["topics", "predict", str(model)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.split("\t")[0] in TOPIC_NAMES for line in lines)


def test_a_missing_model_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["topics", "predict", str(tmp_path / "none.bin")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "MODEL" in err and "none.bin" in err
