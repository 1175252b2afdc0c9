"""The filter stage of `curate run`: the configured filters in order over each batch.

Words, lines and paragraphs are computed once per document and shared by every filter; a document
leaves at the first filter that drops it, booked under that filter's name and reason. Every
signal a filter computed is written to the document's columns, also for dropped documents.
"""

from __future__ import annotations

from typing import Any

from curate.config import FiltersConfig
from curate.errors import UsageError
from curate.extract import TIMEOUT, TOO_LARGE
from curate.step_failures import StepFailure, each_or_failure
from filters import FILTERS, Badwords, BadwordsUnavailableError, BatchFilter, TextFeatures, UrlFilter
from filters.c4 import TEXT
from filters.time_bound import TimeBound

Removal = tuple[str, str] | StepFailure | None  # (stage, reason), a failed step, or None: kept


def build_filters(config: FiltersConfig) -> list[BatchFilter]:
    filters: list[BatchFilter] = []
    for name in config.order:
        thresholds = getattr(config, name)
        per_language = {lang: by[name] for lang, by in config.per_language.items() if name in by}
        try:
            if name == "badwords":
                filters.append(
                    Badwords(config.badwords_dir or None, thresholds=thresholds, per_language=per_language)
                )
            else:
                filters.append(FILTERS[name](thresholds=thresholds, per_language=per_language))
        except (BadwordsUnavailableError, OSError, ValueError) as exc:
            raise UsageError(f"filters.{name}: {exc}") from None
    return filters


class FilterStage:
    name = "filters"

    def __init__(self, config: FiltersConfig):
        self.filters = build_filters(config)
        self.max_text_chars = config.max_text_chars
        self.timeout_s = config.timeout_s

    def apply(self, columns: dict[str, list]) -> list[Removal]:
        """Fill the signal columns (and C4's rewritten text) in place; return each document's removal."""
        # A size cap bounds the filters' time per document (their cost grows with the text).
        removals: list[Removal] = [
            (self.name, TOO_LARGE) if len(text) > self.max_text_chars else None for text in columns["text"]
        ]
        docs = [TextFeatures(text, lang) for text, lang in zip(columns["text"], columns["lang"])]
        with TimeBound(self.timeout_s) as bound:
            for batch_filter in self.filters:
                self._apply_filter(batch_filter, bound, columns, docs, removals)
        return removals

    def _apply_filter(
        self,
        batch_filter: BatchFilter,
        bound: TimeBound,
        columns: dict[str, list],
        docs: list[TextFeatures],
        removals: list[Removal],
    ) -> None:
        alive = [i for i, removal in enumerate(removals) if removal is None]
        if not alive:
            return
        for i, verdict in zip(alive, _judge_isolated(batch_filter, bound, [docs[i] for i in alive])):
            if verdict is None:  # out of time: no signals, removed
                removals[i] = (batch_filter.name, TIMEOUT)
                continue
            if isinstance(verdict, StepFailure):
                removals[i] = verdict
                continue
            doc_signals, reason = verdict
            new_text = doc_signals.pop(TEXT, None)
            for key, value in doc_signals.items():
                columns[key][i] = value
            if reason:
                removals[i] = (batch_filter.name, reason)
            elif new_text is not None and new_text != docs[i].text:
                columns["text"][i] = new_text
                docs[i] = TextFeatures(new_text, docs[i].lang)


Verdict = tuple[dict[str, Any], "str | None"] | None  # (signals, removal reason); None: out of time


def _judge(batch_filter: BatchFilter, bound: TimeBound, docs: list[TextFeatures]) -> list[Verdict]:
    computed = batch_filter.compute(docs, bound)
    finished = [(k, signals) for k, signals in enumerate(computed) if signals is not None]
    reasons = batch_filter.decide([s for _, s in finished], [docs[k] for k, _ in finished])
    verdicts: list[Verdict] = [None] * len(docs)
    for (k, signals), reason in zip(finished, reasons):
        verdicts[k] = (signals, reason)
    return verdicts


def _judge_isolated(
    batch_filter: BatchFilter, bound: TimeBound, docs: list[TextFeatures]
) -> list[Verdict | StepFailure]:
    """The filter over the batch; if it raises, one document at a time, so that only the
    documents it raises on are lost (as `<filter>_failed` errors)."""
    return each_or_failure(batch_filter.name, docs, lambda some: _judge(batch_filter, bound, some))


class UrlStage:
    """Runs on the URL alone, before extraction, so blocked pages cost no extraction time."""

    name = "url"

    def __init__(self, config: FiltersConfig):
        try:
            self.filter = UrlFilter(config.url)
        except OSError as exc:
            raise UsageError(f"filters.url: {exc}") from None

    def reason(self, url: str | None) -> str | None:
        return self.filter.reason(url)


__all__ = ["FilterStage", "UrlStage", "build_filters"]
