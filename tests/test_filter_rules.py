"""Every filter rule at its threshold: a generated document just inside (kept) and one just outside.

Texts are built so each signal lands exactly on, or one step past, its bound. The rules compare
strictly (`over`: value > max, `under`: value < min), so a signal equal to its bound is kept.
"""

from __future__ import annotations

import dataclasses
from itertools import product
from pathlib import Path

import pytest
import regex

from filters import (
    C4_TFDS,
    Badwords,
    BadwordsThresholds,
    C4Quality,
    C4Thresholds,
    FineWebQuality,
    FineWebThresholds,
    GopherQuality,
    GopherQualityThresholds,
    GopherRepetition,
    GopherRepetitionThresholds,
    QualityClassifier,
    QualityThresholds,
    TextFeatures,
    UrlFilter,
    UrlThresholds,
    split_words,
    train_classifier,
)
from filters.badwords import ALLOWLISTS
from filters.c4 import POLICY_PHRASES
from tests.conftest import SHARED_DATA

LISTS = SHARED_DATA / "ldnoobw"

# Distinct nonsense words (consonant-vowel-consonant-vowel-consonant), none of them a stop word, and
# with no letter from a..j: the repeated n-grams below are made of those letters, so never collide.
POOL = ["".join(p) for p in product("klmnprstvz", "ouy", "klmnprstvz", "ouy", "klmnprstvz")]
NEUTRAL = ("river", "stone", "bridge", "green", "valley", "quiet", "morning", "light", "winter", "garden")


def run(filter_, text: str, lang: str = "en") -> tuple[dict, str | None]:
    """One document through a batch filter: (its signals, its reason)."""
    signals, reasons = filter_([TextFeatures(text, lang)])
    return signals[0], reasons[0]


def words(n: int, stops: tuple[str, ...] = ("the", "and")) -> list[str]:
    """n content words: the given stop words first, then neutral words (mean length 5.6)."""
    return [*stops, *(NEUTRAL[i % len(NEUTRAL)] for i in range(n - len(stops)))]


def text(n: int, stops: tuple[str, ...] = ("the", "and")) -> str:
    return " ".join(words(n, stops))


