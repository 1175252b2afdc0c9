"""The language-ID step: tags every document, removes (or keeps as `und`) those below their
language's threshold or outside the `langs` allow-list."""

from __future__ import annotations

from curate.config import LangidConfig
from curate.errors import UsageError
from curate.pipeline.steps import Removal
from langid import PROFILES, UNDETERMINED, LanguageIdentifier, LanguageThresholds, ModelNotFoundError

BELOW_THRESHOLD = "lang_below_threshold"
UNDETERMINED_TEXT = "lang_undetermined"  # no letters at all
NOT_ALLOWED = "lang_not_allowed"


class LanguageStep:
    name = "langid"

    def __init__(self, config: LangidConfig):
        try:
            self.identifier = LanguageIdentifier(
                config.model or None, prefix_chars=config.prefix_chars or None, top_k=config.top_k
            )
        except ModelNotFoundError as exc:
            raise UsageError(str(exc)) from None
        self.thresholds = LanguageThresholds(PROFILES[config.profile], dict(config.thresholds))
        self.allowed = set(config.langs)
        self.keep_below_threshold = config.keep_below_threshold

    def apply(self, columns: dict[str, list]) -> list[Removal | None]:
        """Fill the lang columns in place; return each document's Removal, or None."""
        predictions = self.identifier.predict(columns["text"])
        reasons: list[Removal | None] = []
        for i, prediction in enumerate(predictions):
            lang, reason, alternatives = prediction.lang, None, prediction.alternatives
            if lang == UNDETERMINED:
                reason = UNDETERMINED_TEXT
            elif not self.thresholds.passes(lang, prediction.score):
                reason = BELOW_THRESHOLD
                if self.keep_below_threshold:  # kept as `und`, the model's best guess first among the others
                    alternatives = ((lang, round(prediction.score, 4)), *alternatives)
                    lang, reason = UNDETERMINED, None
            if reason is None and self.allowed and lang not in self.allowed:
                reason = NOT_ALLOWED
            columns["lang"][i] = lang
            columns["lang_score"][i] = prediction.score
            columns["lang_script"][i] = prediction.script
            columns["lang_alternatives"][i] = [{"lang": code, "score": s} for code, s in alternatives]
            reasons.append(Removal(self.name, reason) if reason else None)
        return reasons
