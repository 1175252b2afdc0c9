"""Unsupervised topic clusters: fitted on real crawl text and on separated synthetic topics, saved
and loaded exactly, the same in every process, and unbroken by hostile text."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.errors import UsageError
from curate.topics.clusters import UNCLUSTERED, TopicClusters, _fit, _tokens, fit_clusters
from tests.conftest import CC_TEXT, REPO

NAME = re.compile(r"c\d{2}( \S+){1,3}")
FILLER = (
    "the", "a", "of", "and", "to", "in", "it", "is", "was", "on", "with", "as", "for", "by", "at", "this",
    "that", "we", "you", "they", "very", "just", "also",
)  # fmt: skip
TOPICS = {
    "cooking": "recipe flour oven butter simmer garlic onion sauce bake whisk dough pepper salt "
    "tablespoon saucepan roast chopped skillet cream",
    "football": "goal striker referee penalty midfielder stadium league keeper kickoff halftime "
    "tackle offside coach match scored fans defender season",
    "programming": "compiler function variable python debugger runtime syntax module kernel "
    "repository commit pointer array loop exception library thread",
}


def _synthetic(rng: random.Random, n: int = 30) -> tuple[list[str], list[str]]:
    """n texts per topic: topic words among common filler, in varied lengths and orders."""
    texts, groups = [], []
    for topic, words in TOPICS.items():
        vocabulary = words.split()
        for _ in range(n):
            topical = rng.choices(vocabulary, k=rng.randint(6, 16))
            chosen = topical + rng.choices(FILLER, k=rng.randint(10, 30))
            rng.shuffle(chosen)
            texts.append(" ".join(chosen).capitalize() + ".")
            groups.append(topic)
    return texts, groups


@pytest.fixture(scope="module")
def cc_texts() -> list[str]:
    with gzip.open(CC_TEXT, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[str], list[str]]:
    return _synthetic(random.Random(7))


@pytest.fixture(scope="module")
def synthetic_clusters(synthetic) -> TopicClusters:
    return fit_clusters(synthetic[0], k=3)


def test_cc_sample_fits_ten_named_clusters_that_predict_reproduces(cc_texts):
    clusters, fitted = _fit(cc_texts, k=10, seed=0, max_vocabulary=20_000)
    assert len(clusters.names) == len(clusters.sizes) == 10
    assert all(NAME.fullmatch(name) for name in clusters.names), clusters.names
    assert [name[:3] for name in clusters.names] == [f"c{i:02d}" for i in range(10)]
    assert clusters.sizes == sorted(clusters.sizes, reverse=True)  # c00 the largest
    assigned = [name for name in fitted if name != UNCLUSTERED]
    assert sum(clusters.sizes) == len(assigned) and len(fitted) == len(cc_texts)
    assert Counter(assigned) == dict(zip(clusters.names, clusters.sizes))
    predicted = clusters.predict(cc_texts)
    agree = sum(name == fit for (name, _), fit in zip(predicted, fitted)) / len(cc_texts)
    assert agree >= 0.95
    assert all(0.0 <= score <= 1.0 for _, score in predicted)


def test_separated_topics_are_recovered_and_named_by_their_words(synthetic, synthetic_clusters):
    texts, groups = synthetic
    predicted = [name for name, _ in synthetic_clusters.predict(texts)]
    majority = {}
    for topic in TOPICS:
        names = Counter(name for name, group in zip(predicted, groups) if group == topic)
        majority[topic], count = names.most_common(1)[0]
        assert count >= 0.9 * groups.count(topic), (topic, names)
        assert set(majority[topic].split()[1:]) & set(TOPICS[topic].split()), majority[topic]
    assert len(set(majority.values())) == len(TOPICS)


def test_save_load_round_trips_exactly(tmp_path, synthetic, cc_texts, synthetic_clusters):
    path = tmp_path / "clusters.npz"
    synthetic_clusters.save(path)
    assert os.listdir(tmp_path) == ["clusters.npz"]  # no temp file left behind
    loaded = TopicClusters.load(path)
    assert loaded.names == synthetic_clusters.names and loaded.sizes == synthetic_clusters.sizes
    assert loaded.vocabulary == synthetic_clusters.vocabulary
    assert np.array_equal(loaded.centroids, synthetic_clusters.centroids)
    texts = synthetic[0] + cc_texts[:50]
    assert loaded.predict(texts) == synthetic_clusters.predict(texts)
    synthetic_clusters.save(path)  # over an existing file
    assert TopicClusters.load(path).names == synthetic_clusters.names


def test_load_refuses_what_is_no_clusters_file(tmp_path, synthetic_clusters):
    missing = tmp_path / "missing.npz"
    with pytest.raises(UsageError, match=re.escape(str(missing))):
        TopicClusters.load(missing)
    text = tmp_path / "text.npz"
    text.write_text("not numpy")
    with pytest.raises(UsageError, match=re.escape(str(text))):
        TopicClusters.load(text)
    for other, write in (("other.npz", np.savez), ("array.npy", np.save)):
        write(tmp_path / other, np.arange(3))
        with pytest.raises(UsageError, match="not a topic clusters file"):
            TopicClusters.load(tmp_path / other)
    good = tmp_path / "good.npz"
    synthetic_clusters.save(good)
    with np.load(good) as data:
        arrays = dict(data)
    arrays["centroids"] = arrays["centroids"][:, :-1]  # one word short
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    with pytest.raises(UsageError, match="centroids of shape"):
        TopicClusters.load(bad)


def test_fits_are_the_same_in_another_process(cc_texts):
    """No Python hash() on the way: a process with another PYTHONHASHSEED fits the same clusters."""
    texts = cc_texts[:300]
    clusters = fit_clusters(texts, k=5, seed=3)
    script = (
        "import gzip, json, sys\n"
        "from curate.topics.clusters import fit_clusters\n"
        f"texts = [json.loads(line)['text'] for line in gzip.open({str(CC_TEXT)!r}, 'rt')][:300]\n"
        "clusters = fit_clusters(texts, k=5, seed=3)\n"
        "json.dump([clusters.names, clusters.predict(texts)], sys.stdout)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    names, predicted = json.loads(out.stdout)
    assert names == clusters.names
    assert [tuple(pair) for pair in predicted] == clusters.predict(texts)
    assert fit_clusters(texts, k=5, seed=3).names == clusters.names  # and again in this one


def test_unspaced_scripts_get_bigram_features():
    assert _tokens("我们今天去北京 東京") == ["我们", "们今", "今天", "天去", "去北", "北京", "東京"]
    assert _tokens("ภาษาไทย") == ["ภา", "าษ", "ษา", "าไ", "ไท", "ทย"]  # the vowel marks stay in
    mixed = ["mixed", "ab", "l", "été", "snake", "case", "2019", "中文"]  # CJK runs after the others
    assert _tokens("Mixed中文ab  l'été snake_case 2019") == mixed
    dishes = ("饺子", "面条", "米饭")
    zh = [f"今天我们在北京吃了{dish}和{drink}" for dish in dishes for drink in ("茶", "咖啡")]
    clusters = fit_clusters(zh, k=1)
    assert set(dishes) <= set(clusters.vocabulary)  # 今天 is in every text: no feature
    assert "今天" not in clusters.vocabulary
    assert all(name == clusters.names[0] for name, _ in clusters.predict(zh))


def test_fit_refuses_nothing_to_cluster():
    with pytest.raises(ValueError, match="no documents to cluster"):
        fit_clusters([])
    with pytest.raises(ValueError, match="no words"):
        fit_clusters(["", "   ", "!!! ...", "123 4567", "a b c"] * 10)
    with pytest.raises(ValueError, match="at least 1"):
        fit_clusters(["some words"], k=0)


def test_fit_survives_degenerate_samples(synthetic):
    duplicates = fit_clusters(["the same page about bread and butter"] * 60, k=5)
    assert len(duplicates.names) == 1  # one direction: k collapses
    assert duplicates.predict(["bread"])[0][0] == duplicates.names[0]
    one = fit_clusters(synthetic[0], k=1)
    assert len(one.names) == 1 and one.sizes == [len(synthetic[0])]
    assert NAME.fullmatch(one.names[0])
    tiny = fit_clusters(["cats purr softly", "dogs bark loudly"], k=20)
    assert len(tiny.names) == 1  # a tenth of two documents: one cluster
    huge = "\ud800 oven flour " * 1_000_000  # 13 MB with lone surrogates: only the prefix is read
    mixed = fit_clusters(synthetic[0] + [huge, "\udfff", ""], k=3)
    assert mixed.predict([huge])[0][0] != UNCLUSTERED


def test_predict_never_fails_on_hostile_text(synthetic_clusters):
    assert synthetic_clusters.predict([]) == []
    assert synthetic_clusters.predict(["", "\ud800\udfff", "!!!", "12345"]) == [(UNCLUSTERED, 0.0)] * 4
    ten_mb = "recipe oven flour \udc80 " * 500_000
    assert synthetic_clusters.predict([ten_mb])[0][0] != UNCLUSTERED


hostile = st.text(alphabet=st.characters(codec=None), max_size=300) | st.text(
    alphabet=st.sampled_from("recipe oven goal python \ud800\U0010ffff\x00中文ภาษา_-'\n"), max_size=300
)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(hostile, max_size=8))
def test_predict_any_text_one_pair_each_in_range(synthetic_clusters, texts):
    predicted = synthetic_clusters.predict(texts)
    assert len(predicted) == len(texts)
    for name, score in predicted:
        assert name in synthetic_clusters.names or (name, score) == (UNCLUSTERED, 0.0)
        assert 0.0 <= score <= 1.0


@settings(max_examples=50, deadline=None)
@given(texts=st.lists(hostile, min_size=1, max_size=40), k=st.integers(1, 5))
def test_fit_any_text_clusters_or_says_no_words(texts, k):
    try:
        clusters = fit_clusters(texts, k=k)
    except ValueError as exc:
        assert "no words" in str(exc)
        return
    assert 1 <= len(clusters.names) <= k and sum(clusters.sizes) <= len(texts)
    assert len(clusters.predict(texts)) == len(texts)
