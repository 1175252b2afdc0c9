"""Fault isolation: a step that raises on some documents costs exactly those documents, booked as
`<step>_failed` errors with their id, URL and exception in the error log; a task that raises fails
its input alone, on a worker too: the failure is that task's, never the run's.

Faults are injected into each step in turn, on documents hypothesis picks; the documents it did
not pick must come out exactly as in a run without faults.
"""

from __future__ import annotations

import gzip
import json
import random

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from curate.cli import main
from curate.config import Config
from curate.executors import run_all
from curate.executors.local import LocalExecutor
from curate.executors.lost import TaskFailed
from curate.layout import OutputLayout
from curate.ledger import read_error_logs
from tests.conftest import ledger, run, shards
from tests.crashing_tasks import square_unless_raises

POISON = "zebrafruit"  # a word no generated text has by chance
VOCABULARY = (
    "the of and to in that have with river mill valley people water land town farmer barley autumn "
    "harvest market visitor bank stone bridge century school child bird fish stream museum tool map "
    "letter story settler morning evening winter summer garden orchard apple road village church "
    "window door table kitchen bread cheese butter milk horse cart wheel field forest hill mountain "
    "lake boat fisherman net rope sail wind rain cloud sun moon star night light lamp candle book page"
)
WORDS = VOCABULARY.split()


def prose(seed: int) -> str:
    """Ten lines of plain sentences that pass every filter, different for every seed."""
    rng = random.Random(seed)
    lines = []
    for _ in range(10):
        words = [rng.choice(WORDS) for _ in range(rng.randint(9, 14))]
        lines.append(" ".join(words).capitalize() + ".")
    return "\n".join(lines)


def write_docs(path, poisoned: list[bool]) -> list[str]:
    """A JSONL file of English documents that pass every filter; the poisoned ones carry POISON
    in their URL and text. Returns the ids."""
    rows = []
    for i, poison in enumerate(poisoned):
        marker = f" {POISON}" if poison else ""
        text = f"Document number {i} is here{marker}.\n{prose(i)}\nIt ends with item {i}{marker}.\n"
        url = f"https://site{i}.example.org/page{'-' + POISON if poison else ''}"
        rows.append({"id": f"doc-{i}", "url": url, "text": text})
    with gzip.open(path, "wt") as fh:
        fh.writelines(json.dumps(row) + "\n" for row in rows)
    return [row["id"] for row in rows]


def kept_documents(out) -> pl.DataFrame:
    """(id, text) of the shards, sorted; empty when nothing was kept."""
    if not any((out / "shards").rglob("*.parquet")):
        return pl.DataFrame(schema={"id": pl.String, "text": pl.String})
    return shards(out).select("id", "text").sort("id")


def pipeline_config() -> Config:
    config = Config()
    config.filters.order = ["gopher_repetition", "gopher_quality", "fineweb"]
    return config


def raise_on_poison(original):
    """`original`, raising on a call whose arguments (a document, a text or a batch of them) hold POISON."""

    def patched(*args, **kwargs):
        if any(POISON in str(getattr(arg, "text", arg)) for arg in args):
            raise RuntimeError(f"injected fault ({POISON})")
        return original(*args, **kwargs)

    return patched


def _patch(name):
    def inject(monkeypatch):
        module, attribute = name.rsplit(".", 1)
        target = __import__(module, fromlist=[attribute.split(":")[0]])
        if ":" in attribute:  # a method: module.Class:method
            cls_name, method = attribute.split(":")
            cls = getattr(target, cls_name)
            monkeypatch.setattr(cls, method, raise_on_poison(getattr(cls, method)))
        else:
            monkeypatch.setattr(target, attribute, raise_on_poison(getattr(target, attribute)))

    return inject


# step booked -> how to make it raise on poisoned documents
FAULTS = {
    "url": _patch("filters.url.UrlFilter:reason"),
    "domain": _patch("curate.pipeline.task.registered_domain"),
    "langid": _patch("langid.LanguageIdentifier:predict"),
    "gopher_quality": _patch("filters.gopher_quality.GopherQuality:signals"),
    "signatures": _patch("curate.dedup.minhash.MinHasher:sketch"),
}