def filler(n_chars: int, offset: int = 0) -> str:
    """Exactly n_chars of distinct pool words (no newline, no leading or trailing space)."""
    out = " ".join(POOL[offset : offset + n_chars // 6 + 2])[:n_chars]
    return out[:-1] + "z" if out.endswith(" ") else out


def distinct(k: int, length: int = 40) -> list[str]:
    """k different strings of `length` chars each."""
    return [filler(length, offset=50 * i) for i in range(k)]


def gram(n: int, letters: int) -> str:
    """n distinct words ("aaa bbb ...") holding `letters` letters in all."""
    sizes = [letters // n + (i < letters % n) for i in range(n)]
    return " ".join("abcdefghij"[i] * size for i, size in enumerate(sizes))


def interleave(content: list[str], marks: list[str], every: int = 5) -> str:
    """The content words with one mark after every `every` words (never at the very end)."""
    tokens, pending = [], list(marks)
    for i, word in enumerate(content):
        tokens.append(word)
        if pending and (i + 1) % every == 0 and i + 1 < len(content):
            tokens.append(pending.pop())
    assert not pending, "too few words to place every mark"
    return " ".join(tokens)


# --------------------------------------------------------------------------------------------------
# Gopher quality


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
    # Han characters are one word each: mean length 1.0, far below 3, and still kept in Chinese
    han = ("我们今天在公园里散步天气很好" * 5)[:60]
    assert GopherQuality.LANGUAGE_DEFAULTS["zh"] == {"min_mean_word_len": None, "max_mean_word_len": None}
    signals, reason = run(GopherQuality(), han, lang="zh")
    assert (signals["gopher_words"], signals["gopher_mean_word_len"]) == (60, 1.0)
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


# --------------------------------------------------------------------------------------------------
# Gopher repetition


def only(rule: str) -> GopherRepetition:
    """A GopherRepetition with every bound off but `rule` (left at its default)."""
    fields = {f.name: None for f in dataclasses.fields(GopherRepetitionThresholds) if f.name != rule}
    return GopherRepetition(GopherRepetitionThresholds(**fields))


def test_gopher_repetition_passes_distinct_text():
    signals, reason = run(GopherRepetition(), "\n\n".join(distinct(10, 80)))
    assert reason is None
    assert all(value == 0 for key, value in signals.items() if key.startswith("rep_dup"))


@pytest.mark.parametrize(
    "separator, rule, signal, reason",
    [
        ("\n\n", "max_dup_para_ratio", "rep_dup_para_ratio", "dup_para_ratio"),
        ("\n", "max_dup_line_ratio", "rep_dup_line_ratio", "dup_line_ratio"),
    ],
)
@pytest.mark.parametrize("n_items, n_dups, kept", [(10, 3, True), (13, 4, False)])
def test_gopher_dup_item_ratio(separator, rule, signal, reason, n_items, n_dups, kept):
    # n_dups extra copies of one paragraph (line) among n_items: 3 / 10 = 0.3 exactly; 4 / 13 above
    items = [*distinct(n_items - n_dups - 1), *["again"] * (n_dups + 1)]
    signals, got = run(only(rule), separator.join(items))
    assert signals[signal] == n_dups / n_items
    assert got == (None if kept else reason)
    assert run(GopherRepetition(), separator.join(items))[1] == (None if kept else reason)


@pytest.mark.parametrize(
    "separator, rule, signal, reason",
    [
        ("\n\n", "max_dup_para_char_ratio", "rep_dup_para_char_ratio", "dup_para_char_ratio"),
        ("\n", "max_dup_line_char_ratio", "rep_dup_line_char_ratio", "dup_line_char_ratio"),
    ],
)
@pytest.mark.parametrize("unique_len, kept", [(0, True), (-1, False)])
def test_gopher_dup_item_char_ratio(separator, rule, signal, reason, unique_len, kept):
    # a distinct block, then one 20-char block twice: 20 / 100 chars = 0.2 exactly; then 20 / 99
    unique = filler(100 - 2 * 20 - 2 * len(separator) + unique_len)
    block = "twenty chars repeat."
    doc = separator.join([unique, block, block])
    assert len(block) == 20 and len(doc) == 100 + unique_len
    signals, got = run(only(rule), doc)
    assert signals[signal] == 20 / len(doc)
    assert got == (None if kept else reason)


@pytest.mark.parametrize("n, bound", [(2, 0.20), (3, 0.18), (4, 0.16)])
@pytest.mark.parametrize("length, kept", [(100, True), (99, False)])
def test_gopher_top_ngram_char_ratio(n, bound, length, kept):
    # an n-gram of bound * 50 chars (spaces included) twice in distinct words: 2 * 10 / 100 = 0.2
    repeated = gram(n, round(bound * 50) - (n - 1))
    assert len(repeated) == round(bound * 50)
    doc = " ".join([repeated, filler(length - 2 * len(repeated) - 2), repeated])
    assert len(doc) == length
    rule = f"max_top_{n}gram_char_ratio"
    assert getattr(GopherRepetitionThresholds(), rule) == bound
    signals, reason = run(only(rule), doc)
    assert signals[f"rep_top_{n}gram_char_ratio"] == 2 * len(repeated) / length
    assert reason == (None if kept else f"top_{n}gram")


@pytest.mark.parametrize("n, bound", [(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)])
@pytest.mark.parametrize("length, kept", [(100, True), (99, False)])
def test_gopher_duplicate_ngram_char_ratio(n, bound, length, kept):
    # an n-gram of bound * 100 letters twice; only the second copy counts, without its spaces
    letters = round(bound * 100)
    repeated = gram(n, letters)
    doc = " ".join([repeated, filler(length - 2 * len(repeated) - 2), repeated])
    assert len(doc) == length
    rule = f"max_dup_{n}gram_char_ratio"
    assert getattr(GopherRepetitionThresholds(), rule) == bound
    signals, reason = run(only(rule), doc)
    assert signals[f"rep_dup_{n}gram_char_ratio"] == letters / length
    assert reason == (None if kept else f"dup_{n}gram")


def test_gopher_duplicate_ngrams_overlapping_repeats_count_once():
    # "aa" twenty times: 5-grams repeat from position 1 on; each counted repeat skips 5 positions,
    # so positions 1, 6, 11 count (position 16 has no whole 5-gram): 3 * 10 letters of 59 chars
    doc = " ".join(["aa"] * 20)
    signals, _ = run(GopherRepetition(), doc)
    assert signals["rep_dup_5gram_char_ratio"] == 30 / 59


# --------------------------------------------------------------------------------------------------
# C4


def sentences(k: int, start: int = 0) -> list[str]:
    """k lines of one sentence each, eight words, ending in a period."""
    return [f"This is sentence number {i} of the page." for i in range(start, start + k)]


def c4_with(line: str, thresholds: C4Thresholds | None = None) -> tuple[dict, str | None]:
    """Four one-sentence lines plus `line`: kept if `line` survives as a fifth sentence. The
    signals hold the rewritten text under "text" (from the filter's rewrite hook)."""
    c4, text = C4Quality(thresholds), "\n".join([*sentences(4), line])
    signals, reason = run(c4, text)
    rewritten_signals, rewritten = c4.rewrite(TextFeatures(text, "en"))
    assert rewritten_signals == signals
    return {**signals, "text": rewritten}, reason


@pytest.mark.parametrize("k, expected", [(5, None), (4, "too_few_sentences")])
def test_c4_min_sentences(k, expected):
    signals, reason = run(C4Quality(), "\n".join(sentences(k)))
    assert (signals["c4_sentences"], signals["c4_lines_removed"]) == (k, 0)
    assert reason == expected


def test_c4_sentences_counted_inside_a_line():
    # five sentences in one line count as five
    line = " ".join(f"Here is sentence {i}." for i in range(5))
    signals, reason = run(C4Quality(), line)
    assert (signals["c4_sentences"], reason) == (5, None)
    assert run(C4Quality(), line.rsplit(" Here", 1)[0])[1] == "too_few_sentences"


@pytest.mark.parametrize(
    "line, kept",
    [
        ("The fifth line ends here.", True),
        ("Does the fifth line end here?", True),
        ("The fifth line ends here!", True),
        ('He said "the fifth line ends here."', True),
        ("He said 'the fifth line ends here'", True),
        ("The fifth line ends here", False),
        ("The fifth line ends here,", False),
        ("The fifth line ends here...", False),
        ("The fifth line ends here…", False),
        ("The fifth line ends here:", False),
    ],
)
def test_c4_terminal_punctuation(line, kept):
    signals, reason = c4_with(line)
    assert signals["c4_lines_removed"] == (0 if kept else 1)
    assert (line in signals["text"]) == kept
    assert reason == (None if kept else "too_few_sentences")


def test_c4_without_terminal_punctuation_rule_keeps_such_lines():
    signals, reason = c4_with("The fifth line ends here", C4Thresholds(require_terminal_punct=False))
    assert (signals["c4_lines_removed"], signals["c4_sentences"], reason) == (0, 5, None)


@pytest.mark.parametrize(
    "thresholds, n_words",
    [(C4Thresholds(), 3), (C4Thresholds(**C4_TFDS), 5)],
    ids=["default", "tfds"],
)
def test_c4_min_words_per_line(thresholds, n_words):
    # a line of exactly min_words_per_line words is kept, one word fewer is removed
    lines = sentences(thresholds.min_sentences - 1)
    inside = " ".join(["Word"] * (n_words - 1) + ["end."])
    outside = " ".join(["Word"] * (n_words - 2) + ["end."])
    signals, reason = run(C4Quality(thresholds), "\n".join([*lines, inside]))
    assert (signals["c4_lines_removed"], reason) == (0, None)
    signals, reason = run(C4Quality(thresholds), "\n".join([*lines, outside]))
    assert (signals["c4_lines_removed"], reason) == (1, "too_few_sentences")


def test_c4_tfds_values():
    assert C4_TFDS == {"min_words_per_line": 5, "min_sentences": 3}
    tfds = C4Quality(C4Thresholds(**C4_TFDS))
    # three sentences are enough with TFDS values, two are not
    assert run(tfds, "\n".join(sentences(3)))[1] is None
    assert run(tfds, "\n".join(sentences(2)))[1] == "too_few_sentences"
    # the paper's 3-word lines are too short for TFDS
    assert run(tfds, "\n".join([*sentences(2), "Three words here."]))[1] == "too_few_sentences"
    assert run(C4Quality(), "\n".join([*sentences(4), "Three words here."]))[1] is None


@pytest.mark.parametrize("length, kept", [(1000, True), (1001, False)])
def test_c4_max_word_len(length, kept):
    signals, reason = c4_with(f"This line has {'x' * length} in it.")
    assert signals["c4_lines_removed"] == (0 if kept else 1)
    assert reason == (None if kept else "too_few_sentences")


@pytest.mark.parametrize("citation", ["[1]", "[23]", "[]", "[edit]", "[citation needed]"])
def test_c4_citations_removed(citation):
    line = "The sky over the valley is blue."
    signals, reason = c4_with(line + citation)
    assert reason is None
    assert citation not in signals["text"]
    assert signals["text"].endswith("\n" + line)
    # without citation removal the line ends in "]" and goes
    signals, reason = c4_with(line + citation, C4Thresholds(remove_citations=False))
    assert (signals["c4_lines_removed"], reason) == (1, "too_few_sentences")


def test_c4_citation_inside_a_line():
    signals, _ = c4_with("Water boils[2] at one hundred degrees[citation needed].")
    assert signals["text"].endswith("\nWater boils at one hundred degrees.")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Lorem ipsum dolor sit amet.", "lorem_ipsum"),
        ("They wrote LOREM IPSUM on the page.", "lorem_ipsum"),
        ("Lorem and ipsum are two words.", None),
        ("A brace { opens some code.", "curly_bracket"),
        ("A brace } closes some code.", None),
        ("A parenthesis ( is fine here.", None),
        ("A citation[4] inside lorem [1]ipsum still counts.", "lorem_ipsum"),  # removed, then matched
    ],
)
def test_c4_page_rules(line, expected):
    # the page rule fires on a surviving line, wherever it is among kept lines
    signals, reason = run(C4Quality(), "\n".join([*sentences(3), line, *sentences(3, start=3)]))
    assert reason == expected
    assert signals["c4_page_rule"] == expected


def test_c4_page_rules_only_look_at_surviving_lines():
    # a lorem ipsum or brace line that another rule removes first does not drop the page
    for line in ("Lorem ipsum", "Lorem ipsum.", "if (x) { y }"):
        assert c4_with(line)[1] == "too_few_sentences"
        assert run(C4Quality(), "\n".join([*sentences(5), line]))[1] is None


@pytest.mark.parametrize(
    "rule, line",
    [
        ("drop_lorem_ipsum", "Lorem ipsum dolor sit amet."),
        ("drop_curly_bracket", "A brace { opens some code."),
    ],
)
def test_c4_page_rules_can_be_switched_off(rule, line):
    signals, reason = run(C4Quality(C4Thresholds(**{rule: False})), "\n".join([*sentences(4), line]))
    assert (signals["c4_page_rule"], signals["c4_sentences"], reason) == (None, 5, None)


@pytest.mark.parametrize(
    "line, kept",
    [
        ("Please enable JavaScript to view the page.", False),
        ("This site needs javascript to run well.", False),
        ("Please enable Java to view the page.", True),
    ],
)
def test_c4_javascript_lines(line, kept):
    signals, reason = c4_with(line)
    assert (line in signals["text"]) == kept
    assert reason == (None if kept else "too_few_sentences")
    signals, reason = c4_with(line, C4Thresholds(drop_javascript_lines=False))
    assert reason is None


@pytest.mark.parametrize("phrase", POLICY_PHRASES)
def test_c4_policy_lines(phrase):
    line = f"Read our {phrase.upper()} before you go."
    signals, reason = c4_with(line)
    assert (signals["c4_lines_removed"], reason) == (1, "too_few_sentences")
    assert "before you go" not in signals["text"]
    assert c4_with(line, C4Thresholds(drop_policy_lines=False))[1] is None


def test_c4_policy_near_miss_is_kept():
    assert c4_with("Read our policy on privacy before you go.")[1] is None


# --------------------------------------------------------------------------------------------------
# FineWeb


def fineweb(doc: str) -> tuple[dict, str | None]:
    return run(FineWebQuality(), doc)


def long_line(i: int, end: str = ".") -> str:
    """A distinct line of well over 30 characters."""
    return f"Line {i} is long enough not to count as a short one{end}"


@pytest.mark.parametrize("n_lines, expected", [(25, None), (26, "line_punct_ratio")])
def test_fineweb_line_punct_ratio(n_lines, expected):
    # 3 of 25 lines end in a sentence terminal: 0.12 exactly; one more line without one: 3 / 26
    lines = [long_line(i, "." if i < 3 else "") for i in range(n_lines)]
    signals, reason = fineweb("\n".join(lines))
    assert signals["fw_punct_lines_ratio"] == 3 / n_lines
    assert reason == expected


@pytest.mark.parametrize("terminal", ["!", "?", "。", "।", "؟"])
def test_fineweb_sentence_terminals_of_any_script(terminal):
    lines = [long_line(i, terminal if i < 3 else "") for i in range(25)]
    assert fineweb("\n".join(lines))[0]["fw_punct_lines_ratio"] == 0.12


def test_fineweb_empty_lines_do_not_count():
    # blank and whitespace-only lines are not lines: 3 of 25 non-empty lines still make 0.12
    lines = [long_line(i, "." if i < 3 else "") for i in range(25)]
    doc = "\n\n  \n".join(lines)
    signals, reason = fineweb(doc)
    assert (signals["fw_punct_lines_ratio"], reason) == (0.12, None)


@pytest.mark.parametrize("n_short, n_long, expected", [(67, 33, None), (68, 33, "short_line_ratio")])
def test_fineweb_short_line_ratio(n_short, n_long, expected):
    # 67 short lines of 100: 0.67 exactly; one more short line: 68 / 101
    lines = [f"Short line {i}." for i in range(n_short)] + [long_line(i) for i in range(n_long)]
    signals, reason = fineweb("\n".join(lines))
    assert signals["fw_short_lines_ratio"] == n_short / (n_short + n_long)
    assert reason == expected


@pytest.mark.parametrize("length, short", [(30, 1.0), (31, 0.0)])
def test_fineweb_short_line_is_at_most_30_chars(length, short):
    line = filler(length - 1) + "."
    assert run(FineWebQuality(), line)[0]["fw_short_lines_ratio"] == short
    # short_line_chars moves the bound
    custom = FineWebQuality(FineWebThresholds(short_line_chars=length))
    assert run(custom, line)[0]["fw_short_lines_ratio"] == 1.0


@pytest.mark.parametrize("shorten, expected", [(0, None), (1, "char_dup_ratio")])
def test_fineweb_dup_line_char_ratio(shorten, expected):
    # 20 distinct 98-char lines and a 20-char line twice: the copy's 20 of 2000 chars (newlines
    # not counted) is 0.01 exactly; one char less elsewhere makes it 20 / 1999
    repeated = "The line is doubled."
    assert len(repeated) == 20
    unique = [filler(97, offset=30 * i) + "." for i in range(20)]
    unique[0] = unique[0][shorten:]
    doc = "\n".join([repeated, *unique, repeated])
    assert len(doc) - doc.count("\n") == 2000 - shorten
    signals, reason = fineweb(doc)
    assert signals["fw_dup_line_char_ratio"] == 20 / (2000 - shorten)
    assert reason == expected


def lines_with_tokens(n_lines: int, n_tokens: int) -> str:
    """n_lines lines, each ending in '.', of long distinct words: n_tokens tokens in all."""
    n_words = n_tokens - n_lines  # each period is a token
    sizes = [n_words // n_lines + (i < n_words % n_lines) for i in range(n_lines)]
    lines, k = [], 0
    for size in sizes:
        lines.append(
            " ".join(POOL[3 * j] + POOL[3 * j + 1] + POOL[3 * j + 2] for j in range(k, k + size)) + "."
        )
        k += size
    return "\n".join(lines)


@pytest.mark.parametrize("n_tokens, expected", [(100, None), (99, "list_ratio")])
def test_fineweb_newline_word_ratio(n_tokens, expected):
    # 31 lines (30 newlines) over 100 tokens: 0.3 exactly; one word fewer: 30 / 99
    doc = lines_with_tokens(31, n_tokens)
    assert len(split_words(doc)) == n_tokens
    signals, reason = fineweb(doc)
    assert signals["fw_newline_word_ratio"] == 30 / n_tokens
    assert signals["fw_short_lines_ratio"] == 0
    assert reason == expected


@pytest.mark.parametrize(
    "field",
    ["min_punct_lines_ratio", "max_short_lines_ratio", "max_dup_line_char_ratio", "max_newline_word_ratio"],
)
def test_fineweb_rules_can_be_switched_off(field):
    bad = {
        "min_punct_lines_ratio": "\n".join(long_line(i, "") for i in range(30)),
        "max_short_lines_ratio": "\n".join(f"Short line {i}." for i in range(30)),
        "max_dup_line_char_ratio": "\n".join([long_line(1)] * 2 + [long_line(i) for i in range(2, 30)]),
        "max_newline_word_ratio": lines_with_tokens(31, 90),
    }[field]
    assert run(FineWebQuality(), bad)[1] is not None
    assert run(FineWebQuality(FineWebThresholds(**{field: None})), bad)[1] is None


# --------------------------------------------------------------------------------------------------
# Badwords


def list_terms(lang: str) -> list[str]:
    return [t for t in (LISTS / lang).read_text(encoding="utf-8").split("\n") if t.strip()]


@pytest.fixture(scope="module")
def badwords() -> Badwords:
    return Badwords(LISTS)


@pytest.fixture(scope="module")
def en_term() -> str:
    """A single-word, ASCII-letters English list term."""
    return next(t for t in list_terms("en") if t.isascii() and t.isalpha())


CLEAN = "the quiet river runs past the old stone bridge"  # nine words


def with_mode(**kwargs) -> Badwords:
    """The filter with other thresholds (mode, max_ratio)."""
    return Badwords(LISTS, thresholds=BadwordsThresholds(**kwargs))


def test_badwords_clean_text_is_kept(badwords):
    signals, reason = run(badwords, CLEAN)
    assert reason is None
    assert signals == {"badwords_checked": True, "badword_hits": 0, "badword_ratio": 0.0, "badword_terms": []}


@pytest.mark.parametrize("wrap", ["{}", "{}.", "({})", "{}'s", "-{}-"])
def test_badwords_one_hit_drops(badwords, en_term, wrap):
    signals, reason = run(badwords, f"{CLEAN} {wrap.format(en_term)} today")
    assert (signals["badword_hits"], signals["badword_terms"]) == (1, [en_term])
    assert reason == "badwords"


@pytest.mark.parametrize("wrap", ["{}s", "{}abc", "x{}", "{}_x", "{}9"])
def test_badwords_term_inside_a_longer_word_does_not_hit(badwords, en_term, wrap):
    signals, reason = run(badwords, f"{CLEAN} {wrap.format(en_term)} today")
    assert (signals["badword_hits"], reason) == (0, None)


@pytest.mark.parametrize("case", [str.upper, str.title, str.swapcase])
def test_badwords_case_insensitive(badwords, en_term, case):
    signals, reason = run(badwords, f"{CLEAN} {case(en_term)}")
    assert (signals["badword_terms"], reason) == ([en_term], "badwords")


def test_badwords_multiword_term(badwords):
    term = next(t for t in list_terms("en") if " " in t and t.replace(" ", "").isalpha())
    assert run(badwords, f"{CLEAN} {term.upper()} today")[1] == "badwords"
    assert run(badwords, f"{CLEAN} {term.replace(' ', '')} today")[1] is None


@pytest.mark.parametrize("n_clean, expected", [(9, None), (8, "badword_ratio")])
def test_badwords_ratio_mode(en_term, n_clean, expected):
    # one hit among 10 words: 0.1 exactly, kept at max_ratio 0.1; among 9 words: 0.111
    ratio_mode = with_mode(mode="ratio", max_ratio=0.1)
    signals, reason = run(ratio_mode, " ".join([*CLEAN.split()[:n_clean], en_term]))
    assert signals["badword_ratio"] == 1 / (n_clean + 1)
    assert reason == expected


def test_badwords_ratio_mode_default_drops_any_hit(en_term):
    ratio_mode = with_mode(mode="ratio")
    assert run(ratio_mode, CLEAN)[1] is None
    assert run(ratio_mode, f"{CLEAN} {en_term}")[1] == "badword_ratio"


def test_badwords_tag_mode_never_drops(en_term):
    tag = with_mode(mode="tag")
    signals, reason = run(tag, " ".join([en_term] * 3))
    assert reason is None
    assert signals == {
        "badwords_checked": True,
        "badword_hits": 3,
        "badword_ratio": 1.0,
        "badword_terms": [en_term],
    }


@pytest.mark.parametrize("lang, script", [("zh", r"\p{Han}"), ("ja", r"\p{Katakana}")])
def test_badwords_unspaced_languages_match_substrings(badwords, lang, script):
    term = next(t for t in list_terms(lang) if regex.fullmatch(rf"{script}{{2,}}", t))
    clean = "今日は天気がとても良いです" if lang == "ja" else "今天天气很好我们去公园散步"
    assert run(badwords, clean, lang=lang)[0]["badword_hits"] == 0
    signals, reason = run(badwords, clean[:4] + term + clean[4:], lang=lang)  # no spaces around it
    assert (signals["badword_terms"], reason) == ([term], "badwords")


def test_badwords_zh_allowlist(badwords):
    # 性 is on the zh list but allowlisted alone: 重要性 (importance), 性别 (gender) do not hit
    assert "性" in list_terms("zh") and "性" in ALLOWLISTS["zh"]
    signals, reason = run(badwords, "这个问题的重要性很高，性别平等", lang="zh")
    assert (signals["badword_hits"], reason) == (0, None)
    # longer terms holding it still hit
    longer = next(t for t in list_terms("zh") if "性" in t and len(t) > 1)
    assert run(badwords, f"这个问题{longer}很高", lang="zh")[1] == "badwords"


def test_badwords_ja_allowlist(badwords):
    # "sm" is on the ja list but allowlisted: "smile" and "SMS" in Japanese text do not hit
    assert "sm" in list_terms("ja") and "sm" in ALLOWLISTS["ja"]
    signals, reason = run(badwords, "彼女はsmileしてSMSを送った", lang="ja")
    assert (signals["badword_hits"], reason) == (0, None)
    # a longer ja term that starts with "sm" still hits
    longer = next(t for t in list_terms("ja") if t.startswith("sm") and len(t) > 2)
    assert run(badwords, f"彼女は{longer}です", lang="ja")[1] == "badwords"


@pytest.mark.parametrize("lang", ["sw", "und", "xx"])
def test_badwords_language_without_list_is_kept_unchecked(badwords, en_term, lang):
    signals, reason = run(badwords, f"{CLEAN} {en_term}", lang=lang)
    assert reason is None
    assert signals["badwords_checked"] is False
    assert signals["badword_hits"] is None


def test_badwords_tl_uses_the_fil_list(badwords):
    term = next(t for t in list_terms("fil") if t.isascii() and t.isalpha())
    signals, reason = run(badwords, f"ito ay {term} lamang", lang="tl")
    assert (signals["badwords_checked"], reason) == (True, "badwords")


def test_badwords_each_language_uses_its_own_list(badwords, en_term):
    # an English term in a German page: only the German list counts
    assert en_term not in list_terms("de")
    signals, reason = run(badwords, f"der Fluss und {en_term}", lang="de")
    assert (signals["badwords_checked"], signals["badword_hits"], reason) == (True, 0, None)


# --------------------------------------------------------------------------------------------------
# URL filter


@pytest.fixture
def url_filter(tmp_path: Path) -> UrlFilter:
    domains = tmp_path / "domains.txt"
    domains.write_text("# blocked domains\nexample.com\nBAD.ORG\n\n")
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.net/bad/page\n")
    return UrlFilter(UrlThresholds(blocked_domains_file=str(domains), blocked_urls_file=str(urls)))


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.com/", "blocked_domain"),
        ("http://example.com:8080/a?b=c", "blocked_domain"),
        ("https://EXAMPLE.COM/Page", "blocked_domain"),
        ("https://example.com./", "blocked_domain"),
        ("https://www.example.com/", "blocked_domain"),
        ("https://a.b.example.com/x", "blocked_domain"),
        ("https://www.bad.org/", "blocked_domain"),
        ("https://notexample.com/", None),
        ("https://example.com.evil.net/", None),
        ("https://example.co/", None),
        ("https://evil.net/example.com", None),
        ("https://blocked.org/", None),
    ],
)
def test_url_blocked_domain(url_filter, url, expected):
    assert url_filter.reason(url) == expected


