"""Property tests (hypothesis) over random documents: the filters never raise and every signal stays
within its range; the n-gram counts and the sentence ends equal their plain definitions."""

from __future__ import annotations

import math
import re
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from curate.config import FiltersConfig
from curate.pipeline.steps.filters import build_filters
from filters.c4 import SENTENCE_END
from filters.gopher_repetition import DUPLICATE_NGRAMS, TOP_NGRAMS, ngram_char_counts
from filters.text import TextFeatures
from tests.random_texts import LANGS, SETTINGS, TEXTS

FILTERS = build_filters(FiltersConfig())
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
@given(st.lists(st.lists(st.sampled_from(["a", "b", "bb", "the", "cat", "x."]), max_size=60), max_size=5))
def test_ngram_counting_equals_the_plain_definition(documents):
    # a small vocabulary: many repeats, ties and overlaps, within and across the batch's documents
    for words, counted in zip(documents, ngram_char_counts(documents), strict=True):
        for n in (*TOP_NGRAMS, *DUPLICATE_NGRAMS):
            assert counted.get(n, 0) == reference_ngram_chars(words, n), n
        assert set(counted) == {n for n in (*TOP_NGRAMS, *DUPLICATE_NGRAMS) if len(words) >= n}


PLAIN_SENTENCE_END = re.compile(r"[.!?]+['\"”’)\]]*\s+(?=\S)|[。！？]+['\"”’」』)\]]*\s*(?=\S)")


@SETTINGS
@given(st.text(st.sampled_from(list("ab .!?。！？'\"”’)]」』 \n\t")), max_size=60))
def test_sentence_ends_equal_the_plain_pattern(line):
    assert SENTENCE_END.findall(line) == PLAIN_SENTENCE_END.findall(line)
