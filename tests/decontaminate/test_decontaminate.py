"""Benchmark decontamination: a document is removed exactly when it shares a word n-gram (dedup's
normalized words) with a benchmark text; the run books it per benchmark, and nothing is lost."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.config import Config, DecontaminateConfig
from curate.decontaminate.benchmarks import benchmark_name
from curate.decontaminate.index import ContaminationIndex
from curate.dedup.normalize import normalize_text
from curate.errors import UsageError
from curate.pipeline.run import run_pipeline
from tests.conftest import CC_TEXT, ledger, shards

QUESTION = (
    "Which planet in our solar system is known as the red planet because of the iron oxide that covers "
    "its surface?"
)


def _jsonl(path: Path, rows: list) -> str:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return str(path)


def test_a_shared_13_gram_matches_whatever_the_case_and_punctuation(tmp_path):
    row = {"question": QUESTION, "choices": {"text": ["Mars", "Venus"]}}
    arc = _jsonl(tmp_path / "arc_easy.jsonl", [row])
    index = ContaminationIndex.build([arc])
    found = index.match(
        [
            "Quiz! WHICH planet, in our solar-system, is known as the Red Planet because of the iron oxide?",
            "Mars is red. Venus is hot. The iron oxide that covers its surface is rust, a planet known so.",
        ]
    )
    assert found[0] == ("arc_easy", "which planet in our solar system is known as the red planet because")
    assert found[1] is None
    assert index.benchmarks[0].rows == 1 and index.benchmarks[0].short_texts == 2  # "Mars", "Venus"


def test_n_grams_never_span_two_fields_and_the_first_benchmark_keeps_a_shared_one(tmp_path):
    words = [f"word{letter}" for letter in "abcdefghijklmnopqrst"]  # no digits: normalizing folds them
    row = {"question": " ".join(words[:8]), "answer": " ".join(words[8:])}
    first = _jsonl(tmp_path / "first.jsonl", [row])
    second = _jsonl(tmp_path / "second.jsonl", [{"text": " ".join(words)}])
    only_first = ContaminationIndex.build([first])
    assert only_first.match([" ".join(words)]) == [None]  # 8 + 12 words: no 13 in one field
    both = ContaminationIndex.build([second, first, second])  # a file named twice is read once
    assert [b.name for b in both.benchmarks] == ["second", "first"]
    assert both.match([" ".join(words)])[0][0] == "second"


def test_bad_rows_are_counted_and_bad_files_are_usage_errors(tmp_path):
    mixed = _jsonl(tmp_path / "mixed.jsonl", [{"question": QUESTION}, "not json", "[1, 2]", {"id": 3}, "{"])
    index = ContaminationIndex.build([mixed])
    assert (index.benchmarks[0].rows, index.benchmarks[0].skipped) == (5, 4)
    assert index.match([QUESTION])[0] is not None
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"\x00\x01PK\x03\x04" * 20)
    for path in (str(tmp_path / "missing.jsonl"), str(binary)):
        with pytest.raises(UsageError, match="decontaminate.files"):
            ContaminationIndex.build([path])
    with pytest.raises(UsageError, match="ngram"):
        ContaminationIndex.build([mixed], ngram=0)


def test_a_parquet_benchmark_is_read_by_its_text_fields(tmp_path):
    path = tmp_path / "squad.parquet"
    pq.write_table(pa.table({"context": [QUESTION], "id": [1]}), path)
    assert ContaminationIndex.build([str(path)]).match([QUESTION])[0][0] == "squad"


@given(st.text(max_size=120))
def test_a_benchmark_name_is_one_safe_folder_name(path):
    name = benchmark_name(path)
    assert name and "/" not in name and ".." not in name and not name.startswith(".")
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name) and len(name) <= 80


VOCABULARY = st.sampled_from(["the", "a", "Planet", "red", "iron", "Öxide", "42", "its", "of", "sea"])


@settings(max_examples=150, deadline=None)
@given(
    benchmark=st.lists(st.lists(VOCABULARY, min_size=0, max_size=12), min_size=1, max_size=4),
    documents=st.lists(st.lists(VOCABULARY, min_size=0, max_size=30), min_size=1, max_size=6),
    n=st.integers(2, 5),
)
def test_a_document_matches_exactly_when_it_shares_an_n_gram_with_a_benchmark_text(
    tmp_path_factory, benchmark, documents, n
):
    path = _jsonl(tmp_path_factory.mktemp("b") / "b.jsonl", [{"text": " ".join(w)} for w in benchmark])
    index = ContaminationIndex.build([path], ngram=n)

    def grams(text: str) -> set[tuple[str, ...]]:
        words = normalize_text(text).split()
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    known = set().union(*(grams(" ".join(w)) for w in benchmark))
    texts = [" ".join(words) for words in documents]
    for text, found in zip(texts, index.match(texts)):
        assert (found is not None) == bool(grams(text) & known)
        if found:
            assert tuple(found[1].split()) in known


def _benchmark_from_real_documents(tmp_path: Path) -> tuple[str, list[str]]:
    """A benchmark whose three questions are passages of three real Common Crawl pages."""
    with gzip.open(CC_TEXT, "rt") as lines:
        texts = [json.loads(line)["text"] for line in lines]
    long = [text for text in texts if len(text.split()) > 300][:3]
    rows = [{"question": " ".join(text.split()[100:130])} for text in long]
    return _jsonl(tmp_path / "mmlu.jsonl", rows), long


def test_a_run_removes_the_overlapping_documents_books_them_per_benchmark_and_loses_nothing(tmp_path):
    benchmark, planted = _benchmark_from_real_documents(tmp_path)
    config = Config(decontaminate=DecontaminateConfig(files=[benchmark])).validate()
    config.langid.enabled = config.filters.enabled = config.topics.enabled = False
    result = run_pipeline([str(CC_TEXT)], tmp_path / "out", config, show_progress=False)
    booked = ledger(tmp_path / "out")
    removed = booked.filter(pl.col("stage") == "decontaminate")
    assert removed["reason"].unique().to_list() == ["decontamination/mmlu"]
    assert removed["docs"].sum() == 3  # the three pages the questions came from, nothing else
    kept = shards(tmp_path / "out")
    assert not any(text in set(kept["text"]) for text in planted)
    totals = result.tasks[0].totals
    assert totals["read"] == totals["kept"] + totals["removed"] + totals["skipped"] + totals["error"]
    assert kept.height == totals["kept"]


def test_a_changed_benchmark_redoes_the_run_and_a_missing_one_fails_first(tmp_path):
    benchmark, _ = _benchmark_from_real_documents(tmp_path)
    config = Config(decontaminate=DecontaminateConfig(files=[benchmark])).validate()
    config.langid.enabled = config.filters.enabled = config.topics.enabled = False
    out = tmp_path / "out"
    run_pipeline([str(CC_TEXT)], out, config, show_progress=False)
    Path(benchmark).write_text(json.dumps({"question": "nothing any page says " * 4}) + "\n")
    run_pipeline([str(CC_TEXT)], out, config, show_progress=False)
    assert ledger(out).filter(pl.col("stage") == "decontaminate").height == 0  # redone, not skipped
    missing = Config(decontaminate=DecontaminateConfig(files=[str(tmp_path / "gone.jsonl")])).validate()
    with pytest.raises(UsageError, match="decontaminate.files"):
        run_pipeline([str(CC_TEXT)], tmp_path / "never", missing, show_progress=False)
    assert not (tmp_path / "never" / "shards").exists()
