"""Property tests (hypothesis) over random documents: the filters and dedup's signatures never
raise, and every signal stays within its range."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.config import FiltersConfig
from curate.dedup.minhash import MinHasher
from curate.dedup.normalize import normalize_text
from curate.pipeline.steps import Removal
from curate.pipeline.steps.filters import FilterStep, build_filters
from filters.c4 import SENTENCE_END
from filters.gopher_repetition import DUPLICATE_NGRAMS, TOP_NGRAMS, ngram_char_counts
from filters.text import TextFeatures

# Letters of several scripts, digits, punctuation, bullets, markup, whitespace and control chars.
ALPHABET = st.sampled_from(
    list("abcdefghij ABC xyz 0123 .,;:!?…-–—'\"()[]{}#*•·|/\\<>&@%$ \n\n\t\r")
    + list("äéßñøçЖжЯя中文字日本語のテストไทยعربي")
    + ["\x00", "\u200b", "\ufeff", "😀"]
)
TEXTS = st.text(ALPHABET, max_size=1500) | st.lists(
    st.sampled_from(
        ["the cat sat.", "Lorem ipsum dolor", "* item", "...", "Read more", "{x}", "\n", "a b c d e"]
    ),
    max_size=80,
).map(" ".join)
LANGS = st.sampled_from(["en", "de", "ru", "zh", "ja", "th", "ar", "und", "la"])
FILTERS = build_filters(FiltersConfig())
SMALL_CAP_STAGE = FilterStep(FiltersConfig(max_text_chars=1000))  # some random documents are over it
# Fractions of a whole (lines, words, characters of the text) cannot leave [0, 1].
FRACTIONS = {
    "gopher_bullet_lines_ratio",
    "gopher_ellipsis_lines_ratio",
    "gopher_alpha_words_ratio",
    "fw_punct_lines_ratio",
    "fw_short_lines_ratio",
    "fw_dup_line_char_ratio",
    "rep_dup_para_ratio",
    "rep_dup_line_ratio",
    "rep_dup_para_char_ratio",
    "rep_dup_line_char_ratio",
    *(f"rep_dup_{n}gram_char_ratio" for n in range(5, 11)),
}
KINDS = {"int": int, "float": float, "bool": bool, "str": str}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_signal(name: str, kind: str, value: object) -> None:
    if value is None:
        return  # a signal a filter does not compute for this language
    if kind == "list[str]":
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), name
        return
    assert isinstance(value, KINDS[kind]) or (kind == "float" and isinstance(value, int)), (name, value)
    if kind in ("int", "float"):
        assert math.isfinite(value) and value >= 0, (name, value)
    if name in FRACTIONS:
        assert value <= 1 + 1e-9, (name, value)


@SETTINGS
@given(st.lists(st.tuples(TEXTS, LANGS), min_size=1, max_size=6))
def test_filters_never_raise_and_signals_stay_in_range(documents):
    docs = [TextFeatures(text, lang) for text, lang in documents]
    for batch_filter in FILTERS:
        signals, reasons = batch_filter(docs)
        assert len(signals) == len(reasons) == len(docs)
        for doc_signals, reason in zip(signals, reasons):
            assert reason is None or isinstance(reason, str) and reason
            for name, kind in batch_filter.SIGNALS.items():
                check_signal(name, kind, doc_signals.get(name))


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


HASHER = MinHasher()


@SETTINGS
@given(st.lists(TEXTS, min_size=1, max_size=8))
def test_minhash_signatures_are_deterministic_and_shaped(texts):
    signatures, exact = HASHER.sketch(texts)
    assert signatures.shape == (len(texts), HASHER.params.num_perm) and signatures.dtype == np.uint32
    again, exact_again = HASHER.sketch(list(texts))
    assert np.array_equal(signatures, again) and np.array_equal(exact, exact_again)
    bands = HASHER.band_keys(signatures)
    assert bands.shape == (len(texts), HASHER.params.bands)
    # Equal normalized texts share the exact key and every band (MinHash of identical shingles).
    for i in range(len(texts)):
        for j in range(len(texts)):
            if normalize_text(texts[i]) == normalize_text(texts[j]):
                assert exact[i] == exact[j] and np.array_equal(bands[i], bands[j])


def reference_ngram_chars(words: list[str], n: int) -> int:
    """Gopher's n-gram rules written the plain way, as datatrove does, with one difference: its
    duplicate n-grams are the words joined with no separator, so that "b bb" equals "bb b"; here
    (and in curate) an n-gram is a tuple of words, as the paper defines it."""
    if len(words) < n:
        return 0
    if n in TOP_NGRAMS:  # all occurrences of the most frequent n-gram, joined with spaces
        gram, count = Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1)).most_common(1)[0]
        return len(gram) * count
    seen, chars, i = set(), 0, 0  # n-grams seen before, joined without spaces, skipping past repeats
    while i < len(words) - n + 1:
        gram = tuple(words[i : i + n])
        if gram in seen:
            chars, i = chars + len("".join(gram)), i + n
        else:
            seen.add(gram)
            i += 1
    return chars


@SETTINGS
@given(st.lists(st.sampled_from(["a", "b", "bb", "the", "cat", "x."]), max_size=60))
def test_ngram_counting_equals_the_plain_definition(words):
    # a small vocabulary: many repeats, ties and overlaps
    counted = ngram_char_counts(words)
    for n in (*TOP_NGRAMS, *DUPLICATE_NGRAMS):
        assert counted.get(n, 0) == reference_ngram_chars(words, n), n


PLAIN_SENTENCE_END = re.compile(r"[.!?]+['\"”’)\]]*\s+(?=\S)|[。！？]+['\"”’」』)\]]*\s*(?=\S)")


@SETTINGS
@given(st.text(st.sampled_from(list("ab .!?。！？'\"”’)]」』 \n\t")), max_size=60))
def test_sentence_ends_equal_the_plain_pattern(line):
    assert SENTENCE_END.findall(line) == PLAIN_SENTENCE_END.findall(line)
