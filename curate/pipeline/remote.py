"""`curate run -o s3://bucket/run`: OUT in an object store, and workers that share nothing but it.

Each task runs in a scratch folder of its own worker, as it would into a local OUT, then publishes:
its outputs first, its marker last (the marker names every output and its size, so an object of a
task without a matching marker is never trusted). The finish (dedup, the final shards, the report)
is one more task: it pulls only what the markers name into its own scratch folder, writes there,
and publishes the shards, dedup's files and the report, then the driver writes the run record that
names the shards. The driver holds no copy of any task's output: it lists the store, reads the
markers, and deletes what no marker names (killed attempts, other runs) before the tasks start.
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from curate.atomic import strict_dumps
from curate.config import Config
from curate.dedup.files import StageFileError, verified
from curate.dedup.signatures import STAGE
from curate.executors import make_executor, run_all
from curate.executors.local import LocalExecutor
from curate.layout import OutputLayout, task_of
from curate.ledger import read_ledgers
from curate.pipeline.finish import (
    RunResult,
    deduplicate_if_enabled,
    inputs_bar,
    lost_task,
    run_record,
    with_shards,
    write_run_record,
)
from curate.pipeline.ownership import plan_inputs, recorded_inputs
from curate.pipeline.processors import checked_processors, worker_setup
from curate.pipeline.resume import config_hash, input_size, marker_matches
from curate.pipeline.store_pairs import PairsThroughStore
from curate.pipeline.task import TaskResult, task_id_for
from curate.pipeline.worker import process_input
from curate.statistics.report import produce_report
from curate.storage import Store, StoreError
from curate.storage.lease import store_lock
from curate.storage.store import checked_key

log = logging.getLogger(__name__)
RUN_RECORD = "run.json"
# What the finish writes, over all tasks: an earlier finish's files here that this one did not
# write again are deleted once the new run record is published.
FINISH_PREFIXES = ("shards/", "excluded/", "report/", "dedup/pairs/", "dedup/clusters", "stats/dedup.")


@dataclass
class Finished:
    tasks: list[TaskResult]
    record: dict  # run.json, less the run's duration
    ledger: pl.DataFrame
    published: list[str]  # the keys the finish wrote


def run_to_store(
    inputs: list[str],
    url: str,
    config: Config,
    storage_options: dict | None = None,
    show_progress: bool | None = None,
    workers: int = 1,
    executor: str = "local",
    ray_address: str | None = None,
    force: bool = False,
    add: bool = False,
    randomize_start_s: float = 0.0,
) -> RunResult:
    """`run_pipeline` into the store at `url` (see the module docstring)."""
    started = time.monotonic()
    store = Store(url, storage_options or {})
    disable = None if show_progress is None else not show_progress
    with checked_processors(config, workers, executor) as processors, store_lock(store) as lease:
        record = store.read_json(RUN_RECORD)
        inputs = plan_inputs(url, recorded_inputs(record), inputs, force, add)
        digest = config_hash(config)
        sizes = {location: input_size(location) for location in inputs}
        listing = store.files()
        results, kept = _resumed(store, listing, inputs, sizes, digest, force)
        # Objects of no task this run trusts: an earlier run's over other inputs, a killed
        # attempt's, or those of a task about to be redone.
        store.delete([k for k in listing if task_of(k) is not None and k not in kept and _addressable(k)])
        store.write_bytes(RUN_RECORD, strict_dumps(run_record(RunResult(url, []), config, inputs)).encode())
        runner = make_executor(executor, workers, ray_address, worker_setup(config, digest, processors))
        try:
            pending = [location for location in inputs if location not in results]
            tasks = [
                (location, store, config, sizes[location], digest, random.uniform(0, randomize_start_s))
                for location in pending
            ]
            with inputs_bar(len(inputs), len(results), disable) as files:
                done = run_all(runner, process_input_to_store, tasks, lambda *_: files.update(), lost_task)
            results.update(zip(pending, done))
            ordered = [results[location] for location in inputs]
            if all(t.failure for t in ordered):
                return RunResult(url, ordered)
            log.info("dedup, shards and report (one task)")
            [finished] = run_all(runner, finish_in_store, [(store, ordered, config, inputs, executor)])
        finally:
            runner.close()
        lease.check()  # another run took OUT over while the store was out of reach: publish nothing
        seconds = time.monotonic() - started
        store.write_bytes(
            RUN_RECORD, strict_dumps({**finished.record, "seconds": round(seconds, 3)}).encode()
        )
        published = set(finished.published)
        store.delete(
            [k for k in listing if k.startswith(FINISH_PREFIXES) and k not in published and _addressable(k)]
        )
    return RunResult(
        url,
        finished.tasks,
        shards=[f"{store.url}/{key}" for key in finished.record["shards"]],
        seconds=seconds,
        ledger=finished.ledger,
        report=store.location(OutputLayout(Path()).report_html.as_posix()),
    )


def _resumed(
    store: Store,
    listing: dict[str, int],
    inputs: list[str],
    sizes: dict[str, int | None],
    digest: str,
    force: bool,
) -> tuple[dict[str, TaskResult], set[str]]:
    """The inputs done by an earlier run (their markers match), and the keys those markers name."""
    results: dict[str, TaskResult] = {}
    kept: set[str] = set()
    if force:
        return results, kept
    tasks = {location: task_id_for(location) for location in inputs}
    markers = store.read_json_many([key for key in map(_marker_key, tasks.values()) if key in listing])
    # Every object of each task, as a folder run lists the task's files: a marker that names only
    # some of them (its signatures left out) must not match, or the finish would lack them.
    by_task: dict[str, dict[str, int]] = {}
    for key, size in listing.items():
        by_task.setdefault(task_of(key) or "", {})[key] = size
    for location, task in tasks.items():
        marker_key = _marker_key(task)
        marker = markers.get(marker_key)
        outputs = _named_outputs(marker, task)
        if outputs is None:
            continue
        present = {key: size for key, size in by_task.get(task, {}).items() if key != marker_key}
        if marker_matches(marker, sizes[location], digest, present):
            results[location] = TaskResult(task, location, marker["totals"], resumed=True)
            kept.update(outputs, [marker_key])
    return results, kept


def _named_outputs(marker: object, task: str) -> list[str] | None:
    """The keys a marker names, if every one is a file of `task` under OUT (a crafted marker
    naming `../x` or another task's file is no marker)."""
    outputs = marker.get("outputs") if isinstance(marker, dict) else None
    if not isinstance(outputs, dict):
        return None
    try:
        keys = [checked_key(key) for key in outputs]
    except (StoreError, TypeError):
        return None
    return keys if all(task_of(key) == task for key in keys) else None


def _check_signatures(store: Store, layout: OutputLayout, task: str) -> None:
    """A task's pulled signatures match their checksum, as a folder run checks before it resumes a
    task; else its marker is withdrawn, so that a rerun redoes the task (the marker names sizes
    only: an object damaged in place would fail every later finish)."""
    path = layout.signatures(task)
    if not path.exists():
        return  # dedup was off for this task
    try:
        verified(path, STAGE)
    except StageFileError:
        store.delete([_marker_key(task)])
        key = path.relative_to(layout.root).as_posix()
        raise StoreError(
            f"{store.location(key)} is damaged (checksum mismatch); its task is redone by a rerun"
        ) from None


def _addressable(key: str) -> bool:
    """A listed key that a Store can name (checked_key): the store may hold others (`a\\b`, `x/../y`),
    which no marker can name, so none is ever read; deleting them would fail the run every time."""
    try:
        checked_key(key)
    except StoreError:
        return False
    return True


def _marker_key(task: str) -> str:
    return OutputLayout(Path()).marker(task).as_posix()


def process_input_to_store(
    location: str, store: Store, config: Config, size: int | None, digest: str, start_delay_s: float = 0.0
) -> TaskResult:
    """One input's task in a scratch folder of this worker, published to the store: its outputs,
    then its marker."""
    with tempfile.TemporaryDirectory(prefix="curate-task-") as scratch:
        layout = OutputLayout(Path(scratch))
        result = process_input(location, layout.root, config, size, digest, start_delay_s)
        if not result.failure:
            marker = layout.marker(result.task)
            outputs = json.loads(marker.read_text())["outputs"]
            store.put_many({key: layout.root / key for key in outputs})
            store.put(marker, _marker_key(result.task))  # last: the task is published
    return result


def finish_in_store(
    store: Store, results: list[TaskResult], config: Config, inputs: list[str], executor: str
) -> Finished:
    """Dedup, the final shards and the report, in a scratch folder that holds only what the
    succeeded tasks' markers name; publishes what it wrote (not the run record: the driver does).
    On Ray (`executor`), dedup's pair tasks run as tasks of their own on the cluster."""
    with tempfile.TemporaryDirectory(prefix="curate-finish-") as scratch:
        layout = OutputLayout(Path(scratch))
        pulled = set()
        for result in results:
            if result.failure:
                continue
            outputs = _named_outputs(store.read_json(_marker_key(result.task)), result.task)
            if outputs is None:
                raise StoreError(f"{store.location(_marker_key(result.task))}: the marker is gone or damaged")
            store.get_many({key: layout.root / key for key in outputs})
            pulled.update(outputs)
            _check_signatures(store, layout, result.task)
        pairs = LocalExecutor(1)  # a local run: the pair tasks one after another, here
        if executor == "ray":  # this is a Ray task: its pair tasks go to the cluster too
            pairs = PairsThroughStore(make_executor(executor), store, layout.root)
        try:
            decisions = deduplicate_if_enabled(layout, results, config, pairs, False)
        finally:
            pairs.close()
        if isinstance(pairs, PairsThroughStore):
            pulled |= pairs.pulled
        result = with_shards(layout, results, config, decisions)
        write_run_record(result, config, inputs)  # the report reads it
        produce_report(layout.root)
        written = {path.relative_to(layout.root).as_posix(): path for path in sorted(layout.root.rglob("*"))}
        published = {key: path for key, path in written.items() if path.is_file() and key not in pulled}
        published.pop(RUN_RECORD)
        store.put_many(published)
        record = json.loads(layout.run_record.read_text())
        tasks = [replace(task, totals=dict(task.totals)) for task in result.tasks]
        return Finished(tasks, record, read_ledgers(layout), list(published))
