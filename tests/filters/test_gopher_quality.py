"""Gopher quality rules at their thresholds: a generated document just inside (kept) and one just
outside.

Texts are built so each signal lands exactly on, or one step past, its bound. The rules compare
strictly (`over`: value > max, `under`: value < min), so a signal equal to its bound is kept.
"""

from __future__ import annotations

import pytest

from filters import GopherQuality, GopherQualityThresholds, TextFeatures
from tests.filters.helpers import run

NEUTRAL = ("river", "stone", "bridge", "green", "valley", "quiet", "morning", "light", "winter", "garden")


def words(n: int, stops: tuple[str, ...] = ("the", "and")) -> list[str]:
    """n content words: the given stop words first, then neutral words (mean length 5.6)."""
    return [*stops, *(NEUTRAL[i % len(NEUTRAL)] for i in range(n - len(stops)))]


def text(n: int, stops: tuple[str, ...] = ("the", "and")) -> str:
    return " ".join(words(n, stops))


def interleave(content: list[str], marks: list[str], every: int = 5) -> str:
    """The content words with one mark after every `every` words (never at the very end)."""
    tokens, pending = [], list(marks)
    for i, word in enumerate(content):
        tokens.append(word)
        if pending and (i + 1) % every == 0 and i + 1 < len(content):
            tokens.append(pending.pop())
    assert not pending, "too few words to place every mark"
    return " ".join(tokens)


def test_gopher_quality_base_text_passes_every_rule():
    signals, reason = run(GopherQuality(), text(50))
    assert reason is None
    assert signals["gopher_words"] == 50
    assert signals["gopher_stop_words"] == 2
    assert signals["gopher_alpha_words_ratio"] == 1.0


@pytest.mark.parametrize("n, expected", [(50, None), (49, "gopher_short_doc")])
def test_gopher_min_words(n, expected):
    # n content words; symbol-only tokens ("-", "#") are not content words and do not help
    signals, reason = run(GopherQuality(), text(n) + " - # -")
    assert signals["gopher_words"] == n
    assert reason == expected


@pytest.mark.parametrize("n, expected", [(60, None), (61, "gopher_long_doc")])
def test_gopher_max_words(n, expected):
    signals, reason = run(GopherQuality(GopherQualityThresholds(max_words=60)), text(n))
    assert signals["gopher_words"] == n
    assert reason == expected


def test_gopher_max_words_default_is_100_000():
    signals, reason = run(GopherQuality(), text(100_001))
    assert (signals["gopher_words"], reason) == (100_001, "gopher_long_doc")
    assert run(GopherQuality(), text(100_000))[1] is None


@pytest.mark.parametrize("short, expected", [("cat", None), ("to", "gopher_below_mean_word_len")])
def test_gopher_min_mean_word_len(short, expected):
    # 50 three-letter words (mean 3.0); the last one is "to" in the outside text: 149 / 50 = 2.98
    three = ["the", "and", *(["dog", "sat", "red", "cup"] * 12)][:49]
    signals, reason = run(GopherQuality(), " ".join([*three, short]))
    assert signals["gopher_mean_word_len"] == (147 + len(short)) / 50
    assert reason == expected


@pytest.mark.parametrize("long, expected", [(24, None), (25, "gopher_above_mean_word_len")])
def test_gopher_max_mean_word_len(long, expected):
    # "the", "and", 47 ten-letter words and one long word: (6 + 470 + 24) / 50 = 10.0; 25 -> 10.02
    tokens = ["the", "and", *["wonderland"] * 47, "w" * long]
    signals, reason = run(GopherQuality(), " ".join(tokens))
    assert signals["gopher_mean_word_len"] == (476 + long) / 50
    assert reason == expected


def test_zh_has_no_mean_word_length_rule():
    # Chinese words are one or two characters (each Han character one without the segment extra):
    # a mean length far below 3, and still kept in Chinese
    han = ("我们今天在公园里散步天气很好" * 9)[:120]
    assert GopherQuality.LANGUAGE_DEFAULTS["zh"] == {"min_mean_word_len": None, "max_mean_word_len": None}
    signals, reason = run(GopherQuality(), han, lang="zh")
    n_words = len(TextFeatures(han, "zh").words)  # 120 characters, 120 or (segmented) fewer words
    assert (signals["gopher_words"], signals["gopher_mean_word_len"]) == (n_words, 120 / n_words)
    assert signals["gopher_mean_word_len"] < 2
    assert signals["gopher_stop_words"] is None
    assert reason is None
    # an explicit per-language override brings the rule back
    strict = GopherQuality(per_language={"zh": {"min_mean_word_len": 3}})
    assert run(strict, han, lang="zh")[1] == "gopher_below_mean_word_len"


@pytest.mark.parametrize("content, expected", [(54, None), (53, "gopher_too_many_hashes")])
def test_gopher_hash_ratio(content, expected):
    # six standalone "#" tokens: 6 / (54 + 6) = 0.1 exactly; one content word fewer: 6 / 59
    signals, reason = run(GopherQuality(), interleave(words(content), ["#"] * 6))
    assert signals["gopher_hash_ratio"] == 6 / (content + 6)
    assert reason == expected