def test_url_comment_line_is_not_a_domain(url_filter):
    assert "# blocked domains" not in url_filter.blocked_domains
    assert url_filter.blocked_domains == {"example.com", "bad.org"}


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.net/bad/page", "blocked_url"),
        ("https://example.net/bad/page2", None),
        ("https://example.net/bad/page?x=1", None),
        ("https://example.net/bad", None),
        ("http://example.net/bad/page", None),
    ],
)
def test_url_blocked_url_exact_match(url_filter, url, expected):
    assert url_filter.reason(url) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/free-porn-videos", "banned_url_word"),
        ("https://xxx.example.org/", "banned_url_word"),
        ("https://example.org/?q=NSFW", "banned_url_word"),
        ("https://example.org/pornography-studies", None),  # a longer word holding "porn"
        ("https://example.org/xxxl-shirts", None),
        ("https://example.org/safe/page", None),
    ],
)
def test_url_default_banned_words(url, expected):
    assert UrlFilter().reason(url) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/sex/", "banned_url_word"),
        ("https://example.org/a_sex_b", "banned_url_word"),  # any non-alphanumeric separates words
        ("https://www.sussex.ac.uk/", None),
        ("https://example.org/middlesex", None),
        ("https://sex.example.org/", "banned_url_word"),
    ],
)
def test_url_custom_banned_words_are_whole_words(url, expected):
    assert UrlFilter(UrlThresholds(banned_words=("sex",))).reason(url) == expected


