"""The topic sample's texts handed to the tasks: each page is extracted once per run, and the
shards are exactly those of a run that extracts every page in its task."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from curate.config import Config
from curate.extract.sandbox import ExtractorSandbox
from curate.layout import OutputLayout
from curate.pipeline import task as task_module
from curate.pipeline.run import run_pipeline
from curate.pipeline.sample_handover import KnownTexts, page_digest, read_handover, write_handover
from tests.conftest import WARC_DIR, shards
from tests.random_texts import SETTINGS

SAMPLE_DOCS = 15


def _counted_run(inputs, out, monkeypatch, handover: bool = True) -> int:
    """Run with topics on (clusters fitted on SAMPLE_DOCS pages); the pages the sandbox extracted."""
    calls = []
    original = ExtractorSandbox.extract_many

    def counting(self, pages):
        calls.extend(pages)
        return original(self, pages)

    monkeypatch.setattr(ExtractorSandbox, "extract_many", counting)
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


TYPES = {
    "binary": (pa.binary(), st.binary(max_size=20)),
    "string": (pa.string(), st.text(max_size=20)),
    "large_string": (pa.large_string(), st.text(max_size=20)),
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
}
PAGE = b"<html><body><p>a page of its own</p></body></html>"


@SETTINGS
@given(st.sampled_from(sorted(TYPES)), st.sampled_from(sorted(TYPES)), st.data())
def test_a_crafted_handover_file_gives_a_text_or_nothing(tmp_path_factory, digest_type, text_type, data):
    """Whatever OUT/topics/sample.parquet holds (other column types, nulls, this page's digest or
    not, other inputs' rows), a task gets a string for a page or extracts it itself."""
    digest_arrow, digest_values = TYPES[digest_type]
    text_arrow, text_values = TYPES[text_type]
    if digest_type == "binary":  # this very page's digest among the others
        digest_values = st.one_of(digest_values, st.just(page_digest(PAGE, "utf-8")))
    rows = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["a.warc", "b.warc"]), st.none() | digest_values, st.none() | text_values
            ),
            max_size=6,
        )
    )
    inputs, digests, texts = (list(column) for column in zip(*rows)) if rows else ([], [], [])
    schema = pa.schema([("input", pa.string()), ("digest", digest_arrow), ("text", text_arrow)])
    path = tmp_path_factory.mktemp("handover") / "sample.parquet"
    pq.write_table(pa.table({"input": inputs, "digest": digests, "text": texts}, schema=schema), path)
    known = read_handover(path, "a.warc")
    for _ in range(len(rows) + 1):
        text = known.take(PAGE, "utf-8")
        assert text is None or isinstance(text, str)


@pytest.mark.parametrize("sample_docs", [1, 7, 33, 200])
def test_the_sample_in_groups_is_the_sample_page_by_page(inputs, sample_docs, monkeypatch):
    """The sample's pages go to the extractor in groups, and the sample is still the first
    `sample_docs` texts of the inputs, in order, with no page extracted beyond the last of them."""
    from curate.extract import Extractor
    from curate.pipeline.steps.record import ExtractStep
    from curate.pipeline.topic_clusters import sample_texts
    from curate.readers import read_input

    config = Config()
    config.extract.timeout_s = 0  # in process: the grouping, not the sandbox, is under test
    config.topics.sample_docs = sample_docs
    config = config.validate()
    expected, examined, pages_needed = [], [], 0
    alone = ExtractStep(config.extract)
    for location in map(str, inputs):
        if len(expected) == sample_docs:
            break
        examined.append(location)
        with read_input(location, config.read) as opened:
            for record in opened.records:
                if len(expected) == sample_docs:
                    break
                if record.skip or record.error:
                    continue
                pages_needed += record.html is not None
                if alone.apply(record) is None and record.text and record.text.strip():
                    expected.append((location, record.text))
    groups = []
    original = Extractor.run_many
    monkeypatch.setattr(
        Extractor, "run_many", lambda self, pages: groups.append(len(pages)) or original(self, pages)
    )
    sample, sampled = sample_texts(config, list(map(str, inputs)))
    assert [(location, text) for location, _, text in sample] == expected
    assert sampled == examined
    assert sum(groups) == pages_needed  # none extracted for nothing
    assert max(groups) <= min(sample_docs, 32) and (sample_docs < 10 or max(groups) > 1)
