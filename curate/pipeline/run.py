"""`curate run`: every input as a task, then dedup, the final shards and the run record (finish.py),
into a folder; into an object store, pipeline/remote.py."""

from __future__ import annotations

import json
import random
import shutil
import sys
import time
from pathlib import Path

from tqdm import tqdm

from curate.atomic import remove_tmp_files
from curate.config import Config
from curate.errors import UsageError
from curate.executors import Executor, make_executor, run_all
from curate.inputs import without_outputs
from curate.layout import OutputLayout
from curate.pipeline.finish import (
    RunResult,
    deduplicate_if_enabled,
    inputs_bar,
    lost_task,
    with_shards,
    write_run_record,
)
from curate.pipeline.ownership import plan_inputs, recorded_inputs, run_lock
from curate.pipeline.processors import checked_processors, worker_setup
from curate.pipeline.resume import completed, config_hash, input_size
from curate.pipeline.task import TaskResult, task_id_for
from curate.pipeline.worker import process_input
from curate.storage import is_store_url


def prepare_output_dir(layout: OutputLayout) -> bool:
    """Check OUT can take this run's output; True if it is new (and may be removed on failure)."""
    out_dir = layout.root
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {out_dir}: exists and is not a directory")
    foreign = out_dir.exists() and any(p != layout.lock for p in out_dir.iterdir())
    if foreign and not layout.run_record.exists():
        raise UsageError(f"-o {out_dir}: directory is not empty and holds no curate run; choose another")
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    return created


def earlier_inputs(layout: OutputLayout) -> list[str] | None:
    """The inputs of the run OUT holds, from its run record (None: none yet)."""
    try:
        return recorded_inputs(json.loads(layout.run_record.read_text()))
    except (OSError, ValueError):
        return None


def drop_other_tasks(layout: OutputLayout, tasks: set[str]) -> None:
    """Outputs of an earlier run over other inputs must not leak into this run's shards or stats."""
    for task, path in list(layout.task_files()):
        if task not in tasks:
            path.unlink(missing_ok=True)


def _file_progress(bar: tqdm):
    def update(position: int, total: int | None) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.n = position
        bar.refresh()

    return update


def _byte_progress(location: str, disable: bool | None) -> tqdm:
    return tqdm(
        desc=location.rsplit("/", 1)[-1][:40],
        unit="B",
        unit_scale=True,
        disable=disable,
        leave=False,
        file=sys.stderr,
    )


def run_tasks(
    inputs: list[str],
    layout: OutputLayout,
    config: Config,
    digest: str,
    executor: Executor,
    force: bool,
    disable: bool | None,
    randomize_start_s: float = 0.0,
) -> list[TaskResult]:
    """Every input's task, skipping those whose completion marker matches (unless `force`);
    `digest` is `config_hash(config)`; each task first waits a random part of `randomize_start_s`."""
    sizes = {location: input_size(location) for location in inputs}
    results: dict[str, TaskResult] = {}
    for location in inputs:
        task = task_id_for(location)
        totals = None if force else completed(layout, task, sizes[location], digest)
        if totals is not None:
            results[location] = TaskResult(task, location, totals, resumed=True)
    pending = [location for location in inputs if location not in results]
    out_dir = layout.root
    with inputs_bar(len(inputs), len(results), disable) as files:
        if executor.in_process:  # a bar of bytes read per file too
            for location in pending:
                with _byte_progress(location, disable) as bar:
                    delay = random.uniform(0, randomize_start_s)
                    task = (location, out_dir, config, sizes[location], digest, delay, _file_progress(bar))
                    [results[location]] = run_all(executor, process_input, [task], on_lost=lost_task)
                files.update()
        else:
            tasks = [
                (location, out_dir, config, sizes[location], digest, random.uniform(0, randomize_start_s))
                for location in pending
            ]
            for location, result in zip(
                pending, run_all(executor, process_input, tasks, files.update, lost_task)
            ):
                results[location] = result
    return [results[location] for location in inputs]


def run_pipeline(
    inputs: list[str],
    out_dir: Path | str,
    config: Config,
    show_progress: bool | None = None,
    workers: int = 1,
    executor: str = "local",
    ray_address: str | None = None,
    force: bool = False,
    add: bool = False,
    randomize_start_s: float = 0.0,
    storage_options: dict | None = None,
) -> RunResult:
    """Run every input through the pipeline into `out_dir`. Inputs that fail are reported in the
    result, not raised; if all fail, nothing is left behind. Tasks run on `executor` with `workers`
    processes (dedup's pair tasks too); a rerun skips the inputs already done unless `force`.
    OUT holds one set of inputs: another set is a UsageError unless `force` (replace) or `add`.
    `out_dir` may be the URL of an object store (s3://bucket/run, with `storage_options` for its
    filesystem): see pipeline/remote.py. Each task first waits a random part of `randomize_start_s`."""
    if isinstance(out_dir, str) and is_store_url(out_dir):
        from curate.pipeline.remote import run_to_store  # imports this module

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
    out_dir = Path(out_dir)
    started = time.monotonic()
    layout = OutputLayout(out_dir)
    inputs = without_outputs(inputs, out_dir)  # OUT's own files are never inputs
    if not inputs:
        raise UsageError(f"no inputs outside -o {out_dir}")
    with checked_processors(config, workers, executor) as processors:
        created = prepare_output_dir(layout)
        with run_lock(out_dir):
            inputs = plan_inputs(out_dir, earlier_inputs(layout), inputs, force, add)
            remove_tmp_files(out_dir)  # under the lock: no other run is writing them
            drop_other_tasks(layout, {task_id_for(location) for location in inputs})
            # Names the inputs before any task runs, so that a killed run resumes, or is refused
            # when rerun over others.
            write_run_record(RunResult(out_dir, []), config, inputs)
            digest = config_hash(config)  # once: it hashes the files the config names (models, lists)
            result = _run_locked(
                inputs,
                layout,
                config,
                show_progress,
                make_executor(executor, workers, ray_address, worker_setup(config, digest, processors)),
                digest,
                force,
                randomize_start_s,
            )
            if len(result.failed) < len(result.tasks):
                result.seconds = time.monotonic() - started
                write_run_record(result, config, inputs)
            elif created:
                shutil.rmtree(out_dir, ignore_errors=True)
    return result


def _run_locked(
    inputs: list[str],
    layout: OutputLayout,
    config: Config,
    show_progress: bool | None,
    runner: Executor,
    digest: str,
    force: bool,
    randomize_start_s: float,
) -> RunResult:
    """The tasks, dedup and the final shards, with OUT locked and its inputs settled; `runner`
    is closed before the shards are written."""
    disable = None if show_progress is None else not show_progress
    try:
        results = run_tasks(inputs, layout, config, digest, runner, force, disable, randomize_start_s)
        if all(t.failure for t in results):
            return RunResult(layout.root, results)
        decisions = deduplicate_if_enabled(layout, results, config, runner, show_progress)
    finally:
        runner.close()
    return with_shards(layout, results, config, decisions)
