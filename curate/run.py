"""`curate run`: every input as a task, then the final shards and the run record."""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl
from tqdm import tqdm

from curate import SCHEMA_VERSION, __version__, strict_json
from curate.config import Config
from curate.dedup.apply import ClusterDecisions
from curate.dedup.files import remove_sealed
from curate.dedup.run import LEDGER_NAME, dedup_ledger, run_dedup
from curate.dedup.signatures import DEDUP_DIR, minhash_params
from curate.dedup.signatures import STAGE as SIGNATURES_STAGE
from curate.dedup.verify import staged_similarity
from curate.error_log import ERRORS_DIR
from curate.errors import UsageError
from curate.executors import Executor, make_executor, run_all
from curate.finalize import build_shards, staged_languages, staged_parts
from curate.inputs import without_outputs
from curate.jobs import forget_processors, process_input, use_processors
from curate.ledger import write_ledger_table
from curate.markers import MARKERS_DIR, completed, config_hash, input_size
from curate.ownership import LOCK_FILE, plan_inputs, recorded_inputs, run_lock
from curate.removed import removed_files
from curate.shards import remove_tmp_files, write_atomically
from curate.task import STAGED_DIR, STATS_DIR, Processors, TaskResult, build_processors, task_id_for

RUN_RECORD = "run.json"


@dataclass
class RunResult:
    out_dir: Path
    tasks: list[TaskResult]
    shards: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[TaskResult]:
        return [t for t in self.tasks if t.failure]


def prepare_output_dir(out_dir: Path) -> bool:
    """Check `out_dir` can take this run's output; True if it is new (and may be removed on failure)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"-o {out_dir}: exists and is not a directory")
    foreign = out_dir.exists() and any(p.name != LOCK_FILE for p in out_dir.iterdir())
    if foreign and not (out_dir / RUN_RECORD).exists():
        raise UsageError(f"-o {out_dir}: directory is not empty and holds no curate run; choose another")
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    return created


def earlier_inputs(out_dir: Path) -> list[str] | None:
    """The inputs of the run OUT holds, from its run record (None: none yet)."""
    try:
        return recorded_inputs(json.loads((out_dir / RUN_RECORD).read_text()))
    except (OSError, ValueError):
        return None


def drop_other_tasks(out_dir: Path, tasks: set[str]) -> None:
    """Outputs of an earlier run over other inputs must not leak into this run's shards or stats."""
    for ledger in (out_dir / STATS_DIR).glob("*.parquet"):
        if ledger.stem not in tasks:
            ledger.unlink()
    for part in (out_dir / STAGED_DIR).glob("lang=*/part-*.parquet"):
        if part.name[len("part-") :].rsplit("-", 1)[0] not in tasks:
            part.unlink()
    for removed in removed_files(out_dir / STATS_DIR):
        if removed.stem.rsplit("-", 1)[0] not in tasks:
            removed.unlink()
    for signatures in (out_dir / DEDUP_DIR / SIGNATURES_STAGE).glob("*.parquet"):
        if signatures.stem not in tasks:
            remove_sealed(signatures)
    for errors in (out_dir / STATS_DIR / ERRORS_DIR).glob("*.parquet"):
        if errors.stem not in tasks:
            errors.unlink()
    for marker in (out_dir / MARKERS_DIR).glob("*.json"):
        if marker.stem not in tasks:
            marker.unlink()


def write_run_record(result: RunResult, config: Config, inputs: list[str]) -> None:
    record = {
        "curate_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "seconds": round(result.seconds, 3),
        "inputs": inputs,
        "config": config.to_dict(),
        "tasks": [asdict(t) for t in result.tasks],
        "shards": [str(p.relative_to(result.out_dir)) for p in result.shards],
    }
    write_atomically(
        result.out_dir / RUN_RECORD, lambda tmp: tmp.write_text(strict_json.dumps(record, indent=2))
    )


def _file_progress(bar: tqdm):
    def update(position: int, total: int | None) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.n = position
        bar.refresh()

    return update


