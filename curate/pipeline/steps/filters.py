"""The filter step: the configured filters in order over each batch.

Words, lines and paragraphs are computed once per document and shared by every filter; a document
leaves at the first filter that drops it, booked under that filter's name and reason. Every
signal a filter computed is written to the document's columns, also for dropped documents. A filter
that rewrites text (C4) changes the text of the documents it keeps, for the filters after it.
"""

from __future__ import annotations

from typing import Any

from curate.config import FiltersConfig
from curate.errors import UsageError
from curate.extract import TIMEOUT, TOO_LARGE
from curate.pipeline.steps import Removal
from curate.pipeline.steps.isolation import each_or_failure
from filters import Badwords, BadwordsUnavailableError, BatchFilter, TextFeatures
from filters.registry import filter_class
from filters.time_bound import TimeBound


def build_filters(config: FiltersConfig) -> list[BatchFilter]:
    filters: list[BatchFilter] = []
    for name in config.order:
        thresholds = getattr(config, name, None)  # a registered filter has no section: its defaults
        per_language = config.overrides_for(name)  # the profile's, then [filters.per_language]'s
        try:
            if name == "badwords":
                filters.append(
                    Badwords(config.badwords_dir or None, thresholds=thresholds, per_language=per_language)
                )
            else:
                filters.append(filter_class(name)(thresholds=thresholds, per_language=per_language))
        except (BadwordsUnavailableError, OSError, ValueError) as exc:
            raise UsageError(f"filters.{name}: {exc}") from None
    return filters


class FilterStep:
    name = "filters"

    def __init__(self, config: FiltersConfig):
        self.filters = build_filters(config)
        self.max_text_chars = config.max_text_chars
        self.timeout_s = config.timeout_s

    def apply(self, columns: dict[str, list]) -> list[Removal | None]:
        """Fill the signal columns (and rewritten text) in place; return each document's Removal.
        A signal without a column is not kept (a registered filter's: the shards' schema is fixed)."""
        # A size cap bounds the filters' time per document (their cost grows with the text).
        removals: list[Removal | None] = [
            Removal(self.name, TOO_LARGE) if len(text) > self.max_text_chars else None
            for text in columns["text"]
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
        removals: list[Removal | None],
    ) -> None:
        alive = [i for i, removal in enumerate(removals) if removal is None]
        if not alive:
            return
        for i, verdict in zip(alive, _judge_isolated(batch_filter, bound, [docs[i] for i in alive])):
            if verdict is None:  # out of time: no signals, removed
                removals[i] = Removal(batch_filter.name, TIMEOUT)
                continue
            if isinstance(verdict, Removal):  # the filter raised on this document
                removals[i] = verdict
                continue
            doc_signals, reason, new_text = verdict
            for key, value in doc_signals.items():
                if key in columns:
                    columns[key][i] = value
            if reason:
                removals[i] = Removal(batch_filter.name, reason)
            elif new_text is not None and new_text != docs[i].text:
                columns["text"][i] = new_text
                docs[i] = TextFeatures(new_text, docs[i].lang)


# (signals, removal reason, rewritten text or None); None: out of time
Verdict = tuple[dict[str, Any], "str | None", "str | None"] | None


def _judge(batch_filter: BatchFilter, bound: TimeBound, docs: list[TextFeatures]) -> list[Verdict]:
    computed = batch_filter.compute_rewriting(docs, bound)
    finished = [(k, result) for k, result in enumerate(computed) if result is not None]
    reasons = batch_filter.decide([signals for _, (signals, _) in finished], [docs[k] for k, _ in finished])
    verdicts: list[Verdict] = [None] * len(docs)
    for (k, (signals, new_text)), reason in zip(finished, reasons):
        verdicts[k] = (signals, reason, new_text)
    return verdicts


def _judge_isolated(
    batch_filter: BatchFilter, bound: TimeBound, docs: list[TextFeatures]
) -> list[Verdict | Removal]:
    """The filter over the batch; if it raises, one document at a time, so that only the
    documents it raises on are lost (as `<filter>_failed` errors)."""
    return each_or_failure(batch_filter.name, docs, lambda some: _judge(batch_filter, bound, some))
