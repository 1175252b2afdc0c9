"""Keep rules for language-ID scores: a default threshold with per-language overrides.

Profiles (../shared/reference/filters.md):
- `fineweb` (default): keep when the top score is > 0.65 (strict), as FineWeb does with lid.176.
- `fineweb2`: FineWeb-2's per-language thresholds (>=, floor 0.30), tuned for GlotLID; with
  lid.176 they are a documented alternative, not a reproduction. The `language_score` of each of
  the 1,860 languages FineWeb-2 publishes a config for (data/fineweb2_language_scores.json, made
  by scripts/import_fineweb2.py from huggingface/fineweb-2, Apache-2.0; see
  filters/data/FINEWEB2_SOURCE.md); a language without one gets the floor, 0.30, FineWeb-2's
  lowest, except English: FineWeb-2 has no English config because English is FineWeb's, so it
  keeps FineWeb's 0.65 (at the floor, lid.176's weak guesses of English for Manx or Scots pages
  would be labelled English and judged by English's stop words).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources


def _fineweb2_thresholds() -> dict[str, float]:
    text = resources.files("langid").joinpath("data", "fineweb2_language_scores.json").read_text("utf-8")
    return {lang: float(score) for lang, score in json.loads(text)["scores"].items()}


FINEWEB_THRESHOLD = 0.65
FINEWEB2_THRESHOLDS = _fineweb2_thresholds()
FINEWEB2_FLOOR = 0.30


@dataclass(frozen=True)
class ThresholdProfile:
    default: float
    per_language: dict[str, float] = field(default_factory=dict)
    inclusive: bool = False  # >= instead of >


PROFILES = {
    "fineweb": ThresholdProfile(FINEWEB_THRESHOLD),
    "fineweb2": ThresholdProfile(
        FINEWEB2_FLOOR, {**FINEWEB2_THRESHOLDS, "en": FINEWEB_THRESHOLD}, inclusive=True
    ),
}


@dataclass(frozen=True)
class LanguageThresholds:
    profile: ThresholdProfile
    overrides: dict[str, float] = field(default_factory=dict)

    def threshold(self, lang: str) -> float:
        if lang in self.overrides:
            return self.overrides[lang]
        return self.profile.per_language.get(lang, self.profile.default)

    def passes(self, lang: str, score: float) -> bool:
        bound = self.threshold(lang)
        return score >= bound if self.profile.inclusive else score > bound