def deduplicate(
    out_dir: Path, results: list[TaskResult], config: Config, executor: Executor, show_progress: bool | None
) -> ClusterDecisions:
    """Dedup's stages over the documents the succeeded tasks staged, and its ledger entries."""
    tasks = [t.task for t in results if not t.failure]
    similarity = None
    if config.dedup.verify:
        languages = staged_languages(out_dir)
        staged = {
            task: [p for lang in languages for p in staged_parts(out_dir, lang, [task])] for task in tasks
        }
        similarity = staged_similarity(staged, minhash_params(config.dedup))
    decisions = run_dedup(out_dir, tasks, config.dedup, similarity, executor, show_progress=show_progress)
    write_ledger_table(
        out_dir / STATS_DIR, LEDGER_NAME, dedup_ledger(decisions, {t.task: t.input for t in results})
    )
    removed = dict(decisions.filter(~pl.col("kept")).group_by("task").len().iter_rows())
    for result in results:  # the totals per input count dedup's removals too
        if result.task in removed:
            result.totals["kept"] -= removed[result.task]
            result.totals["removed"] += removed[result.task]
    return ClusterDecisions(decisions)


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
    out_dir: Path,
    config: Config,
    digest: str,
    executor: Executor,
    force: bool,
    disable: bool | None,
) -> list[TaskResult]:
    """Every input's task, skipping those whose completion marker matches (unless `force`);
    `digest` is `config_hash(config)`."""
    sizes = {location: input_size(location) for location in inputs}
    results: dict[str, TaskResult] = {}
    for location in inputs:
        done = None if force else completed(out_dir, task_id_for(location), location, sizes[location], digest)
        if done:
            done.resumed = True
            results[location] = done
    pending = [location for location in inputs if location not in results]
    with tqdm(
        total=len(inputs), initial=len(results), desc="inputs", unit="file", disable=disable, file=sys.stderr
    ) as files:
        if executor.workers == 1:  # in this process: a bar of bytes read per file too
            for location in pending:
                with _byte_progress(location, disable) as bar:
                    results[location] = process_input(
                        location, out_dir, config, sizes[location], digest, _file_progress(bar)
                    )
                files.update()
        else:
            jobs = [(location, out_dir, config, sizes[location], digest) for location in pending]

            def lost(job: tuple, error: Exception) -> TaskResult:
                return TaskResult(task_id_for(job[0]), job[0], failure=str(error))

            for location, result in zip(pending, run_all(executor, process_input, jobs, files.update, lost)):
                results[location] = result
    return [results[location] for location in inputs]


def run_pipeline(
    inputs: list[str],
    out_dir: Path,
    config: Config,
    show_progress: bool | None = None,
    workers: int = 1,
    executor: str = "local",
    ray_address: str | None = None,
    force: bool = False,
    add: bool = False,
) -> RunResult:
    """Run every input through the pipeline into `out_dir`. Inputs that fail are reported in the
    result, not raised; if all fail, nothing is left behind. Tasks run on `executor` with `workers`
    processes (dedup's pair jobs too); a rerun skips the inputs already done unless `force`.
    OUT holds one set of inputs: another set is a UsageError unless `force` (replace) or `add`."""
    started = time.monotonic()
    inputs = without_outputs(inputs, out_dir)  # OUT's own files are never inputs
    if not inputs:
        raise UsageError(f"no inputs outside -o {out_dir}")
    processors: Processors | None = build_processors(config)  # first: a missing model fails before any write
    if workers > 1 or executor != "local":
        processors.close()  # the workers load their own: none held idle here (about 200 MB)
        processors = None
    try:
        created = prepare_output_dir(out_dir)
        with run_lock(out_dir):
            inputs = plan_inputs(out_dir, earlier_inputs(out_dir), inputs, force, add)
            remove_tmp_files(out_dir)  # under the lock: no other run is writing them
            drop_other_tasks(out_dir, {task_id_for(location) for location in inputs})
            # Names the inputs before any task runs, so that a killed run resumes, or is refused
            # when rerun over others.
            write_run_record(RunResult(out_dir, []), config, inputs)
            result = _run_locked(
                inputs, out_dir, config, processors, show_progress, workers, executor, ray_address, force
            )
            if len(result.failed) < len(result.tasks):
                result.seconds = time.monotonic() - started
                write_run_record(result, config, inputs)
            elif created:
                shutil.rmtree(out_dir, ignore_errors=True)
    finally:
        if processors:
            processors.close()
    return result


def _run_locked(
    inputs: list[str],
    out_dir: Path,
    config: Config,
    processors: Processors | None,
    show_progress: bool | None,
    workers: int,
    executor: str,
    ray_address: str | None,
    force: bool,
) -> RunResult:
    """The tasks, dedup and the final shards, with OUT locked and its inputs settled."""
    disable = None if show_progress is None else not show_progress
    digest = config_hash(config)  # once: it hashes the files the config names (models, lists)
    if processors:
        use_processors(digest, processors)
    runner = make_executor(executor, workers, ray_address)
    try:
        results = run_tasks(inputs, out_dir, config, digest, runner, force, disable)
        result = RunResult(out_dir, results)
        succeeded = [t.task for t in results if not t.failure]
        if not succeeded:
            return result
        decisions = (
            deduplicate(out_dir, results, config, runner, show_progress) if config.dedup.enabled else None
        )
    finally:
        runner.close()
        forget_processors()
    if decisions is None:
        shutil.rmtree(out_dir / DEDUP_DIR, ignore_errors=True)
    result.shards = build_shards(out_dir, succeeded, config.output, decisions)
    return result
