"""The badwords filter at its thresholds, per language: a generated document just inside (kept) and
one just outside.

Texts are built so each signal lands exactly on, or one step past, its bound. The rules compare
strictly (`over`: value > max, `under`: value < min), so a signal equal to its bound is kept.
"""

from __future__ import annotations

import pytest
import regex

from filters import Badwords, BadwordsThresholds
from filters.badwords import ALLOWLISTS
from tests.filters.helpers import LISTS, run


def list_terms(lang: str) -> list[str]:
    return [t for t in (LISTS / lang).read_text(encoding="utf-8").split("\n") if t.strip()]


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


def test_badwords_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="dorp"):
        Badwords(LISTS, thresholds=BadwordsThresholds(mode="dorp"))
