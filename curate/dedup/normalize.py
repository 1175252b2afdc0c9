"""Text normalization before shingling, as FineWeb's dedup: lower case, no diacritics, no
punctuation, digits folded to 0, whitespace collapsed."""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"\d")
_NOT_WORD = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """Remove combining marks (é -> e); recompose the rest, so that Hangul syllables stay whole."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


FINAL_SIGMA = str.maketrans("ς", "σ")  # lower() picks the form by position; fold it away


def normalize_text(text: str) -> str:
    text = strip_diacritics(text.lower().translate(FINAL_SIGMA))
    text = _DIGITS.sub("0", text)
    text = _NOT_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