@pytest.fixture(scope="module")
def clean_runs(tmp_path_factory):
    """Fault-free runs, cached per poisoning pattern (the poison word changes nothing by itself)."""
    cache: dict[tuple[bool, ...], pl.DataFrame] = {}

    def clean(poisoned: tuple[bool, ...]) -> pl.DataFrame:
        if poisoned not in cache:
            base = tmp_path_factory.mktemp("clean")
            write_docs(base / "docs.jsonl.gz", list(poisoned))
            run([base / "docs.jsonl.gz"], base / "out", pipeline_config())
            cache[poisoned] = kept_documents(base / "out")
        return cache[poisoned]

    return clean


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    step=st.sampled_from(sorted(FAULTS)),
    poisoned=st.lists(st.booleans(), min_size=1, max_size=6).filter(any),
)
@example(step="signatures", poisoned=[True, True])  # every document of a batch fails: none staged
def test_a_step_that_raises_costs_only_the_documents_it_raises_on(
    step, poisoned, clean_runs, tmp_path_factory, monkeypatch_module
):
    base = tmp_path_factory.mktemp("faulty")
    ids = write_docs(base / "docs.jsonl.gz", poisoned)
    with monkeypatch_module.context() as monkeypatch:
        FAULTS[step](monkeypatch)
        result = run([base / "docs.jsonl.gz"], base / "out", pipeline_config())
    assert not result.failed, result.failed
    bad = {doc_id for doc_id, poison in zip(ids, poisoned) if poison}
    expected = clean_runs(tuple(poisoned)).filter(~pl.col("id").is_in(bad))
    assert kept_documents(base / "out").equals(expected)
    errors = ledger(base / "out").filter(pl.col("outcome") == "error")
    assert errors.group_by("stage", "reason").agg(pl.col("docs").sum()).rows() == [
        (step, f"{step}_failed", len(bad))
    ]
    log = read_error_logs(OutputLayout(base / "out"))
    assert set(log["id"]) == bad and set(log["error_type"]) == {"RuntimeError"}
    assert all(POISON in url for url in log["url"])


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_a_row_arrow_cannot_store_is_a_write_error(tmp_path, monkeypatch):
    """A stage that leaves a value of the wrong type in a column: that row alone is lost."""
    from curate.pipeline.steps.language import LanguageStep

    original = LanguageStep.apply

    def apply(self, columns):
        removals = original(self, columns)
        for i, text in enumerate(columns["text"]):
            if POISON in text:
                columns["lang_score"][i] = "not a number"
        return removals

    monkeypatch.setattr(LanguageStep, "apply", apply)
    ids = write_docs(tmp_path / "docs.jsonl.gz", [False, True, False])
    run([tmp_path / "docs.jsonl.gz"], tmp_path / "out", pipeline_config())
    assert sorted(shards(tmp_path / "out")["id"]) == [ids[0], ids[2]]
    errors = ledger(tmp_path / "out").filter(pl.col("outcome") == "error")
    assert errors.select("stage", "reason", "docs").rows() == [("write", "write_failed", 1)]


def test_a_task_that_raises_fails_its_input_alone(tmp_path, monkeypatch, capsys):
    import curate.pipeline.task

    good = tmp_path / "good.jsonl.gz"
    bad = tmp_path / "bad.jsonl.gz"
    write_docs(good, [False, False])
    write_docs(bad, [False, True])
    original = curate.pipeline.task.read_input

    def read_input(location, config):
        if "bad" in location:
            raise KeyError("injected bug in a reader")
        return original(location, config)

    monkeypatch.setattr(curate.pipeline.task, "read_input", read_input)
    code = main(["run", str(good), str(bad), "-o", str(tmp_path / "out"), "--no-progress", "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err
    assert f"{bad}: failed: KeyError" in captured.err
    assert shards(tmp_path / "out").height == 2
    assert not list((tmp_path / "out" / "stats").glob("bad*"))  # the failed input left nothing


def test_a_task_that_raises_in_a_worker_is_that_tasks_failure():
    tasks = [(x, 3) for x in range(6)]
    results = run_all(LocalExecutor(2), square_unless_raises, tasks, on_lost=lambda args, error: error)
    assert [r for r in results if not isinstance(r, TaskFailed)] == [0, 1, 4, 16, 25]
    failed = results[3]
    assert isinstance(failed, TaskFailed) and "ValueError" in str(failed)
    with pytest.raises(TaskFailed):  # without on_lost: a one-line CurateError, not a traceback
        run_all(LocalExecutor(1), square_unless_raises, tasks)
