"""FineWeb quality rules (Penedo et al. 2024), defaults as datatrove's FineWebQualityFilter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from filters.base import BatchFilter, over, ratio, under
from filters.gopher_repetition import duplicates
from filters.ranges import COUNT, PER_WORD, RATIO
from filters.text import TextFeatures, ends_sentence


@dataclass(frozen=True)
class FineWebThresholds:
    # non-empty lines ending in terminal punctuation
    min_punct_lines_ratio: float | None = field(default=0.12, metadata=RATIO)
    max_short_lines_ratio: float | None = field(default=0.67, metadata=RATIO)  # lines of <= short_line_chars
    short_line_chars: int = field(default=30, metadata=COUNT)
    # chars in repeated lines / chars; FineWeb-2: 0.1
    max_dup_line_char_ratio: float | None = field(default=0.01, metadata=RATIO)
    max_newline_word_ratio: float | None = field(default=0.3, metadata=PER_WORD)


class FineWebQuality(BatchFilter[FineWebThresholds]):
    name = "fineweb"
    Thresholds = FineWebThresholds
    SIGNALS = {
        "fw_punct_lines_ratio": "float",
        "fw_short_lines_ratio": "float",
        "fw_dup_line_char_ratio": "float",
        "fw_newline_word_ratio": "float",
    }

    def signals(self, doc: TextFeatures) -> dict[str, Any]:
        t = self.thresholds_for(doc.lang)
        lines = [line for line in doc.newline_lines if line.strip()]
        n_lines = len(lines) or 1
        return {
            "fw_punct_lines_ratio": sum(ends_sentence(line) for line in lines) / n_lines,
            "fw_short_lines_ratio": sum(len(line) <= t.short_line_chars for line in lines) / n_lines,
            "fw_dup_line_char_ratio": ratio(duplicates(lines)[1], len(doc.text) - doc.text.count("\n")),
            "fw_newline_word_ratio": ratio(doc.text.count("\n"), len(doc.words)),
        }

    def reason(self, s: dict[str, Any], t: FineWebThresholds, doc: TextFeatures) -> str | None:
        checks = (
            (under(s["fw_punct_lines_ratio"], t.min_punct_lines_ratio), "line_punct_ratio"),
            (over(s["fw_short_lines_ratio"], t.max_short_lines_ratio), "short_line_ratio"),
            (over(s["fw_dup_line_char_ratio"], t.max_dup_line_char_ratio), "char_dup_ratio"),
            (over(s["fw_newline_word_ratio"], t.max_newline_word_ratio), "list_ratio"),
        )
        return next((reason for failed, reason in checks if failed), None)
