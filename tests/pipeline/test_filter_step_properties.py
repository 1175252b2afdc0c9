"""Property test (hypothesis) over random documents: the pipeline's filter step fills every signal
column and removes a document only with a known step (a filter's, or `too_large`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from curate.config import FiltersConfig
from curate.pipeline.steps import Removal
from curate.pipeline.steps.filters import FilterStep, build_filters
from tests.random_texts import LANGS, SETTINGS, TEXTS

FILTERS = build_filters(FiltersConfig())
SMALL_CAP_STAGE = FilterStep(FiltersConfig(max_text_chars=1000))  # some random documents are over it


@SETTINGS
@given(st.lists(st.tuples(TEXTS, LANGS), min_size=1, max_size=6))
def test_filter_stage_fills_every_column_and_removes_with_a_known_stage(documents):
    stage = SMALL_CAP_STAGE
    columns = {"text": [t for t, _ in documents], "lang": [lang for _, lang in documents]}
    for batch_filter in FILTERS:
        for name in batch_filter.SIGNALS:
            columns[name] = [None] * len(documents)
    removals = stage.apply(columns)
    names = {f.name for f in FILTERS}
    too_large = Removal("filters", "too_large")
    assert all(r is None or r.step in names or r == too_large for r in removals)
    assert all(r == too_large for r, (text, _) in zip(removals, documents) if len(text) > 1000)
    for i, removal in enumerate(removals):
        if removal is None:  # a kept document went through every filter
            assert all(
                columns[name][i] is not None or name == "c4_page_rule"
                for f in FILTERS
                for name in f.SIGNALS
                if f.name != "badwords"
            ), i
