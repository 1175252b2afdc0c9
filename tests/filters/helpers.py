"""Helpers for the filter rule tests: one document through a filter, generated text of exact
lengths, and the LDNOOBW lists on disk.

Texts are built so each signal lands exactly on, or one step past, its bound. The rules compare
strictly (`over`: value > max, `under`: value < min), so a signal equal to its bound is kept.
"""

from __future__ import annotations

from itertools import product

from filters import TextFeatures
from tests.conftest import SHARED_DATA

LISTS = SHARED_DATA / "ldnoobw"

# Distinct nonsense words (consonant-vowel-consonant-vowel-consonant), none of them a stop word, and
# with no letter from a..j: the repeated n-grams of the repetition tests are made of those letters,
# so never collide.
POOL = ["".join(p) for p in product("klmnprstvz", "ouy", "klmnprstvz", "ouy", "klmnprstvz")]


def run(filter_, text: str, lang: str = "en") -> tuple[dict, str | None]:
    """One document through a batch filter: (its signals, its reason)."""
    signals, reasons = filter_([TextFeatures(text, lang)])
    return signals[0], reasons[0]


def filler(n_chars: int, offset: int = 0) -> str:
    """Exactly n_chars of distinct pool words (no newline, no leading or trailing space)."""
    out = " ".join(POOL[offset : offset + n_chars // 6 + 2])[:n_chars]
    return out[:-1] + "z" if out.endswith(" ") else out
