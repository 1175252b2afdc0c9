"""What every filter is: a batch function that computes signal columns, then decides per language.

`compute(docs)` -> {signal name: one value per document}; `decide(signals, langs)` -> one removal
reason (or None: keep) per document, from the thresholds of each document's language. Thresholds
are a dataclass per filter; `per_language` overrides replace some of its fields for one language.
A filter that edits text (C4 drops lines) sets `REWRITES` and implements `rewrite`, which gives the
signals and the new text together (they come from one pass over the lines).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from filters.text import TextFeatures
from filters.time_bound import NO_BOUND, TimeBound

T = TypeVar("T")


class BatchFilter(Generic[T]):
    """Subclasses set `name` and `Thresholds`, and implement `signals` and `reason` for one document."""

    name: ClassVar[str]
    Thresholds: ClassVar[type]
    SIGNALS: ClassVar[dict[str, str]]  # signal column -> int, float, bool, str or list[str]
    LANGUAGE_DEFAULTS: ClassVar[dict[str, dict[str, Any]]] = {}  # built-in per-language overrides
    REWRITES: ClassVar[bool] = False  # True: the text of a document it keeps becomes `rewrite`'s
    REMOVES: ClassVar[bool] = True  # False: it only rewrites (PII masking), so no audit looks at it

    def __init__(self, thresholds: T | None = None, per_language: dict[str, dict[str, Any]] | None = None):
        self.thresholds: T = thresholds if thresholds is not None else self.Thresholds()
        merged = {lang: dict(overrides) for lang, overrides in self.LANGUAGE_DEFAULTS.items()}
        for lang, overrides in (per_language or {}).items():
            merged.setdefault(lang, {}).update(overrides)
        self._by_language = {
            lang: dataclasses.replace(self.thresholds, **overrides) for lang, overrides in merged.items()
        }

    def thresholds_for(self, lang: str) -> T:
        return self._by_language.get(lang, self.thresholds)

    def signals(self, doc: TextFeatures) -> dict[str, Any]:
        raise NotImplementedError

    def reason(self, signals: dict[str, Any], thresholds: T, doc: TextFeatures) -> str | None:
        raise NotImplementedError

    def rewrite(self, doc: TextFeatures) -> tuple[dict[str, Any], str]:
        """The document's signals and its text as this filter rewrites it (only with REWRITES)."""
        raise NotImplementedError

    def compute(
        self, docs: Sequence[TextFeatures], bound: TimeBound = NO_BOUND
    ) -> list[dict[str, Any] | None]:
        """Signals per document, each computed under `bound`: None for a document out of time."""
        return [bound.run(self.signals, doc) for doc in docs]

    def compute_rewriting(
        self, docs: Sequence[TextFeatures], bound: TimeBound = NO_BOUND
    ) -> list[tuple[dict[str, Any], str | None] | None]:
        """(signals, rewritten text or None: unchanged) per document; None for one out of time."""
        if not self.REWRITES:
            return [None if signals is None else (signals, None) for signals in self.compute(docs, bound)]
        return [bound.run(self.rewrite, doc) for doc in docs]

    def decide(self, signals: Sequence[dict[str, Any]], docs: Sequence[TextFeatures]) -> list[str | None]:
        return [self.reason(s, self.thresholds_for(d.lang), d) for s, d in zip(signals, docs)]

    def __call__(self, docs: Sequence[TextFeatures]) -> tuple[list[dict[str, Any]], list[str | None]]:
        signals = self.compute(docs)  # unbounded: never None
        return signals, self.decide(signals, docs)  # type: ignore[arg-type]


def over(value: float, bound: float | None) -> bool:
    """True when a `max_*` bound is set and exceeded."""
    return bound is not None and value > bound


def under(value: float, bound: float | None) -> bool:
    """True when a `min_*` bound is set and not reached."""
    return bound is not None and value < bound


def ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0
