"""What every task on a worker shares: its steps, built once per worker (models load once), closed
when the worker ends. The executor builds them through its per-worker setup (`worker_setup`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from curate.config import Config
from curate.dedup.minhash import MinHasher
from curate.dedup.signatures import minhash_params
from curate.executors import WorkerSetup
from curate.pipeline.steps import BatchStep, RecordStep
from curate.pipeline.steps.decontaminate import DecontaminateStep
from curate.pipeline.steps.filters import FilterStep
from curate.pipeline.steps.language import LanguageStep
from curate.pipeline.steps.record import ExtractStep, UrlStep
from curate.pipeline.steps.repair import RepairStep
from curate.pipeline.steps.topics import TopicStep
from filters.registry import CarriedFilters, carry


@dataclass
class Processors:
    record_steps: list[RecordStep]  # before extraction: the URL filter (when filters run)
    batch_steps: list[BatchStep]  # Unicode repair, topics, language ID, filters, decontamination
    extraction: ExtractStep
    hasher: MinHasher | None = None  # dedup's signatures of the staged documents

    def close(self) -> None:
        self.extraction.close()


def build_processors(config: Config, user_filters: CarriedFilters | None = None) -> Processors:
    """The steps of `config`, after registering `user_filters` (a worker's copy of the filters the
    driver registered: a spawned worker does not share its registry)."""
    if user_filters is not None:
        user_filters.install()
    batch_steps: list[BatchStep] = [RepairStep()] if config.unicode.enabled else []
    if config.topics.enabled:
        batch_steps.append(TopicStep(config.topics))
    if config.langid.enabled:
        batch_steps.append(LanguageStep(config.langid))
    record_steps: list[RecordStep] = []
    if config.filters.enabled:
        batch_steps.append(FilterStep(config.filters))
        record_steps.append(UrlStep(config.filters))
    if config.decontaminate.enabled:  # after the filters: only what they keep is looked up
        batch_steps.append(DecontaminateStep(config.decontaminate.files, config.decontaminate.ngram))
    extraction = ExtractStep(config.extract)
    hasher = MinHasher(minhash_params(config.dedup)) if config.dedup.enabled else None
    return Processors(record_steps, batch_steps, extraction, hasher)


@contextlib.contextmanager
def checked_processors(config: Config, workers: int, executor: str) -> Iterator[Processors | None]:
    """The Processors, built first so that a missing model fails before anything is written: held
    for the tasks when they run in this process (one local worker), else closed at once, since the
    workers load their own (none held idle here: about 200 MB)."""
    processors: Processors | None = build_processors(config)
    if workers > 1 or executor != "local":
        processors.close()
        processors = None
    try:
        yield processors
    finally:
        if processors:
            processors.close()


def close_processors(processors: Processors) -> None:
    processors.close()


def worker_setup(config: Config, digest: str, built: Processors | None = None) -> WorkerSetup:
    """How a worker gets its Processors: `built` (already built in this process, which closes it
    itself) for tasks run here, else built from `config` in each worker, with the registered filters
    it names; `digest` names the config."""
    if built is not None:
        return WorkerSetup(lambda: built, key=digest)
    build = partial(build_processors, config, carry(config.filters.order))
    return WorkerSetup(build, close_processors, key=digest)
