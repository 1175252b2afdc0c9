"""Hypothesis strategies for random document texts and their languages, and the settings of the
property tests over them (of the filters, the pipeline's filter step and dedup's MinHash)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

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
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
