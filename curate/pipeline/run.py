"""`curate run`: every input as a task, then dedup, the final shards and the run record (finish.py),
into a folder; into an object store, pipeline/remote.py."""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import time
from dataclasses import replace
from pathlib import Path

from curate.atomic import remove_tmp_files
from curate.config import Config
from curate.errors import UsageError
from curate.executors import Executor, make_executor, run_all
from curate.executors.local import LocalExecutor
from curate.inputs import absolute, without_outputs
from curate.layout import OutputLayout
from curate.pipeline.finish import (
    RunResult,
    deduplicate_if_enabled,
    lost_task,
    with_shards,
    write_run_record,
)
from curate.pipeline.logfile import run_log
from curate.pipeline.ownership import plan_inputs, recorded_inputs, run_lock
from curate.pipeline.processors import checked_processors, worker_setup
from curate.pipeline.progress import PROGRESS_EVERY_S, ProgressBoard
from curate.pipeline.resume import completed, config_hash, input_size
from curate.pipeline.task import Progress, TaskResult, task_id_for
from curate.pipeline.topic_clusters import fit_run_clusters, will_fit, with_clusters_file
from curate.pipeline.worker import process_input
from curate.storage import is_store_url

log = logging.getLogger(__name__)


def prepare_output_dir(layout: OutputLayout) -> bool:
    """Check OUT can take this run's output; True if it is new (and may be removed on failure)."""
    out_dir = layout.root
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {out_dir}: exists and is not a directory")
    # The lock and the log may outlive a first run that failed before its run record.
    foreign = out_dir.exists() and any(p not in (layout.lock, layout.logs_dir) for p in out_dir.iterdir())
    if foreign and not layout.run_record.exists():
        raise UsageError(f"-o {out_dir}: directory is not empty and holds no curate run; choose another")
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    return created


def earlier_inputs(layout: OutputLayout) -> list[str] | None:
    """The inputs of the run OUT holds, from its run record (None: none yet)."""
    try:
        earlier = recorded_inputs(json.loads(layout.run_record.read_text()))
    except (OSError, ValueError):
        return None
    # A run before inputs were recorded absolute: its relative paths were relative to this folder.
    return None if earlier is None else [absolute(location) for location in earlier]


def drop_other_tasks(layout: OutputLayout, tasks: set[str]) -> None:
    """Outputs of an earlier run over other inputs must not leak into this run's shards or stats."""
    for task, path in list(layout.task_files()):
        if task not in tasks:
            path.unlink(missing_ok=True)


def run_tasks(
    inputs: list[str],
    layout: OutputLayout,
    config: Config,
    digest: str,
    executor: Executor,
    force: bool,
    disable: bool | None,
    randomize_start_s: float = 0.0,
    progress_every_s: float = PROGRESS_EVERY_S,
) -> list[TaskResult]:
    """Every input's task, skipping those whose completion marker matches (unless `force`);
    `digest` is `config_hash(config)`; each task first waits a random part of `randomize_start_s`.
    Off a terminal, a progress line every `progress_every_s` seconds."""
    sizes = {location: input_size(location) for location in inputs}
    results: dict[str, TaskResult] = {}
    for location in inputs:
        task = task_id_for(location)
        totals = None if force else completed(layout, task, sizes[location], digest)
        if totals is not None:
            results[location] = TaskResult(task, location, totals, resumed=True)
    pending = [location for location in inputs if location not in results]
    log.info(
        "%d input(s): %d to do, %d done by an earlier run; %d worker(s)",
        len(inputs), len(pending), len(results), executor.workers,
    )  # fmt: skip
    out_dir = layout.root
    board = ProgressBoard({location: sizes[location] for location in pending}, len(results), disable)
    with board.running(progress_every_s):

        def task_args(location: str, reporter: Progress) -> tuple:
            delay = random.uniform(0, randomize_start_s)
            return (location, out_dir, config, sizes[location], digest, delay, reporter)

        def done(location: str, result: TaskResult) -> None:
            results[location] = result
            _log_done(result)
            board.task_done(location)

        if executor.in_process:
            for location in pending:
                task = task_args(location, board.local_reporter(location))
                [result] = run_all(executor, process_input, [task], on_lost=lost_task)
                done(location, result)
        else:
            tasks = [task_args(location, board.worker_reporter(location)) for location in pending]
            run_all(executor, process_input, tasks, lambda i, result: done(pending[i], result), lost_task)
    return [results[location] for location in inputs]


def _log_done(result: TaskResult) -> None:
    # DEBUG: the summary at the end names every failed input on stderr; the log file has both.
    if result.failure:
        log.debug("input failed: %s", result.failure)
    else:
        log.debug("input done: %s (%s records read)", result.input, f"{result.totals.get('read', 0):,}")


