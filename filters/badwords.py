"""Badwords (LDNOOBW lists, as C4): matched against the list of each page's own language.

Whole-word, case-insensitive matching (a term must not touch a word character on either side),
except Japanese, Thai and Chinese, which are written without spaces and match substrings, minus the
allowlists of terms that are common inside ordinary words there. Modes: `drop` (C4: any hit drops
the page), `ratio` (drop above `max_ratio` hits per word), `tag` (signals only). A page in a
language without a list is kept and tagged `badwords_checked = false`.
"""

from __future__ import annotations

import os
import re
import urllib.request
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from filters.base import BatchFilter
from filters.ranges import RATIO, one_of
from filters.text import TextFeatures

WORD_RUN = re.compile(r"\w+")

ENV_VAR = "CURATE_BADWORDS_DIR"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "curate" / "ldnoobw"
# The LDNOOBW commit the reference pipelines pin.
DOWNLOAD_URL = (
    "https://raw.githubusercontent.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words/"
    "5faf2ba42d7b1c0977169ec3611df25a3c08eb13/{lang}"
)
LIST_LANGUAGES = (
    "ar", "cs", "da", "de", "en", "eo", "es", "fa", "fi", "fil", "fr", "hi", "hu", "it", "ja", "kab",
    "ko", "nl", "no", "pl", "pt", "ru", "sv", "th", "tlh", "tr", "zh",
)  # fmt: skip
LIST_FOR_LANGUAGE = {"tl": "fil"}  # our language code -> LDNOOBW file name, where they differ
SUBSTRING_LANGUAGES = ("ja", "th", "zh")
ALLOWLISTS = {"ja": {"sm", "グロ", "女の子"}, "zh": {"性"}}
MODES = ("drop", "ratio", "tag")


class BadwordsUnavailableError(FileNotFoundError):
    """The lists are not on disk and cannot be downloaded; the message names the option."""


def find_lists_dir(explicit: str | os.PathLike | None = None, download: bool = True) -> Path:
    """--badwords-dir -> $CURATE_BADWORDS_DIR -> cache -> download into the cache."""
    for candidate, origin in ((explicit, "--badwords-dir"), (os.environ.get(ENV_VAR), f"${ENV_VAR}")):
        if candidate:
            path = Path(candidate)
            if not (path / "en").is_file():
                raise BadwordsUnavailableError(f"{origin}: {path} holds no LDNOOBW lists (no file 'en')")
            return path
    if (CACHE_DIR / "en").is_file():
        return CACHE_DIR
    if download:
        try:
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            for lang in LIST_LANGUAGES:
                with urllib.request.urlopen(DOWNLOAD_URL.format(lang=lang), timeout=20) as response:
                    (CACHE_DIR / lang).write_bytes(response.read())
            return CACHE_DIR
        except OSError:
            pass
    raise BadwordsUnavailableError(
        f"no badword lists: offline and none in {CACHE_DIR}; pass --badwords-dir DIR or set ${ENV_VAR} "
        "to a folder of LDNOOBW lists"
    )


@dataclass(frozen=True)
class BadwordsThresholds:
    mode: str = field(default="drop", metadata=one_of(MODES))
    max_ratio: float = field(default=0.0, metadata=RATIO)  # with mode = ratio: drop above these hits per word


class LanguageList:
    """One language's terms, matched fast: a substring pre-check, then boundaries by regex."""

    def __init__(self, lang: str, terms: set[str]):
        self.lang = lang
        self.terms = sorted(terms)
        self.whole_word = lang not in SUBSTRING_LANGUAGES
        # A term that is one run of word characters matches, between boundaries, exactly the maximal
        # runs equal to it: counted from one pass over the text's runs instead of a scan per term.
        self.run_terms = (
            frozenset(t for t in self.terms if WORD_RUN.fullmatch(t)) if self.whole_word else frozenset()
        )
        self.other_terms = [t for t in self.terms if t not in self.run_terms]
        # Each word run inside a whole-word term is a maximal run of any text it occurs in, so a term
        # with a run the text lacks cannot occur: no scan of the text for it.
        self.term_runs = {t: WORD_RUN.findall(t) for t in self.other_terms} if self.whole_word else {}
        # So the terms worth a look are found from the text's runs: each term under its longest run
        # (the rarest, most likely), and the terms with none, which are always looked for.
        self.terms_by_run: dict[str, list[str]] = {}
        for term, runs in self.term_runs.items():
            if runs:
                self.terms_by_run.setdefault(max(runs, key=len), []).append(term)
        self.unindexed_terms = [t for t in self.other_terms if not self.term_runs.get(t)]

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern]:
        return {t: re.compile(rf"(?<!\w){re.escape(t)}(?!\w)") for t in self.other_terms}

    def matches(self, lowered: str) -> dict[str, int]:
        """{term: occurrences} in already lower-cased text, terms in sorted order."""
        found = {}
        runs = WORD_RUN.findall(lowered) if self.whole_word else []
        present = set(runs)  # the runs are counted only for the terms among them (hits are rare)
        if self.run_terms:
            found = {term: runs.count(term) for term in self.run_terms & present}
        candidates = [t for run in self.terms_by_run.keys() & present for t in self.terms_by_run[run]]
        for term in candidates + self.unindexed_terms:
            if all(run in present for run in self.term_runs.get(term, ())) and term in lowered:
                count = len(self._patterns[term].findall(lowered)) if self.whole_word else lowered.count(term)
                if count:
                    found[term] = count
        return dict(sorted(found.items()))


def load_lists(directory: Path) -> dict[str, LanguageList]:
    lists = {}
    for lang in LIST_LANGUAGES:
        path = directory / lang
        if path.is_file():
            terms = {
                line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            }
            lists[lang] = LanguageList(lang, terms - ALLOWLISTS.get(lang, set()))
    return lists


class Badwords(BatchFilter[BadwordsThresholds]):
    name = "badwords"
    Thresholds = BadwordsThresholds
    SIGNALS = {
        "badwords_checked": "bool",
        "badword_hits": "int",
        "badword_ratio": "float",
        "badword_terms": "list[str]",
    }

    def __init__(self, lists_dir: str | os.PathLike | None = None, download: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        modes = {self.thresholds.mode, *(t.mode for t in self._by_language.values())}
        unknown = sorted(modes - set(MODES))
        if unknown:
            raise ValueError(f"badwords mode must be one of {', '.join(MODES)}, not {unknown}")
        self.lists = load_lists(find_lists_dir(lists_dir, download))

    def list_for(self, lang: str) -> LanguageList | None:
        return self.lists.get(LIST_FOR_LANGUAGE.get(lang, lang))

    def signals(self, doc: TextFeatures) -> dict[str, Any]:
        language_list = self.list_for(doc.lang)
        if language_list is None:
            return {
                "badwords_checked": False,
                "badword_hits": None,
                "badword_ratio": None,
                "badword_terms": None,
            }
        found = language_list.matches(doc.lower)
        hits = sum(found.values())
        return {
            "badwords_checked": True,
            "badword_hits": hits,
            "badword_ratio": hits / len(doc.words) if doc.words else 0.0,
            "badword_terms": sorted(found),
        }

    def reason(self, s: dict[str, Any], t: BadwordsThresholds, doc: TextFeatures) -> str | None:
        if not s["badwords_checked"] or t.mode == "tag":
            return None
        if t.mode == "drop" and s["badword_hits"]:
            return "badwords"
        if t.mode == "ratio" and s["badword_ratio"] > t.max_ratio:
            return "badword_ratio"
        return None
