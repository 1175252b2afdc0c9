"""Unicode repair: mojibake, entities and stray controls repaired; correct text in any script left
exactly as it is (the UDHR in 448 languages); never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters.unicode_repair import needs_repair, repair_text
from tests.conftest import SHARED_DATA

WORDS = ["café", "naïve", "Straße", "doesn’t", "“quoted”", "déjà vu", "São Paulo", "Zürich", "—"]


@pytest.mark.parametrize("wrong", ["cp1252", "latin-1"])
@pytest.mark.parametrize("word", WORDS)
def test_utf8_read_as_a_legacy_charset_is_repaired(word, wrong):
    sentence = f"We met at the {word} on Monday, as planned.\nThe next line is fine."
    try:
        broken = sentence.encode("utf-8").decode(wrong)
    except UnicodeDecodeError:  # cp1252 has no character for 0x81, 0x8D, 0x8F, 0x90, 0x9D
        pytest.skip("not decodable in this charset: a reader would not have produced it")
    assert needs_repair(broken)
    assert repair_text(broken) == sentence


def test_entities_controls_and_separators_are_repaired_line_by_line():
    text = "Tom &amp; Jerry\nA quote: \x93hi\x94 and a dash 1980\x961990\n\ufeffBOM line\u2028next"
    assert repair_text(text) == "Tom & Jerry\nA quote: “hi” and a dash 1980–1990\nBOM line\nnext"


def test_what_is_not_broken_is_left_alone():
    for text in (
        "Plain ASCII, with 'quotes' and a < b > c.",
        "“Curly quotes” stay curly, and so does the ligature in ﬁsh.",
        "全角のＡＢＣと句読点、そのまま。",  # full-width Latin and CJK punctuation stay full-width
        "Ελληνικά, русский, עברית, العربية, हिन्दी, 한국어",
        "e\u0301 decomposed stays decomposed",  # no normalization
    ):
        assert repair_text(text) == text


def test_the_udhr_in_every_language_changes_only_where_its_source_has_c1_controls(shared_data):
    rows = [json.loads(line) for line in (SHARED_DATA / "langid" / "udhr_articles.jsonl").open()]
    rows = [row for row in rows if row.get("stage", 4) >= 4]
    changed = [row for row in rows if repair_text(row["text"]) != row["text"]]
    assert len(rows) > 16_000
    # The only changes: cp1252 punctuation stored as C1 controls (U+0080-U+009F) in two translations.
    assert changed and all(any("\x80" <= c <= "\x9f" for c in row["text"]) for row in changed)
    assert {row["iso639_3"] for row in changed} <= {"kng", "kea"}
    for row in changed:
        assert not any("\x80" <= c <= "\x9f" for c in repair_text(row["text"]))


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec=None), max_size=300))
def test_any_text_is_repaired_without_raising_and_a_repair_is_stable(text):
    once = repair_text(text)
    assert isinstance(once, str)
    if not needs_repair(text):
        assert once == text
    assert repair_text(once) == repair_text(repair_text(once))


def test_a_long_text_with_suspects_on_every_line_finishes():
    text = ("Ã©tÃ© &amp; \x93x\x94 " * 50 + "\n") * 2000  # 2,000 lines to repair
    repaired = repair_text(text)
    assert repaired.count("\n") == 2000 and "Ã©" not in repaired
