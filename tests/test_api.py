"""The Python API: curate.run from a plain script (no main guard) with a process pool, a filter
registered in that script, filter_texts / filter_frame against a pipeline run, stats."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

import curate
from curate.config import Config, FiltersConfig
from curate.errors import UsageError
from curate.pipeline.resume import config_hash
from filters import BatchFilter, registry
from tests.conftest import CC_TEXT, WARC_DIR, shards

INPUTS = [str(WARC_DIR / name) for name in ("sample-0000.warc.gz", "whirlwind.warc.gz", "cc.warc.gz")]
NO_DEDUP = {"dedup": {"enabled": False}}  # dedup's choice of survivor could hide a filter's removals
STARTED = "script started"


def run_script(tmp_path: Path, body: str) -> str:
    """`body` as a plain script (no main guard) in `tmp_path`, run with `python file.py`; its stdout."""
    script = tmp_path / "script.py"
    script.write_text(f"print({STARTED!r}, flush=True)\n" + textwrap.dedent(body))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(STARTED) == 1, "a worker ran the user's script again"
    return done.stdout


def kept_ids(out: Path) -> set[str]:
    return set(shards(out)["id"].to_list())


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m curate run` over the inputs with two workers, dedup off."""
    folder = tmp_path_factory.mktemp("cli")
    (folder / "curate.toml").write_text("[dedup]\nenabled = false\n")
    command = [sys.executable, "-m", "curate", "run", *INPUTS, "-o", str(folder / "out"), "--workers", "2"]
    done = subprocess.run(
        [*command, "--config", str(folder / "curate.toml"), "--no-progress"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return folder / "out"


def test_run_from_a_plain_script_with_workers_equals_the_cli(cli_run: Path, tmp_path: Path) -> None:
    out = run_script(
        tmp_path,
        f"""
        import curate
        result = curate.run({INPUTS!r}, "out", {NO_DEDUP!r}, workers=2, show_progress=False)
        print("failures", [task.failure for task in result.failed])
        """,
    )
    assert "failures []" in out, out
    assert kept_ids(tmp_path / "out") == kept_ids(cli_run)
    assert kept_ids(cli_run)  # the comparison is not between two empty runs


def marker_word(out: Path) -> str:
    """A word in some kept documents but not all, so that a filter on it has work to do."""
    texts = [text.lower().split() for text in shards(out)["text"].to_list()]
    for word in ("privacy", "contact", "search", "news", "home", "about", "more"):
        if 0 < sum(word in words for words in texts) < len(texts):
            return word
    raise AssertionError("no candidate word splits the kept documents")


def test_a_filter_registered_in_the_script_runs_on_the_workers(cli_run: Path, tmp_path: Path) -> None:
    word = marker_word(cli_run)
    config = {**NO_DEDUP, "filters": {"order": [*Config().filters.order, "marker"]}}
    out = run_script(
        tmp_path,
        f"""
        from dataclasses import dataclass

        import curate
        from filters import BatchFilter


        @dataclass(frozen=True)
        class MarkerThresholds:
            word: str = {word!r}


        @curate.register_filter
        class Marker(BatchFilter):
            name = "marker"
            Thresholds = MarkerThresholds
            SIGNALS = {{"marker_found": "bool"}}

            def signals(self, doc):
                return {{"marker_found": self.thresholds.word in doc.text.lower().split()}}

            def reason(self, signals, thresholds, doc):
                return "has_marker" if signals["marker_found"] else None


        result = curate.run({INPUTS!r}, "out", {config!r}, workers=2, show_progress=False)
        print("failures", [task.failure for task in result.failed])
        """,
    )
    assert "failures []" in out, out
    base = shards(cli_run)
    marked = {row["id"] for row in base.iter_rows(named=True) if word in row["text"].lower().split()}
    assert marked
    assert kept_ids(tmp_path / "out") == kept_ids(cli_run) - marked
    ledger = pl.read_parquet(tmp_path / "out" / "stats" / "*.parquet")
    booked = ledger.filter(pl.col("stage") == "marker")
    assert booked["reason"].unique().to_list() == ["has_marker"]
    assert booked["docs"].sum() == len(marked)


@pytest.fixture(scope="module")
def texts_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """A pipeline run (in this process) over 150 documents of Common Crawl text, dedup off, with the
    removed documents' texts kept."""
    folder = tmp_path_factory.mktemp("texts")
    with gzip.open(CC_TEXT, "rt") as lines:
        docs = [{"id": doc["id"], "text": doc["text"]} for doc in map(json.loads, list(lines)[:150])]
    source = folder / "docs.jsonl"
    source.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    curate.run(str(source), folder / "out", NO_DEDUP, workers=1, show_progress=False)
    return folder / "out", docs


def pipeline_verdicts(out: Path, ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """id -> (stage, reason) of each removed document, (None, None) for the kept ones; the others
    the reader skipped (the ledger counts them, the removed record has none)."""
    removed = pl.read_parquet(out / "stats" / "removed" / "**" / "*.parquet", hive_partitioning=False)
    verdicts = {row["id"]: (row["stage"], row["reason"]) for row in removed.iter_rows(named=True)}
    verdicts.update({doc_id: (None, None) for doc_id in kept_ids(out)})
    ledger = pl.read_parquet(out / "stats" / "*.parquet").filter(pl.col("outcome") == "skipped")
    assert ledger["reason"].unique().to_list() == ["empty"]
    assert ledger["docs"].sum() == len(set(ids) - set(verdicts))
    return {doc_id: verdicts.get(doc_id, ("read", "empty")) for doc_id in ids}


def test_filter_texts_decides_as_the_pipeline(texts_run: tuple[Path, list[dict]]) -> None:
    out, docs = texts_run
    result = curate.filter_texts([doc["text"] for doc in docs])
    assert result.height == len(docs)
    ours = {doc["id"]: (row["stage"], row["reason"]) for doc, row in zip(docs, result.iter_rows(named=True))}
    assert ours == pipeline_verdicts(out, [doc["id"] for doc in docs])
    assert 0 < result["kept"].sum() < len(docs)
    assert len({reason for _, reason in ours.values()}) > 5  # many filters had their say
    kept_text = dict(zip(shards(out)["id"], shards(out)["text"]))
    rows = zip(docs, result.iter_rows(named=True))
    assert all(row["text"] == kept_text[doc["id"]] for doc, row in rows if row["kept"])  # C4's rewriting too


def test_filter_frame_adds_the_verdicts_and_signals(texts_run: tuple[Path, list[dict]]) -> None:
    _, docs = texts_run
    frame = pl.DataFrame({"body": [doc["text"] for doc in docs[:40]], "language": ["en"] * 40})
    config = {"filters": {"order": ["gopher_repetition", "gopher_quality"]}}
    result = curate.filter_frame(frame, "body", "language", config)
    assert result.columns[:2] == ["body", "language"]
    assert result["body"].to_list() == frame["body"].to_list()
    assert set(result["lang"]) == {"en"} and result["lang_score"].null_count() == 40
    expected = curate.filter_texts(frame["body"].to_list(), "en", config)
    assert result["kept"].to_list() == expected["kept"].to_list()
    assert set(result["stage"].drop_nulls()) == {"read", "gopher_repetition", "gopher_quality"}
    assert result["gopher_words"].null_count() < 40  # a signal column, filled


HOSTILE = [
    "",
    None,
    " \n\t ",
    "x" * 2_000_000,
    "\x00\x01\x02\x1b[31m\x7f" * 1000,
    "lone \ud800 surrogate \udfff here " * 50,
    "\u202e\u200b\ufeff" * 500,
    "a" * 100_000,
    "word " * 200_000,
]


@pytest.mark.parametrize("langs", [None, "en"])
def test_filter_texts_gives_a_row_for_every_hostile_input(langs: str | None) -> None:
    result = curate.filter_texts(HOSTILE, langs)
    assert result.height == len(HOSTILE)
    assert not result["kept"][:3].any()  # nothing to keep in an empty text
    assert result["stage"][:3].null_count() == 0 and result["reason"][:3].null_count() == 0
    if langs:
        assert result.row(3, named=True)["reason"] == "too_large"
    assert "\ud800" not in "".join(result["text"].to_list())


def test_filter_texts_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError, match="str or None"):
        curate.filter_texts([b"bytes"])
    with pytest.raises(ValueError, match="2 langs for 1 texts"):
        curate.filter_texts(["one"], ["en", "de"])


@dataclass(frozen=True)
class NoThresholds:
    pass


def numbered_filter(limit: int) -> type[BatchFilter]:
    """A filter class named `digits`, a new class (and source line) each call."""

    class Digits(BatchFilter[NoThresholds]):
        name = "digits"
        Thresholds = NoThresholds
        SIGNALS = {"digits": "int"}

        def signals(self, doc):
            return {"digits": sum(char.isdigit() for char in doc.text)}

        def reason(self, signals, thresholds, doc):
            return "many_digits" if signals["digits"] > limit else None

    return Digits


def test_register_filter_checks_the_class() -> None:
    with pytest.raises(TypeError, match="BatchFilter"):
        curate.register_filter(dict)
    built_in = type("Fake", (numbered_filter(1),), {"name": "c4"})
    with pytest.raises(ValueError, match="built-in"):
        curate.register_filter(built_in)
    with pytest.raises(UsageError, match="filters.order"):
        curate.filter_texts(["text"], config={"filters": {"order": ["not_registered"]}})


def test_a_registered_filter_decides_and_names_the_resume_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    config = {"filters": {"order": ["digits"]}, "langid": {"enabled": False}}
    curate.register_filter(numbered_filter(3))
    result = curate.filter_texts(["1234 5", "12"], config=config)
    assert result["kept"].to_list() == [False, True]
    assert result["digits"].to_list() == [5, 2]
    assert result["stage"].to_list() == ["digits", None]
    before = config_hash(Config(filters=FiltersConfig(order=["digits"])))

    class Digits(numbered_filter(3)):  # another class under the same name
        pass

    curate.register_filter(Digits)
    after = config_hash(Config(filters=FiltersConfig(order=["digits"])))
    assert before != after
    assert config_hash(Config()) == config_hash(Config())  # runs without one keep their digest


def test_stats_reads_a_finished_run(texts_run: tuple[Path, list[dict]]) -> None:
    out, docs = texts_run
    tables = curate.stats(out)
    assert {"funnel", "languages", "removals", "summary"} <= set(tables)
    summary = tables["summary"].row(0, named=True)
    assert summary["read_records"] == len(docs)
    assert summary["kept_docs"] == len(kept_ids(out))


def test_import_curate_stays_cheap() -> None:
    check = "import sys, curate; print('polars' in sys.modules, 'curate.api' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False"]