def test_url_no_url_is_kept():
    assert UrlFilter().reason(None) is None
    assert UrlFilter().reason("") is None
    assert UrlFilter(UrlThresholds(banned_words=())).reason("https://example.org/porn") is None


# --------------------------------------------------------------------------------------------------
# Quality classifier

TOPICS = ("cells", "planets", "proteins", "glaciers", "electrons", "forests", "volcanoes", "bacteria")
FINDINGS = ("grow slowly in cold water", "absorb light from nearby stars", "change shape under pressure")
SPAM = ("buy", "cheap", "pills", "casino", "free", "bonus", "click", "now", "win", "deal", "sale", "viagra")


def science(i: int) -> str:
    topic, finding = TOPICS[i % len(TOPICS)], FINDINGS[i % len(FINDINGS)]
    return (
        f"Researchers observed that {topic} {finding}. The study measured this over several years "
        f"and compared the results with earlier work on {TOPICS[(i + 3) % len(TOPICS)]}."
    )


def spam(i: int) -> str:
    return " ".join(SPAM[(i * 5 + k * 7) % len(SPAM)] for k in range(15)) + " !!!"


@pytest.fixture(scope="module")
def quality_model(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("quality") / "q.bin"
    counts = train_classifier([science(i) for i in range(60)], [spam(i) for i in range(60)], path, epoch=25)
    assert counts == {"positive": 60, "negative": 60, "output": str(path)}
    return str(path)


def test_quality_classifier_keeps_good_and_drops_spam(quality_model):
    classifier = QualityClassifier(thresholds=QualityThresholds(model=quality_model, min_score=0.5))
    good = "Researchers observed that glaciers change shape under pressure over several years."
    bad = "cheap pills casino bonus click now win free deal sale"
    signals, reasons = classifier([TextFeatures(good), TextFeatures(bad)])
    assert all(0.0 <= s["quality_score"] <= 1.0 for s in signals)
    assert signals[0]["quality_score"] > 0.5 > signals[1]["quality_score"]
    assert reasons == [None, "low_quality_score"]


def test_quality_classifier_bound_is_inclusive(quality_model):
    # a document whose score equals min_score is kept; a hair above its score drops it
    good = "Researchers observed that glaciers change shape under pressure over several years."
    score = run(QualityClassifier(thresholds=QualityThresholds(model=quality_model)), good)[0][
        "quality_score"
    ]
    at = QualityClassifier(thresholds=QualityThresholds(model=quality_model, min_score=score))
    assert run(at, good)[1] is None
    above = QualityClassifier(thresholds=QualityThresholds(model=quality_model, min_score=score + 1e-6))
    assert run(above, good)[1] == "low_quality_score"


def test_quality_classifier_handles_newlines_and_empty_text(quality_model):
    classifier = QualityClassifier(thresholds=QualityThresholds(model=quality_model))
    signals, _ = classifier([TextFeatures("Researchers observed\nthat cells grow."), TextFeatures("")])
    assert all(0.0 <= s["quality_score"] <= 1.0 for s in signals)


def test_train_classifier_needs_both_classes(tmp_path):
    with pytest.raises(ValueError):
        train_classifier([science(0)], ["  "], tmp_path / "q.bin")


# --------------------------------------------------------------------------------------------------
# Edge cases every filter must survive


@pytest.mark.parametrize("doc", ["", " ", "\n\n", "#", "...", "…", "\t\r\n"])
def test_filters_survive_degenerate_text(badwords, doc):
    for filter_ in (GopherQuality(), GopherRepetition(), C4Quality(), FineWebQuality(), badwords):
        signals, reasons = filter_([TextFeatures(doc)])
        assert len(signals) == len(reasons) == 1
    assert run(GopherQuality(), doc)[1] == "gopher_short_doc"
    assert run(C4Quality(), doc)[1] == "too_few_sentences"


def test_url_without_scheme_is_still_matched_by_domain(tmp_path):
    blocked = tmp_path / "domains.txt"
    blocked.write_text("example.com\n")
    url_filter = UrlFilter(UrlThresholds(blocked_domains_file=str(blocked), banned_words=()))
    assert url_filter.reason("www.example.com/page") == "blocked_domain"
    assert url_filter.reason("example.com/page") == "blocked_domain"
    assert url_filter.reason("notexample.com/page") is None


def test_badwords_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="dorp"):
        Badwords(LISTS, thresholds=BadwordsThresholds(mode="dorp"))
