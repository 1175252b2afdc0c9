"""The topic sample's texts handed to the tasks: each page is extracted once per run, and the
shards are exactly those of a run that extracts every page in its task."""

from __future__ import annotations

import polars as pl
import pytest

from curate.config import Config
from curate.extract.sandbox import ExtractorSandbox
from curate.layout import OutputLayout
from curate.pipeline import task as task_module
from curate.pipeline.run import run_pipeline
from curate.pipeline.sample_handover import KnownTexts, page_digest, read_handover, write_handover
from tests.conftest import WARC_DIR, shards

SAMPLE_DOCS = 15


def _counted_run(inputs, out, monkeypatch, handover: bool = True) -> int:
    """Run with topics on (clusters fitted on SAMPLE_DOCS pages); the pages the sandbox extracted."""
    calls = []
    original = ExtractorSandbox.extract

    def counting(self, html, charset):
        calls.append(1)
        return original(self, html, charset)

    monkeypatch.setattr(ExtractorSandbox, "extract", counting)
    if not handover:
        monkeypatch.setattr(task_module, "read_handover", lambda path, location: KnownTexts())
    config = Config()
    config.topics.sample_docs = SAMPLE_DOCS
    run_pipeline([str(i) for i in inputs], out, config.validate(), show_progress=False, workers=1)
    monkeypatch.undo()
    return len(calls)


@pytest.fixture(scope="module")
def inputs(shared_data):
    return sorted(WARC_DIR.iterdir())


def test_each_page_is_extracted_once_and_the_shards_do_not_change(tmp_path, inputs, monkeypatch):
    with_handover = _counted_run(inputs, tmp_path / "a", monkeypatch)
    without = _counted_run(inputs, tmp_path / "b", monkeypatch, handover=False)
    handed = pl.read_parquet(OutputLayout(tmp_path / "a").topic_sample_texts)
    # The sample's HTML pages (its WET and JSON records were text already, nothing to hand over).
    assert 5 <= handed.height <= SAMPLE_DOCS and handed["digest"].n_unique() == handed.height
    # Without the handover those pages are extracted twice: by the sample and by their task.
    assert without - with_handover == handed.height
    columns = ["id", "text", "topic", "lang", "text_repaired"]
    assert (
        shards(tmp_path / "a")
        .select(columns)
        .sort("id")
        .equals(shards(tmp_path / "b").select(columns).sort("id"))
    )
    a, b = (
        pl.read_parquet(OutputLayout(out).removed_files()).select("id", "stage", "reason").sort("id")
        for out in (tmp_path / "a", tmp_path / "b")
    )
    assert a.equals(b)


def test_a_damaged_handover_file_only_costs_extraction(tmp_path, inputs, monkeypatch):
    out = tmp_path / "out"
    _counted_run(inputs, out, monkeypatch)
    expected = shards(out).select("id", "text").sort("id")
    layout = OutputLayout(out)
    damaged = b"PAR1 not parquet at all"
    layout.topic_sample_texts.write_bytes(damaged)
    assert not read_handover(layout.topic_sample_texts, str(inputs[0]))
    for marker in layout.markers_dir.iterdir():  # the rerun redoes the tasks; the clusters stay
        marker.unlink()
    extracted = _counted_run(inputs, out, monkeypatch)
    assert layout.topic_sample_texts.read_bytes() == damaged  # the tasks met it, not a new one
    assert extracted > 0 and shards(out).select("id", "text").sort("id").equals(expected)


def test_known_texts_count_repeated_pages_and_tell_charsets_apart(tmp_path):
    page = b"<html><body><p>the same page twice</p></body></html>"
    digest = page_digest(page, "utf-8")
    path = tmp_path / "sample.parquet"
    rows = [("a.warc", digest, "text"), ("a.warc", digest, "text"), ("b.warc", b"x" * 16, "other")]
    write_handover(path, rows)
    known = read_handover(path, "a.warc")
    assert known.take(page, "latin-1") is None  # read with another charset: another extraction
    assert known.take(page, "utf-8") == "text" and known
    assert known.take(page, "utf-8") == "text" and not known  # both uses spent: no more hashing
    assert known.take(page, "utf-8") is None
    assert not read_handover(path, "c.warc") and not read_handover(tmp_path / "missing.parquet", "a.warc")
