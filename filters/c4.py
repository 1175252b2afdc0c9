"""C4 quality rules (Raffel et al. 2020), defaults as the paper and datatrove's C4QualityFilter.

Line rules remove lines (and so rewrite the text); page rules drop the page. FineWeb runs it with
`require_terminal_punct = false`; `profile = "tfds"` gives the TFDS code's values (5 words a line,
3 sentences a page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from filters.base import BatchFilter, under
from filters.ranges import COUNT, MAX_COUNT, within
from filters.text import TextFeatures
from filters.words import UNSPACED_LANGUAGES

CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
END_PUNCTUATION = (".", "?", "!", '"', "'")
POLICY_PHRASES = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
# A sentence ends at terminal punctuation (plus closing quotes/brackets) followed by more text:
#   [.!?]+['"”’)\]]*\s+(?=\S)  |  [。！？]+['"”’」』)\]]*\s*(?=\S)
# written with one character class first, which `re` scans for quickly (4x faster on long pages);
# the look-behind sends each match into the branch of the mark it starts with.
SENTENCE_END = re.compile(
    r"[.!?。！？](?:(?<=[.!?])[.!?]*['\"”’)\]]*\s+(?=\S)|(?<=[。！？])[。！？]*['\"”’」』)\]]*\s*(?=\S))"
)


@dataclass(frozen=True)
class C4Thresholds:
    require_terminal_punct: bool = True  # keep only lines ending in . ? ! " ' (not ...)
    min_words_per_line: int | None = field(default=3, metadata=COUNT)
    min_sentences: int | None = field(default=5, metadata=COUNT)
    # a line with a longer word is removed
    max_word_len: int | None = field(default=1000, metadata=within(1, MAX_COUNT))
    remove_citations: bool = True
    drop_lorem_ipsum: bool = True
    drop_javascript_lines: bool = True
    drop_curly_bracket: bool = True
    drop_policy_lines: bool = True


TFDS = {"min_words_per_line": 5, "min_sentences": 3}


def count_sentences(line: str) -> int:
    return len(SENTENCE_END.findall(line)) + 1


class C4Quality(BatchFilter[C4Thresholds]):
    name = "c4"
    Thresholds = C4Thresholds
    # Lines of unspaced languages have no whitespace-separated words to count.
    LANGUAGE_DEFAULTS = {lang: {"min_words_per_line": None} for lang in UNSPACED_LANGUAGES}
    SIGNALS = {"c4_lines_removed": "int", "c4_sentences": "int", "c4_page_rule": "str"}
    REWRITES = True  # the lines it keeps are the document's text

    def signals(self, doc: TextFeatures) -> dict[str, Any]:
        return self.rewrite(doc)[0]

    def rewrite(self, doc: TextFeatures) -> tuple[dict[str, Any], str]:
        t = self.thresholds_for(doc.lang)
        kept: list[str] = []
        sentences = 0
        page_reason = None
        lines = doc.lines
        # Which line rules can fire at all, decided once on the whole text: most pages have no
        # "javascript", "lorem ipsum", "{" or policy phrase anywhere, and then no line is lowered.
        # (Citations are removed first, as from each line: "lorem [1]ipsum" becomes a match.)
        lowered_text = (CITATION.sub("", doc.text) if t.remove_citations else doc.text).lower()
        check_lorem = t.drop_lorem_ipsum and "lorem ipsum" in lowered_text
        check_javascript = t.drop_javascript_lines and "javascript" in lowered_text
        check_curly = t.drop_curly_bracket and "{" in doc.text
        policy_phrases = [p for p in POLICY_PHRASES if p in lowered_text] if t.drop_policy_lines else []
        needs_lowered = check_lorem or check_javascript or bool(policy_phrases)
        for raw in lines:
            line = raw.strip()
            words = line.split()
            if (
                t.max_word_len is not None
                and len(line) > t.max_word_len  # no word is longer than its line
                and any(len(w) > t.max_word_len for w in words)
            ):
                continue
            if t.remove_citations and "[" in line:
                line = CITATION.sub("", line)
            if t.require_terminal_punct and (not line.endswith(END_PUNCTUATION) or line.endswith("...")):
                continue
            if t.min_words_per_line is not None and len(words) < t.min_words_per_line:
                continue
            lowered = line.lower() if needs_lowered else ""
            if check_lorem and "lorem ipsum" in lowered:
                page_reason = "lorem_ipsum"
                break
            if check_javascript and "javascript" in lowered:
                continue
            if check_curly and "{" in line:
                page_reason = "curly_bracket"
                break
            if policy_phrases and any(p in lowered for p in policy_phrases):
                continue
            sentences += count_sentences(line)
            kept.append(line)
        signals = {
            "c4_lines_removed": len(lines) - len(kept),
            "c4_sentences": sentences,
            "c4_page_rule": page_reason,
        }
        return signals, "\n".join(kept).strip()

    def reason(self, s: dict[str, Any], t: C4Thresholds, doc: TextFeatures) -> str | None:
        if s["c4_page_rule"]:
            return s["c4_page_rule"]
        if under(s["c4_sentences"], t.min_sentences):
            return "too_few_sentences"
        return None
