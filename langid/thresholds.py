"""Keep rules for language-ID scores: a default threshold with per-language overrides.

Profiles (../shared/reference/filters.md):
- `fineweb` (default): keep when the top score is > 0.65 (strict), as FineWeb does with lid.176.
- `fineweb2`: FineWeb-2's per-language thresholds (>=, floor 0.30), tuned for GlotLID; with
  lid.176 they are a documented alternative, not a reproduction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FINEWEB2_THRESHOLDS = {
    "de": 0.821, "fr": 0.824, "es": 0.84, "ja": 0.886, "zh": 0.692,
    "hi": 0.692, "nl": 0.689, "ar": 0.711, "ru": 0.90, "th": 0.90,
}  # fmt: skip


@dataclass(frozen=True)
class ThresholdProfile:
    default: float
    per_language: dict[str, float] = field(default_factory=dict)
    inclusive: bool = False  # >= instead of >


PROFILES = {
    "fineweb": ThresholdProfile(0.65),
    "fineweb2": ThresholdProfile(0.30, FINEWEB2_THRESHOLDS, inclusive=True),
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
