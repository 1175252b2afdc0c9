"""Edge cases every filter must survive: empty, blank and punctuation-only documents."""

from __future__ import annotations

import pytest

from filters import C4Quality, FineWebQuality, GopherQuality, GopherRepetition, TextFeatures
from tests.filters.helpers import run


@pytest.mark.parametrize("doc", ["", " ", "\n\n", "#", "...", "…", "\t\r\n"])
def test_filters_survive_degenerate_text(badwords, doc):
    for filter_ in (GopherQuality(), GopherRepetition(), C4Quality(), FineWebQuality(), badwords):
        signals, reasons = filter_([TextFeatures(doc)])
        assert len(signals) == len(reasons) == 1
    assert run(GopherQuality(), doc)[1] == "gopher_short_doc"
    assert run(C4Quality(), doc)[1] == "too_few_sentences"