def run_pipeline(
    inputs: list[str],
    out_dir: Path | str,
    config: Config,
    show_progress: bool | None = None,
    workers: int | None = None,
    executor: str = "local",
    ray_address: str | None = None,
    force: bool = False,
    add: bool = False,
    randomize_start_s: float = 0.0,
    storage_options: dict | None = None,
    progress_every_s: float = PROGRESS_EVERY_S,
) -> RunResult:
    """Run every input through the pipeline into `out_dir`. Inputs that fail are reported in the
    result, not raised; if all fail, nothing is left behind. Tasks run on `executor` with `workers`
    processes (dedup's pair tasks too); a rerun skips the inputs already done unless `force`.
    OUT holds one set of inputs: another set is a UsageError unless `force` (replace) or `add`.
    `out_dir` may be the URL of an object store (s3://bucket/run, with `storage_options` for its
    filesystem): see pipeline/remote.py. Each task first waits a random part of `randomize_start_s`.
    `workers` None: as many as the inputs can use (default_workers). Off a terminal, a progress
    line every `progress_every_s` seconds; the log of the run is appended to OUT/logs/curate.log."""
    workers = workers or default_workers(inputs)
    inputs = [absolute(location) for location in inputs]  # as run.json, the tasks and `source` name them
    if isinstance(out_dir, str) and is_store_url(out_dir):
        from curate.pipeline.remote import run_to_store  # imports this module

        if config.topics.enabled and not config.topics.model and not config.topics.clusters_file:
            # Workers there share nothing but the store, and clusters are fitted into a local OUT.
            log.info("topics: off for OUT in a store unless topics.model or topics.clusters_file is set")
            config = replace(config, topics=replace(config.topics, enabled=False))
        return run_to_store(
            inputs,
            out_dir,
            config,
            storage_options,
            show_progress=show_progress,
            workers=workers,
            executor=executor,
            ray_address=ray_address,
            force=force,
            add=add,
            randomize_start_s=randomize_start_s,
        )
    out_dir = Path(out_dir).absolute()  # Ray's workers run in a folder of their own
    started = time.monotonic()
    layout = OutputLayout(out_dir)
    config = with_clusters_file(config, layout)
    inputs = without_outputs(inputs, out_dir)  # OUT's own files are never inputs
    if not inputs:
        raise UsageError(f"no inputs outside -o {out_dir}")
    with checked_processors(config, workers, executor) as processors:
        created = prepare_output_dir(layout)
        with run_lock(out_dir), run_log(layout.log_file):
            log.info("run into %s", out_dir)
            inputs = plan_inputs(out_dir, earlier_inputs(layout), inputs, force, add)
            remove_tmp_files(out_dir)  # under the lock: no other run is writing them
            drop_other_tasks(layout, {task_id_for(location) for location in inputs})
            # Names the inputs before any task runs, so that a killed run resumes, or is refused
            # when rerun over others.
            write_run_record(RunResult(out_dir, []), config, inputs)
            runner = _pool_started_early(config, layout, inputs, force, executor, workers)
            try:
                fit_run_clusters(config, layout, inputs, force, processors and processors.extraction)
                digest = config_hash(config)  # once: it hashes the files the config names (models, lists)
            except BaseException:  # until _run_locked closes it, an early pool is ours to take down
                if runner:
                    runner.terminate()
                raise
            runner = runner or make_executor(
                executor, workers, ray_address, worker_setup(config, digest, processors)
            )
            result = _run_locked(
                inputs,
                layout,
                config,
                show_progress,
                runner,
                digest,
                force,
                (randomize_start_s, progress_every_s),
            )
            if len(result.failed) < len(result.tasks):
                result.seconds = time.monotonic() - started
                write_run_record(result, config, inputs)
                log.info("done in %.1f s: %s", result.seconds, layout.run_record)
            elif created:
                shutil.rmtree(out_dir, ignore_errors=True)
    return result


def _pool_started_early(
    config: Config, layout: OutputLayout, inputs: list[str], force: bool, executor: str, workers: int
) -> Executor | None:
    """A local pool whose workers start now, when the driver is about to fit the topic clusters:
    they import and build their models meanwhile, on a core the fit leaves idle (measured: 5-11%
    off a two-worker run of the workers benchmark), and read the clusters at their first batch,
    after the fit. Not on Ray: a Ray worker outlives the run, so its setup is named by the
    digest, which hashes the clusters."""
    if executor != "local" or workers <= 1 or not will_fit(config, layout, inputs, force):
        return None
    # The key tells setups apart only in a long-lived worker; this pool's live for this run alone.
    runner = LocalExecutor(workers, worker_setup(config, "this run's pool"))
    runner.start_workers()
    return runner


def _run_locked(
    inputs: list[str],
    layout: OutputLayout,
    config: Config,
    show_progress: bool | None,
    runner: Executor,
    digest: str,
    force: bool,
    timing: tuple[float, float],
) -> RunResult:
    """The tasks, dedup and the final shards, with OUT locked and its inputs settled; `runner`
    is closed before the shards are written, its workers killed on Ctrl-C. `timing`: the tasks'
    randomize_start_s and progress_every_s."""
    disable = None if show_progress is None else not show_progress
    try:
        results = run_tasks(inputs, layout, config, digest, runner, force, disable, *timing)
        if all(t.failure for t in results):
            return RunResult(layout.root, results)
        decisions = deduplicate_if_enabled(layout, results, config, runner, show_progress)
    except KeyboardInterrupt:
        runner.terminate()
        raise
    finally:
        runner.close()
    log.info("writing the final shards and the report")
    return with_shards(layout, results, config, decisions)


# Below this much input per worker, starting another (imports, models: about 1.5 s) costs more
# than it saves. Measured on 2 cores (README, "Workers by default"): two inputs of 3.5 MB run as
# fast on one worker as on two; two of 13 MB 1.4x faster on two.
BYTES_PER_WORKER = 8 << 20


def default_workers(inputs: list[str]) -> int:
    """Workers for `inputs` when none is asked for: one per BYTES_PER_WORKER of input, at most
    one per input and per CPU. A remote input counts as large (its size costs a request)."""
    size = sum(_size_or_large(i) for i in inputs)
    return max(1, min(os.cpu_count() or 1, len(inputs), -(-size // BYTES_PER_WORKER)))


def _size_or_large(location: str) -> int:
    """A local file's size; BYTES_PER_WORKER for anything else, or a file gone since it was listed."""
    try:
        return os.path.getsize(location) if os.path.isfile(location) else BYTES_PER_WORKER
    except OSError:
        return BYTES_PER_WORKER
