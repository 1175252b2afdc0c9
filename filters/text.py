"""Text features shared by every filter: words, lines and paragraphs, computed once per document.

Words come from `words.split_words` (spaCy's blank English tokenizer, what datatrove's reference
filters use) in every spaced language.

Languages written without spaces between words (SEGMENTED_LANGUAGES: Chinese, Japanese, Thai,
Lao, Khmer, Burmese, Tibetan) get their words from a word segmenter (`segmenters.segmenter_for`:
jieba, fugashi, pythainlp, ICU), an optional dependency. Where it is not installed, the language
falls back to `split_words`, in which each Han, kana or Thai character is a word (UNSPACED_CHAR),
so counts grow with the text's length; `segmenters.segmenter_report()` says which languages did.
"""

from __future__ import annotations

import re
from functools import cached_property

import numpy as np
import regex

from filters.segmenters import segmenter_for
from filters.words import SEGMENTED_LANGUAGES, split_words

SENTENCE_TERMINAL = regex.compile(r"\p{Sentence_Terminal}")
PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def ngram_hashes(ids: np.ndarray, n: int, base: np.unsignedinteger) -> np.ndarray:
    """A hash of each run of `n` consecutive ids: a polynomial in `base`, wrapping in the ids' dtype."""
    hashes = ids[: len(ids) - n + 1].copy()
    for k in range(1, n):
        hashes = hashes * base + ids[k : len(ids) - n + 1 + k]
    return hashes


def ends_sentence(line: str) -> bool:
    """Whether `line` ends in a sentence-terminal character of any script (Unicode STerm)."""
    return bool(line) and SENTENCE_TERMINAL.match(line[-1]) is not None


class TextFeatures:
    """One document's text and language, with its words, lines and paragraphs made on first use."""

    __slots__ = ("text", "lang", "__dict__")

    def __init__(self, text: str, lang: str = "en"):
        self.text = text
        self.lang = lang

    @cached_property
    def words(self) -> list[str]:
        if self.lang in SEGMENTED_LANGUAGES:
            return segmenter_for(self.lang).split(self.text)
        return split_words(self.text, self.lang)

    @cached_property
    def lines(self) -> list[str]:
        """`str.splitlines()`: what Gopher's line rules use."""
        return self.text.splitlines()

    @cached_property
    def newline_lines(self) -> list[str]:
        """Split on `\\n` only: what FineWeb's line rules use."""
        return self.text.split("\n")

    @cached_property
    def paragraphs(self) -> list[str]:
        return PARAGRAPH_BREAK.split(self.text.strip())

    @cached_property
    def lower(self) -> str:
        return self.text.lower()
