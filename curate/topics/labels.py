"""Weak labels from the seed lexicons, and the masking that hides the seeds from an evaluation.

How a label is made (`seed_label`): the text's first PREFIX_CHARS characters, lower-cased, are
matched against the seeds of the document's language: in spaced scripts as whole words and phrases
of up to MAX_SEED_WORDS words (tokens are runs of letters and digits, so "d'affaires" is "d affaires"),
in zh/ja/th as substrings. Each occurrence is one hit for the seed's topic, at most MAX_HITS_PER_SEED
per seed, so that one repeated word cannot carry a page. The top topic is the label when it has at
least MIN_HITS hits from at least MIN_DISTINCT_SEEDS different seeds and at least MARGIN_RATIO times
the runner-up's hits; otherwise (no seeds, too few, a tie, a mixed page, a language without seeds)
there is no label.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from curate.topics.seeds import SEEDS, UNSPACED_LANGUAGES

PREFIX_CHARS = 5000  # what the model reads too: labels and predictions see the same text
MAX_SEED_WORDS = 3
MAX_HITS_PER_SEED = 3
MIN_HITS = 3
MIN_DISTINCT_SEEDS = 2
MARGIN_RATIO = 2.0
WORD = re.compile(r"[^\W_]+")


class SeedLabel(NamedTuple):
    topic: str
    hits: int  # the label's hits
    margin: int  # its hits less the runner-up's


@dataclass(frozen=True)
class Lexicon:
    unspaced: bool
    topic_of: dict[str, str]  # normalized seed -> topic
    phrase_starts: frozenset[str]  # first words of multi-word seeds: only there are n-grams built


def normalize_seed(seed: str, unspaced: bool) -> str:
    """A seed as the matcher sees text: lower-case; in spaced scripts its words joined by one space."""
    return seed.lower() if unspaced else " ".join(WORD.findall(seed.lower()))


def _build(by_topic: dict[str, tuple[str, ...]], unspaced: bool) -> Lexicon:
    topic_of = {normalize_seed(seed, unspaced): topic for topic, seeds in by_topic.items() for seed in seeds}
    starts = frozenset(seed.split(" ")[0] for seed in topic_of if " " in seed)
    return Lexicon(unspaced, topic_of, starts)


@cache
def lexicon(lang: str) -> Lexicon | None:
    """The seeds of `lang` (its primary subtag: "pt-BR" reads "pt"), or None when it has none."""
    by_topic = SEEDS.get(lang.split("-")[0].lower())
    return _build(by_topic, lang in UNSPACED_LANGUAGES) if by_topic else None


def _phrase_spans(text: str, lex: Lexicon) -> list[tuple[int, int, str]]:
    """(start, end, seed) of every whole-word seed occurrence in lower-case `text`."""
    words = list(WORD.finditer(text))
    found = []
    for i, word in enumerate(words):
        gram = word.group()
        if gram in lex.topic_of:
            found.append((word.start(), word.end(), gram))
        if gram not in lex.phrase_starts:
            continue
        for j in range(i + 1, min(i + MAX_SEED_WORDS, len(words))):
            gram = f"{gram} {words[j].group()}"
            if gram in lex.topic_of:
                found.append((word.start(), words[j].end(), gram))
    return found


def seed_counts(text: str, lang: str) -> Counter[str]:
    """Hits per seed in the text's prefix (uncapped)."""
    lex = lexicon(lang or "")
    if lex is None:
        return Counter()
    sample = text[:PREFIX_CHARS].lower()
    if lex.unspaced:
        return Counter({seed: n for seed in lex.topic_of if (n := sample.count(seed))})
    return Counter(seed for _, _, seed in _phrase_spans(sample, lex))


def seed_label(text: str, lang: str) -> SeedLabel | None:
    """The topic the seeds of `lang` point to in `text`, or None (the rule is in the module doc)."""
    lex = lexicon(lang or "")
    if lex is None:
        return None
    hits: Counter[str] = Counter()
    distinct: Counter[str] = Counter()
    for seed, n in seed_counts(text, lang).items():
        hits[lex.topic_of[seed]] += min(n, MAX_HITS_PER_SEED)
        distinct[lex.topic_of[seed]] += 1
    ranked = hits.most_common(2)
    if not ranked:
        return None
    topic, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best < MIN_HITS or distinct[topic] < MIN_DISTINCT_SEEDS or best < MARGIN_RATIO * runner_up:
        return None
    return SeedLabel(topic, best, best - runner_up)


@cache
def _every_lexicon() -> tuple[Lexicon, Lexicon]:
    """All languages' seeds in one spaced and one unspaced lexicon, for masking."""
    spaced = {lang: by_topic for lang, by_topic in SEEDS.items() if lang not in UNSPACED_LANGUAGES}
    unspaced = {lang: by_topic for lang, by_topic in SEEDS.items() if lang in UNSPACED_LANGUAGES}
    merged = [
        {f"{lang}:{topic}": seeds for lang, by_topic in group.items() for topic, seeds in by_topic.items()}
        for group in (spaced, unspaced)
    ]
    return _build(merged[0], unspaced=False), _build(merged[1], unspaced=True)


def mask_seeds(text: str) -> str:
    """The text's prefix, lower-cased, with every seed of every language blanked out: what a held-out
    evaluation shows the model, so that it cannot score by re-finding the words that made the label."""
    spaced, unspaced = _every_lexicon()
    sample = text[:PREFIX_CHARS].lower()
    pieces, end = [], 0
    for start, stop, _ in sorted(_phrase_spans(sample, spaced)):
        if start >= end:
            pieces.append(sample[end:start])
        end = max(end, stop)
    sample = " ".join([*pieces, sample[end:]])
    for seed in sorted(unspaced.topic_of, key=len, reverse=True):  # longest first: 主耶稣 before 耶稣
        sample = sample.replace(seed, " ")
    return sample
