"""Gopher quality rules (Rae et al. 2021), defaults as datatrove's GopherQualityFilter."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from filters.base import BatchFilter, over, ratio, under
from filters.ranges import COUNT, MAX_COUNT, PER_WORD, RATIO, allowing, within
from filters.text import TextFeatures
from filters.words import UNSPACED_LANGUAGES, has_letter, is_symbol_word

STOP_WORDS = {"en": ("the", "be", "to", "of", "and", "that", "have", "with")}
# Korean is spaced by eojeol (a word and its particles and endings: 구성원의, 권리를), and FineWeb-2's
# Korean stop words are those particles and endings, as Kiwi's morphemes: a stop word is present
# when a word ends with it (measured: Kiwi costs 260x the split, scripts/bench_filters.py).
SUFFIX_STOP_WORD_LANGUAGES = frozenset({"ko"})


@lru_cache(maxsize=4096)
def stop_word_forms(stop_words: tuple[str, ...]) -> dict[str, str]:
    """Each stop word as listed and in both Unicode normalization forms (NFC, NFD) -> the word as
    listed: a text in decomposed form (Vietnamese pages often are) matches a list in composed form,
    and back."""
    forms = {}
    for word in stop_words:
        forms.setdefault(word, word)  # as listed too: it may be neither form (marks in another order)
        for form in ("NFC", "NFD"):
            forms.setdefault(unicodedata.normalize(form, word), word)
    return forms


def count_stop_words(words: Collection[str], stop_words: tuple[str, ...], lang: str) -> int:
    """Distinct stop words present among the distinct `words` (the Gopher rule's count)."""
    forms = stop_word_forms(stop_words)
    found = {forms[word] for word in forms.keys() & words}
    if lang in SUFFIX_STOP_WORD_LANGUAGES:
        lengths = {len(form) for form in forms}  # none for an empty list
        endings = {word[-n:] for word in words for n in lengths if 0 < n < len(word)}
        found |= {forms[ending] for ending in forms.keys() & endings}
    return len(found)


@dataclass(frozen=True)
class GopherQualityThresholds:
    min_words: int | None = field(default=50, metadata=COUNT)  # words with a non-symbol character
    max_words: int | None = field(default=100_000, metadata=within(1, MAX_COUNT, not_below="min_words"))
    min_mean_word_len: float | None = field(default=3, metadata=within(0, 1000))
    max_mean_word_len: float | None = field(
        default=10, metadata=within(1, 1000, not_below="min_mean_word_len")
    )
    max_hash_ratio: float | None = field(default=0.1, metadata=PER_WORD)  # '#' per word
    max_ellipsis_ratio: float | None = field(default=0.1, metadata=PER_WORD)  # '...' and '…' per word
    max_bullet_lines_ratio: float | None = field(default=0.9, metadata=RATIO)
    max_ellipsis_lines_ratio: float | None = field(default=0.3, metadata=RATIO)
    min_alpha_words_ratio: float | None = field(default=0.8, metadata=RATIO)
    # distinct stop words present; only where a list exists (at most the list's length)
    min_stop_words: int | None = field(default=2, metadata=COUNT)
    # None: the built-in list of the language, if any
    stop_words: tuple[str, ...] | None = field(
        default=None, metadata=allowing(pattern=r"\S+", what="words without spaces")
    )


class GopherQuality(BatchFilter[GopherQualityThresholds]):
    name = "gopher_quality"
    Thresholds = GopherQualityThresholds
    # Split one character a word, unspaced languages have no meaningful word length.
    LANGUAGE_DEFAULTS = {
        lang: {"min_mean_word_len": None, "max_mean_word_len": None} for lang in UNSPACED_LANGUAGES
    }
    SIGNALS = {
        "gopher_words": "int",
        "gopher_mean_word_len": "float",
        "gopher_hash_ratio": "float",
        "gopher_ellipsis_ratio": "float",
        "gopher_bullet_lines_ratio": "float",
        "gopher_ellipsis_lines_ratio": "float",
        "gopher_alpha_words_ratio": "float",
        "gopher_stop_words": "int",
    }

    def signals(self, doc: TextFeatures) -> dict[str, Any]:
        words, text, lines = doc.words, doc.text, doc.lines
        n_words = len(words)
        # Each distinct word is judged once: most words of a page are repeats.
        counts = Counter(words)
        content_words = content_chars = letter_words = 0
        for word, count in counts.items():
            if word.isalpha():  # most words: content, with letters
                content_words += count
                content_chars += count * len(word)
                letter_words += count
                continue
            if not is_symbol_word(word):
                content_words += count
                content_chars += count * len(word)
            if has_letter(word):
                letter_words += count
        n_lines = len(lines) or 1
        stop_list = self.thresholds_for(doc.lang).stop_words or STOP_WORDS.get(doc.lang)
        stop_words = count_stop_words(counts.keys(), stop_list, doc.lang) if stop_list else None
        return {
            "gopher_words": content_words,
            "gopher_mean_word_len": ratio(content_chars, content_words),
            "gopher_hash_ratio": ratio(text.count("#"), n_words),
            "gopher_ellipsis_ratio": ratio(text.count("...") + text.count("…"), n_words),
            "gopher_bullet_lines_ratio": sum(line.lstrip().startswith(("•", "-")) for line in lines)
            / n_lines,
            "gopher_ellipsis_lines_ratio": sum(line.rstrip().endswith(("...", "…")) for line in lines)
            / n_lines,
            "gopher_alpha_words_ratio": ratio(letter_words, n_words),
            "gopher_stop_words": stop_words,
        }

    def reason(self, s: dict[str, Any], t: GopherQualityThresholds, doc: TextFeatures) -> str | None:
        checks = (
            (under(s["gopher_words"], t.min_words), "gopher_short_doc"),
            (over(s["gopher_words"], t.max_words), "gopher_long_doc"),
            (under(s["gopher_mean_word_len"], t.min_mean_word_len), "gopher_below_mean_word_len"),
            (over(s["gopher_mean_word_len"], t.max_mean_word_len), "gopher_above_mean_word_len"),
            (over(s["gopher_hash_ratio"], t.max_hash_ratio), "gopher_too_many_hashes"),
            (over(s["gopher_ellipsis_ratio"], t.max_ellipsis_ratio), "gopher_too_many_ellipsis"),
            (over(s["gopher_bullet_lines_ratio"], t.max_bullet_lines_ratio), "gopher_too_many_bullets"),
            (
                over(s["gopher_ellipsis_lines_ratio"], t.max_ellipsis_lines_ratio),
                "gopher_too_many_end_ellipsis",
            ),
            (under(s["gopher_alpha_words_ratio"], t.min_alpha_words_ratio), "gopher_below_alpha_ratio"),
            (
                s["gopher_stop_words"] is not None and under(s["gopher_stop_words"], t.min_stop_words),
                "gopher_too_few_stop_words",
            ),
        )
        return next((reason for failed, reason in checks if failed), None)


__all__ = ["GopherQuality", "GopherQualityThresholds", "STOP_WORDS"]
