"""What every run does once its tasks are done, wherever OUT is (a folder, or an object store
through pipeline/remote.py): dedup, the final shards, the run record; and the progress and
results of the tasks that both kinds of run share."""

from __future__ import annotations

import logging
import shutil
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import polars as pl
from tqdm import tqdm

from curate import SCHEMA_VERSION, __version__
from curate.atomic import write_json
from curate.config import Config
from curate.dedup.apply import ClusterDecisions
from curate.dedup.run import dedup_ledger, run_dedup
from curate.dedup.signatures import minhash_params
from curate.dedup.verify import staged_similarity
from curate.executors import Executor
from curate.layout import DEDUP_LEDGER, OutputLayout
from curate.ledger import read_ledgers, task_totals, write_ledger_table
from curate.pipeline.finalize import build_shards
from curate.pipeline.task import TaskResult, task_id_for

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    out_dir: Path | str  # a URL (str) when OUT is in an object store
    tasks: list[TaskResult]
    shards: list[Path | str] = field(default_factory=list)
    seconds: float = 0.0
    ledger: pl.DataFrame | None = None  # OUT in a store: the ledgers (else read from OUT)
    report: str | None = None  # OUT in a store: the report's URL (else written at the end)

    @property
    def failed(self) -> list[TaskResult]:
        return [t for t in self.tasks if t.failure]


def write_run_record(result: RunResult, config: Config, inputs: list[str]) -> None:
    write_json(OutputLayout(Path(result.out_dir)).run_record, run_record(result, config, inputs))


def run_record(result: RunResult, config: Config, inputs: list[str]) -> dict:
    """run.json: the inputs, the config, each task's result and the final shards."""
    return {
        "curate_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "seconds": round(result.seconds, 3),
        "inputs": inputs,
        "config": config.to_dict(),
        "tasks": [asdict(t) for t in result.tasks],
        "shards": [Path(p).relative_to(result.out_dir).as_posix() for p in result.shards],
    }


def deduplicate(
    layout: OutputLayout,
    results: list[TaskResult],
    config: Config,
    executor: Executor,
    show_progress: bool | None,
) -> ClusterDecisions:
    """Dedup's stages over the documents the succeeded tasks staged, and its ledger entries."""
    tasks = [t.task for t in results if not t.failure]
    log.info("dedup over the documents of %d input(s)", len(tasks))
    similarity = None
    if config.dedup.verify:
        languages = layout.staged_languages()
        staged = {
            task: [p for lang in languages for p in layout.staged_parts(lang, [task])] for task in tasks
        }
        similarity = staged_similarity(staged, minhash_params(config.dedup))
    decisions = run_dedup(layout, tasks, config.dedup, executor, similarity, show_progress=show_progress)
    ledger = dedup_ledger(decisions, {t.task: t.input for t in results})
    write_ledger_table(layout.ledger(DEDUP_LEDGER), ledger)
    return ClusterDecisions(decisions)


def inputs_bar(total: int, done: int, disable: bool | None) -> tqdm:
    """The progress of the tasks, in input files; `done` of them by an earlier run."""
    return tqdm(total=total, initial=done, desc="inputs", unit="file", disable=disable, file=sys.stderr)


def lost_task(task: tuple, error: Exception) -> TaskResult:
    """The result of a task (its arguments, the input first) that raised or lost its worker."""
    return TaskResult(task_id_for(task[0]), task[0], failure=str(error))


def deduplicate_if_enabled(
    layout: OutputLayout,
    results: list[TaskResult],
    config: Config,
    executor: Executor,
    show_progress: bool | None,
) -> ClusterDecisions | None:
    return deduplicate(layout, results, config, executor, show_progress) if config.dedup.enabled else None


def with_shards(
    layout: OutputLayout, results: list[TaskResult], config: Config, decisions: ClusterDecisions | None
) -> RunResult:
    """The run's result once the final shards of the succeeded tasks are written."""
    if decisions is None:
        shutil.rmtree(layout.dedup_dir, ignore_errors=True)
    result = RunResult(layout.root, with_ledger_totals(layout, results))
    succeeded = [t.task for t in results if not t.failure]
    result.shards = build_shards(layout, succeeded, config.output, decisions)
    return result


def with_ledger_totals(layout: OutputLayout, results: list[TaskResult]) -> list[TaskResult]:
    """The results with their totals as the ledgers have them now: dedup's removals included."""
    totals = task_totals(read_ledgers(layout))
    return [result if result.failure else replace(result, totals=totals[result.task]) for result in results]
