"""C4 rules at their thresholds: a generated document just inside (kept) and one just outside.

Texts are built so each signal lands exactly on, or one step past, its bound. The rules compare
strictly (`over`: value > max, `under`: value < min), so a signal equal to its bound is kept.
"""

from __future__ import annotations

import pytest

from filters import C4_TFDS, C4Quality, C4Thresholds, TextFeatures
from filters.c4 import POLICY_PHRASES
from tests.filters.helpers import run


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
