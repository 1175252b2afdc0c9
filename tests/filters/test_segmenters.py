"""Word segmentation per language (filters/segmenters.py): real words where the `segment` extra is
installed, today's split where it is not, and for any text: no exception, no whitespace in a word,
and the words put back together give the text without its whitespace (and U+200B)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filters import segmenters
from filters.segmenters import ScriptRunSegmenter, segmenter_for, segmenter_report
from filters.text import TextFeatures
from filters.words import SEGMENTED_LANGUAGES, split_words
from tests.random_texts import SETTINGS, TEXTS


def installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(module) is not None for module in modules)


NEEDS = {  # the modules each language's segmenter imports
    **dict.fromkeys(("zh", "yue", "wuu"), ("jieba",)),
    "ja": ("fugashi", "unidic_lite"),
    "th": ("pythainlp",),
    **dict.fromkeys(("lo", "km", "my", "bo"), ("icu",)),
}
LOADERS = (segmenters._jieba, segmenters._fugashi, segmenters._newmm, segmenters._icu)

# (language, sentence, words that must come out whole)
SENTENCES = [
    (
        "zh",
        "中华人民共和国成立于1949年，人人生而自由，在尊严和权利上一律平等。",
        ["中华人民共和国", "尊严", "权利"],
    ),
    # UniDic's short units: 日本語 is 日本 + 語
    ("ja", "私は毎朝コーヒーを飲みながら日本語の新聞を読みます。", ["コーヒー", "新聞", "日本"]),
    ("th", "ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ", ["ภาษาไทย", "ระหว่าง"]),
    ("lo", "ມະນຸດທຸກຄົນເກີດມາມີກຽດສັກສີ", ["ມະນຸດ", "ທຸກຄົນ"]),
    ("km", "មនុស្សទាំងអស់កើតមកមានសេរីភាព", ["មនុស្ស", "សេរីភាព"]),
    ("my", "လူတိုင်းသည်တူညီသောအခွင့်အရေးရှိသည်", ["လူ", "တူညီ"]),
    ("bo", "འགྲོ་བ་མིའི་རིགས་རྒྱུད་ཡོངས་", ["འགྲོ་", "མིའི་"]),  # syllables with their tsheg
]


def no_whitespace(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("lang, sentence, whole", SENTENCES)
def test_unspaced_languages_split_into_words(lang, sentence, whole):
    if not installed(*NEEDS[lang]):
        pytest.skip(f"{lang}: the segment extra is not installed")
    segmenter = segmenter_for(lang)
    assert not segmenter.name.startswith("fallback:"), segmenter.name
    words = TextFeatures(sentence, lang).words
    assert words == segmenter.split(sentence)
    assert set(whole) <= set(words), words
    assert len(words) < 0.7 * len(sentence)  # words, not characters
    assert "".join(words) == sentence
    assert segmenter_report()[lang] == segmenter.name


def test_latin_and_punctuation_inside_chinese_split_as_today():
    if not installed("jieba"):
        pytest.skip("jieba is not installed")
    words = segmenter_for("zh").split("访问https://example.com/a?b=1了解U.S.的情况（详见第3条）")
    assert "https://example.com/a?b=1" in words and "U.S." in words
    assert "（" in words and "）" in words and "3" in words


def test_segmenters_load_once_and_words_are_computed_once():
    assert segmenter_for("zh") is segmenter_for("zh")
    doc = TextFeatures("人人生而自由，在尊严和权利上一律平等。", "zh")
    assert doc.words is doc.words


@pytest.fixture
def blocked(monkeypatch):
    """Make `import <module>` fail for the given modules, with no segmenter loaded yet."""
    monkeypatch.setattr(segmenters, "_SEGMENTERS", {})
    for loader in LOADERS:
        loader.cache_clear()

    def block(*modules: str) -> None:
        for module in modules:
            monkeypatch.setitem(sys.modules, module, None)

    yield block
    for loader in LOADERS:  # the real segmenters load again when next asked for
        loader.cache_clear()


FALLBACK_TEXT = {
    "zh": "人人生而自由，在尊严和权利上一律平等。Hello, world!",
    "ja": "すべての人間は、生まれながらにして自由である。",
    "th": "มนุษย์ทั้งปวงเกิดมามีอิสระ และเสมอภาคกัน",
    "lo": "ມະນຸດທຸກຄົນ ເກີດມາມີກຽດສັກສີ",
    "bo": "འགྲོ་བ་མིའི་རིགས་ རྒྱུད་ཡོངས་",
}
BLOCKED_MODULES = {
    "zh": ("jieba", "jieba"),
    "ja": ("fugashi", "fugashi and unidic-lite"),
    "th": ("pythainlp.tokenize.newmm", "pythainlp"),
    "lo": ("icu", "pyicu"),
    "bo": ("icu", "pyicu"),
}


@pytest.mark.parametrize("lang", sorted(FALLBACK_TEXT))
def test_missing_segmenter_falls_back_to_todays_split(blocked, lang):
    module, install = BLOCKED_MODULES[lang]
    blocked(module)
    text = FALLBACK_TEXT[lang]
    segmenter = segmenter_for(lang)
    assert segmenter.name == f"fallback:{install} not installed"
    assert segmenter.split(text) == split_words(text, lang) == TextFeatures(text, lang).words
    assert segmenter_report() == {lang: f"fallback:{install} not installed"}


def test_fallback_is_one_word_per_character_in_chinese(blocked):
    blocked("jieba")
    # as before segmenters: the Han characters peel off, the rest of the chunk stays one token
    assert TextFeatures("人人生而自由，Hello world", "zh").words == [*"人人生而自由", "，Hello", "world"]


def test_japanese_needs_its_dictionary_too(blocked):
    blocked("unidic_lite")
    assert segmenter_for("ja").name == "fallback:fugashi and unidic-lite not installed"


def test_a_segmenter_that_fails_to_load_falls_back(blocked, monkeypatch):
    def broken(lang):
        raise RuntimeError("no dictionary")

    monkeypatch.setitem(segmenters.BACKENDS, "zh", ("jieba", "jieba", broken))
    assert segmenter_for("zh").name == "fallback:jieba failed to load (RuntimeError)"
    assert segmenter_for("zh").split("人人生而自由") == list("人人生而自由")


@pytest.mark.parametrize(
    "cut",
    [
        lambda run: 1 / 0,  # raises
        lambda run: [run[1:]],  # drops a character
        lambda run: [run, "x"],  # adds one
    ],
)
def test_a_segmenter_failing_on_a_document_gives_that_document_todays_split(cut):
    segmenter = ScriptRunSegmenter("zh", "broken", cut)
    text = "人人生而自由，在尊严和权利上一律平等。"
    assert segmenter.split(text) == split_words(text, "zh")
    assert segmenter.failed_documents == 1
    assert ScriptRunSegmenter("zh", "fine", list).split("自由 abc") == ["自", "由", "abc"]


# --- any text, in each script --------------------------------------------------------------------

BLOCKS = {  # code point ranges of each language's script, unassigned points included
    "zh": [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0xF900, 0xFAFF), (0x3000, 0x303F)],
    "ja": [(0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xFF61, 0xFF9F), (0x3000, 0x303F)],
    "th": [(0x0E00, 0x0E7F)],
    "lo": [(0x0E80, 0x0EFF)],
    "km": [(0x1780, 0x17FF), (0x19E0, 0x19FF)],
    "my": [(0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)],
    "bo": [(0x0F00, 0x0FFF)],
}
BLOCKS["yue"] = BLOCKS["wuu"] = BLOCKS["zh"]
# whitespace (also U+3000, U+200B), Latin, digits, punctuation, combining and control characters,
# astral characters (an emoji, a variation selector), a URL
OTHERS = st.sampled_from(
    [*" \n\t\u3000\u200b\u200c\u200d", *"abc XYZ 0123 .,;:!?…-–—'\"()“”《》，。", "\x00", "\ufeff"]
    + ["\u0301", "\u0e31", "\u3099", "😀", "\U000e0100", "\ufe0f", "https://x.org/a", "U.S."]
)


def script_text(lang: str):
    letters = st.one_of(
        *(
            st.characters(min_codepoint=low, max_codepoint=high, exclude_categories=("Cs",))
            for low, high in BLOCKS[lang]
        )
    )
    return st.lists(st.one_of(letters, letters, letters, OTHERS), max_size=300).map("".join)


@pytest.mark.parametrize("lang", sorted(SEGMENTED_LANGUAGES))
def test_any_text_in_its_script_splits_into_its_characters(lang):
    segmenter = segmenter_for(lang)
    real = isinstance(segmenter, ScriptRunSegmenter)

    @SETTINGS
    @given(script_text(lang))
    def check(text):
        failed = getattr(segmenter, "failed_documents", 0)
        words = segmenter.split(text)
        assert all(isinstance(w, str) and w and w.split() == [w] for w in words), words
        if real:  # U+200B separates like a space
            assert "".join(words) == no_whitespace(text.replace("\u200b", " "))
            assert segmenter.failed_documents == failed  # the segmenter did it, not the fallback
        else:
            assert "".join(words) == no_whitespace(text)

    check()


@SETTINGS
@given(TEXTS, st.sampled_from(["en", "de", "ru", "ko", "ar", "und", "la"]))
def test_spaced_languages_keep_todays_split(text, lang):
    assert TextFeatures(text, lang).words == split_words(text, lang) == segmenter_for(lang).split(text)


def test_english_words_are_the_current_splitters():
    text = "Mr. Smith's e-mail (j.smith@example.com) isn't U.S.-based... see https://example.com/x, ok?"
    words = TextFeatures(text, "en").words
    assert words == split_words(text)
    assert words == [
        "Mr.", "Smith", "'s", "e", "-", "mail", "(", "j.smith@example.com", ")", "is", "n't", "U.S.-based",
        "...", "see", "https://example.com/x,", "ok", "?",
    ]  # fmt: skip
    assert segmenter_for("en").name == "whitespace" and segmenter_for("ko").name == "whitespace"


def test_segmenters_print_nothing_and_agree_across_processes():
    """In a fresh process (jieba logs its loading, pythainlp and jieba import with warnings):
    nothing on stdout or stderr but what the script prints itself, and the same words."""
    texts = {lang: sentence for lang, sentence, _ in SENTENCES}
    script = (
        "import json, sys\n"
        "from filters.segmenters import segmenter_for, segmenter_report\n"
        f"texts = {texts!r}\n"
        "words = {lang: segmenter_for(lang).split(text) for lang, text in texts.items()}\n"
        "sys.stdout.write(json.dumps([words, segmenter_report()]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    words, report = json.loads(done.stdout)
    assert words == {lang: segmenter_for(lang).split(text) for lang, text in texts.items()}
    assert report == {lang: segmenter_for(lang).name for lang in texts}