@pytest.mark.parametrize("mark", ["…", "..."])
@pytest.mark.parametrize("content, expected", [(54, None), (53, "gopher_too_many_ellipsis")])
def test_gopher_ellipsis_ratio(mark, content, expected):
    # six ellipses inside one line (not at its end): 6 / (54 + 6) = 0.1 exactly; then 6 / 59
    signals, reason = run(GopherQuality(), interleave(words(content), [mark] * 6))
    assert signals["gopher_ellipsis_ratio"] == 6 / (content + 6)
    assert signals["gopher_ellipsis_lines_ratio"] == 0
    assert reason == expected


def marked_lines(n_lines: int, n_marked: int, prefix: str = "", suffix: str = "") -> str:
    """n_lines lines of 5 content words; the first n_marked get the prefix and suffix."""
    content = words(5 * n_lines)
    lines = [" ".join(content[5 * i : 5 * i + 5]) for i in range(n_lines)]
    return "\n".join(prefix + line + suffix if i < n_marked else line for i, line in enumerate(lines))


@pytest.mark.parametrize("bullet", ["- ", "• ", "  -"])
@pytest.mark.parametrize("n_lines, n_marked, expected", [(10, 9, None), (11, 10, "gopher_too_many_bullets")])
def test_gopher_bullet_lines_ratio(bullet, n_lines, n_marked, expected):
    # 9 of 10 lines start with a bullet: 0.9 exactly; one more bullet line: 10 / 11
    signals, reason = run(GopherQuality(), marked_lines(n_lines, n_marked, prefix=bullet))
    assert signals["gopher_bullet_lines_ratio"] == n_marked / n_lines
    assert reason == expected


@pytest.mark.parametrize("mark", [" …", "...", "... "])
@pytest.mark.parametrize(
    "n_lines, n_marked, expected", [(10, 3, None), (13, 4, "gopher_too_many_end_ellipsis")]
)
def test_gopher_ellipsis_lines_ratio(mark, n_lines, n_marked, expected):
    # 3 of 10 lines end in an ellipsis: 0.3 exactly; 4 of 13 is the nearest ratio above it
    signals, reason = run(GopherQuality(), marked_lines(n_lines, n_marked, suffix=mark))
    assert signals["gopher_ellipsis_lines_ratio"] == n_marked / n_lines
    assert signals["gopher_ellipsis_ratio"] <= 0.1
    assert reason == expected


@pytest.mark.parametrize("alpha, expected", [(48, None), (47, "gopher_below_alpha_ratio")])
def test_gopher_alpha_words_ratio(alpha, expected):
    # 12 numbers (content words without a letter): 48 / 60 = 0.8 exactly; one word fewer: 47 / 59
    signals, reason = run(GopherQuality(), interleave(words(alpha), [str(1000 + i) for i in range(12)], 3))
    assert signals["gopher_words"] == alpha + 12
    assert signals["gopher_alpha_words_ratio"] == alpha / (alpha + 12)
    assert reason == expected


@pytest.mark.parametrize(
    "stops, expected",
    [
        (("the", "and"), None),
        (("the", "the", "the"), "gopher_too_few_stop_words"),  # distinct stop words: one, thrice
        (("with",), "gopher_too_few_stop_words"),
        ((), "gopher_too_few_stop_words"),
    ],
)
def test_gopher_min_stop_words(stops, expected):
    signals, reason = run(GopherQuality(), text(50, stops))
    assert signals["gopher_stop_words"] == len(set(stops))
    assert reason == expected


def test_gopher_stop_words_only_where_a_list_exists():
    # no English stop word at all: dropped in English, kept in German (no German list)
    no_stops = text(50, stops=())
    assert run(GopherQuality(), no_stops, lang="en")[1] == "gopher_too_few_stop_words"
    signals, reason = run(GopherQuality(), no_stops, lang="de")
    assert (signals["gopher_stop_words"], reason) == (None, None)
    # a custom list makes the rule apply
    german = GopherQuality(per_language={"de": {"stop_words": ("der", "und")}})
    assert run(german, no_stops, lang="de")[1] == "gopher_too_few_stop_words"
    assert run(german, text(50, stops=("der", "und")), lang="de")[1] is None


@pytest.mark.parametrize(
    "lang, n, expected",
    [
        ("de", 10, None),
        ("de", 9, "gopher_short_doc"),
        ("en", 49, "gopher_short_doc"),  # English keeps the default 50
        ("en", 50, None),
        ("fr", 49, "gopher_short_doc"),
    ],
)
def test_per_language_override_applies_to_that_language_only(lang, n, expected):
    gopher = GopherQuality(per_language={"de": {"min_words": 10}})
    assert gopher.thresholds_for("de").min_words == 10
    assert gopher.thresholds_for("en").min_words == 50
    signals, reason = run(gopher, text(n), lang=lang)
    assert signals["gopher_words"] == n
    assert reason == expected
