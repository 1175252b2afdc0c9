"""Word segmentation for the languages written without spaces between words, behind one interface.

`segmenter_for(lang)` gives a Segmenter: its `name` and `split(text) -> words` (no whitespace
tokens). Each real segmenter is an optional dependency (`pip install -e '.[segment]'`), imported
and loaded on first use, once per process:

- zh, yue, wuu: jieba (its own Tokenizer, default dictionary, HMM on for unknown words), as spaCy's
  Chinese tokenizer (datatrove's). HMM off is 1.4x the speed (0.24 vs 0.33 ms per article) but
  gives 7% more words: unknown words fall apart into characters.
- ja: fugashi (MeCab) with unidic-lite, not sudachipy with sudachidict-core: 1.4x its speed (0.125
  vs 0.173 ms per article), Gopher's repetition signals within 0.01 of it, loaded in 0.01 s, and no
  input limit (sudachipy refuses more than 49,149 bytes at once). UniDic's units are short: 日本語
  is 日本 + 語.
- th: pythainlp, engine newmm, in safe mode (bounded time on long unspaced text): the standard for
  Thai. ICU would be 4x its speed (0.11 vs 0.48 ms per article) but splits 27% more words.
- lo, km, my, bo: PyICU's word BreakIterator, with ICU's dictionaries for Lao, Khmer and Burmese:
  one C library for four scripts (so neither laonlp nor khmer-nltk). ICU has no Tibetan dictionary:
  `bo` splits into syllables, each keeping its tsheg (་); botok, a Tibetan word segmenter,
  downloads its dictionary at first use. Syllables still beat the whitespace split, where a
  clause is one "word": the whole UDHR's mean word length goes from 49 (over Gopher's 10) to 3.9.
- ko, and every other language: `words.split_words`, whitespace and spaCy's English rules. Korean
  is spaced; kiwipiepy's morphemes are 1.9x the words at 260x the time and bring the mean word
  length under Gopher's 3: it would remove 16 of the UDHR's 31 articles (2 today) and the whole
  declaration (kept today), and keep none that is removed today.

(Measured on the UDHR's articles, scripts/bench_filters.py.) jieba is pure Python, about 250,000
characters a second: a Chinese page near the filters' 1M-character cap spends 3-4 s of the 5 s
filter bound (filters.timeout_s) on its words, and can be removed as out of time.

Only the runs of the language's own scripts (with their combining marks) go to the segmenter;
everything between them (Latin words, digits, URLs, ASCII and full-width punctuation) is split as
`words.split_words` splits it, and U+200B (zero width space, a word-boundary hint in Khmer, Thai,
Lao and Burmese pages) separates like a space. So the words put back together give the text
without whitespace and U+200B, character for character: a segmenter that raises or that returns
pieces which do not add up to its input costs that document its segmentation (it gets the
fallback's split instead, counted in `failed_documents`); split never raises.

Fallback: where a language's segmenter is not installed (or fails to load), its Segmenter is
`split_words(text, lang)` exactly as before this module existed (each Han, kana or Thai character
a word; whitespace and spaCy's rules otherwise), named "fallback:<reason>", e.g.
"fallback:jieba not installed". `segmenter_report()` says, for every language asked for so far in
this process, which segmenter it got, so a run can record the languages that fell back.

The segmenters are deterministic (fixed dictionaries, no sampling): the same text and the same
installed versions give the same words. They print nothing (jieba's logger is silenced; warnings
raised while importing are suppressed). A Segmenter is meant for one thread at a time: the
pipeline runs its filters in one thread per process.
"""

from __future__ import annotations

import importlib
import logging
import os
import warnings
from collections.abc import Callable
from functools import cache
from typing import Protocol

import regex

from filters.words import SEGMENTED_LANGUAGES, split_words

Cut = Callable[[str], list[str]]  # one run of the language's scripts -> its words

SCRIPTS = {  # the scripts each language's segmenter is given (Unicode Script_Extensions)
    **dict.fromkeys(("zh", "yue", "wuu"), ("Han",)),
    "ja": ("Han", "Hiragana", "Katakana"),
    "th": ("Thai",),
    "lo": ("Lao",),
    "km": ("Khmer",),
    "my": ("Myanmar",),
    "bo": ("Tibetan",),
}
ZERO_WIDTH_SPACE = "\u200b"
TSHEGS = "\u0f0b\u0f0c"  # Tibetan intersyllabic tsheg, and its non-breaking form


class Segmenter(Protocol):
    name: str

    def split(self, text: str) -> list[str]: ...


class WhitespaceSplit:
    """`split_words(text, lang)`: today's split, for spaced languages and as the fallback."""

    def __init__(self, lang: str, name: str = "whitespace"):
        self.lang, self.name = lang, name

    def split(self, text: str) -> list[str]:
        return split_words(text, self.lang)


