"""How the Gopher stop-word rule counts (issue #20): exact matches as datatrove counts them, in
either Unicode normalization form, and in Korean as the endings of spaced words."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from filters.gopher_quality import GopherQuality, count_stop_words
from filters.profiles import filter_overrides
from filters.text import TextFeatures
from tests.random_texts import SETTINGS

ENGLISH = ("the", "be", "to", "of", "and", "that", "have", "with")


def test_english_counts_exact_distinct_words_as_datatrove():
    words = ["The", "cat", "and", "the", "dog", "AND", "with"]
    assert count_stop_words(set(words), ENGLISH, "en") == 3  # the, and, with; "The"/"AND" are not
    assert count_stop_words({"theater", "bethe"}, ENGLISH, "en") == 0  # whole words only


def test_decomposed_text_matches_a_composed_list_and_back():
    listed = ("của", "được", "người")
    decomposed = {unicodedata.normalize("NFD", word) for word in listed}
    assert decomposed.isdisjoint(listed)  # the forms differ
    assert count_stop_words(decomposed, listed, "vi") == 3
    assert count_stop_words(set(listed), tuple(decomposed), "vi") == 3


def test_vietnamese_udhr_in_decomposed_form_passes_fineweb2s_rule(shared_data):
    """The UDHR's Vietnamese is not NFC; FineWeb-2's list is: 1 stop word found before, so the
    rule removed every Vietnamese UDHR document."""
    with open(shared_data / "langid" / "udhr_articles.jsonl") as fh:
        text = next(
            r["text"] for r in map(json.loads, fh) if r["udhr_code"] == "vie" and r["article"] is None
        )
    assert not unicodedata.is_normalized("NFC", text)
    quality = GopherQuality(per_language=filter_overrides("fineweb2", "gopher_quality"))
    assert quality.signals(TextFeatures(text, "vi"))["gopher_stop_words"] >= 5


def test_korean_particles_count_as_the_ends_of_words():
    stop_words = ("의", "는", "를", "에서")
    words = {"구성원의", "권리를", "세계", "학교에서"}
    assert count_stop_words(words, stop_words, "ko") == 3
    assert count_stop_words({"의", "세계"}, stop_words, "ko") == 1  # a particle on its own still counts
    assert count_stop_words(words, stop_words, "ja") == 0  # only Korean matches endings


@SETTINGS
@given(words=st.sets(st.text(max_size=6), max_size=30), lang=st.sampled_from(["en", "vi", "ko", "xx"]))
def test_the_count_is_at_most_the_list_and_grows_with_the_words(words, lang):
    stop_words = ("의", "는", "và", "của", "the", "a")
    count = count_stop_words(words, stop_words, lang)
    assert 0 <= count <= len(stop_words)
    assert count_stop_words(words | {"the"}, stop_words, lang) >= count