class ScriptRunSegmenter:
    """The runs of `lang`'s scripts cut by `cut`; the text between them split by `split_words`."""

    def __init__(self, lang: str, name: str, cut: Cut):
        self.lang, self.name, self.cut = lang, name, cut
        letters = "".join(rf"\p{{scx={script}}}" for script in SCRIPTS[lang])
        # a run: letters of the scripts, each with the combining marks (Script=Inherited) after it
        self.runs = regex.compile(rf"((?:[{letters}]\p{{Zinh}}*)+)")
        self.failed_documents = 0

    def split(self, text: str) -> list[str]:
        try:
            return self._split(text)
        except Exception:  # hostile input must not stop the document; OutOfTime is no Exception
            self.failed_documents += 1
            return split_words(text, self.lang)

    def _split(self, text: str) -> list[str]:
        words: list[str] = []
        pieces = self.runs.split(text.replace(ZERO_WIDTH_SPACE, " "))
        for between, run in zip(pieces[::2], [*pieces[1::2], ""]):
            if between:
                words += split_words(between, self.lang)
            if run:
                cut = [word for word in self.cut(run) if word]
                if "".join(cut) != run:
                    raise ValueError(f"{self.name} did not return its input's characters")
                words += cut
        return words


# --- the segmenters, each loaded once per process --------------------------------------------


def _quiet_import(module: str):
    with warnings.catch_warnings():  # e.g. jieba's `import pkg_resources` on a new setuptools
        warnings.simplefilter("ignore")
        return importlib.import_module(module)


@cache
def _jieba() -> Cut:
    jieba = _quiet_import("jieba")
    logging.getLogger("jieba").setLevel(logging.CRITICAL + 1)  # it logs its loading to stderr
    tokenizer = jieba.Tokenizer()  # our own: never the user dictionaries added to jieba.dt
    tokenizer.initialize()
    return lambda run: tokenizer.lcut(run, HMM=True)


@cache
def _fugashi() -> Cut:
    fugashi = _quiet_import("fugashi")
    dicdir = _quiet_import("unidic_lite").DICDIR
    mecabrc = os.path.join(dicdir, "mecabrc")
    tagger = fugashi.Tagger(f'-r "{mecabrc}" -d "{dicdir}"')  # unidic-lite even if unidic is there
    return lambda run: [node.surface for node in tagger(run)]


@cache
def _newmm() -> Cut:
    newmm = _quiet_import("pythainlp.tokenize.newmm")
    newmm.segment("ภาษาไทย")  # builds the dictionary's trie
    return lambda run: newmm.segment(run, safe_mode=True)


@cache
def _icu(lang: str) -> Cut:
    icu = _quiet_import("icu")
    iterator = icu.BreakIterator.createWordInstance(icu.Locale(lang))

    def cut(run: str) -> list[str]:
        iterator.setText(run)
        bounds = [0, *iterator]  # UTF-16 offsets: map them back where a character takes two
        if max(run) > "\uffff":
            index = [i for i, c in enumerate(run) for _ in range(1 if ord(c) <= 0xFFFF else 2)]
            bounds = [index[b] if b < len(index) else len(run) for b in bounds]
        words = [run[a:b] for a, b in zip(bounds, bounds[1:])]
        return _tsheg_to_syllable(words) if lang == "bo" else words

    return cut


def _tsheg_to_syllable(words: list[str]) -> list[str]:
    """ICU breaks Tibetan at each tsheg (་, the syllable mark): it goes back onto its syllable, or a
    page would be half symbol "words"."""
    syllables: list[str] = []
    for word in words:
        if syllables and not word.strip(TSHEGS):
            syllables[-1] += word
        else:
            syllables.append(word)
    return syllables


# language -> (name, what to install, loader)
BACKENDS: dict[str, tuple[str, str, Callable[[str], Cut]]] = {
    **{lang: ("jieba", "jieba", lambda lang: _jieba()) for lang in ("zh", "yue", "wuu")},
    "ja": ("fugashi", "fugashi and unidic-lite", lambda lang: _fugashi()),
    "th": ("pythainlp-newmm", "pythainlp", lambda lang: _newmm()),
    **{lang: ("icu", "pyicu", _icu) for lang in ("lo", "km", "my", "bo")},
}
assert set(BACKENDS) == SEGMENTED_LANGUAGES == set(SCRIPTS)

_SEGMENTERS: dict[str, Segmenter] = {}  # by language, for this process


def _build(lang: str) -> Segmenter:
    if lang not in BACKENDS:
        return WhitespaceSplit(lang)
    name, install, load = BACKENDS[lang]
    try:
        return ScriptRunSegmenter(lang, name, load(lang))
    except ImportError:
        return WhitespaceSplit(lang, f"fallback:{install} not installed")
    except Exception as exc:  # installed but broken (a missing dictionary, a bad build)
        return WhitespaceSplit(lang, f"fallback:{name} failed to load ({type(exc).__name__})")


def segmenter_for(lang: str) -> Segmenter:
    """The segmenter of `lang`, loaded on first use: a real one, its fallback, or the whitespace
    split of every language that needs none."""
    segmenter = _SEGMENTERS.get(lang)
    if segmenter is None:
        segmenter = _SEGMENTERS[lang] = _build(lang)
    return segmenter


def segmenter_report() -> dict[str, str]:
    """{language: segmenter name} for each language asked for so far in this process, e.g.
    {"zh": "jieba", "ja": "fallback:fugashi and unidic-lite not installed"}: a name starting with
    "fallback:" means that language's words are today's split (one per Han/kana/Thai character)."""
    return {lang: segmenter.name for lang, segmenter in sorted(_SEGMENTERS.items())}
