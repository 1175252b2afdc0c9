"""What a worker runs for each input: the input's task with the Processors its per-worker setup
built (processors.worker_setup), then the task's completion marker."""

from __future__ import annotations

import time
from pathlib import Path

from curate.config import Config
from curate.executors import worker
from curate.layout import OutputLayout
from curate.pipeline.resume import remove_marker, write_marker
from curate.pipeline.task import Progress, TaskResult, run_task, task_id_for


def process_input(
    location: str,
    out_dir: Path,
    config: Config,
    input_size: int | None,
    digest: str,
    start_delay_s: float = 0.0,
    progress: Progress | None = None,
) -> TaskResult:
    """`digest`: `config_hash(config)`, computed once by the driver (it hashes model files).
    `start_delay_s` (--randomize-start) spreads many workers' first requests to a store; it is
    waited before the task starts, so no time bound of the task counts it."""
    time.sleep(start_delay_s)
    layout = OutputLayout(out_dir)
    remove_marker(layout, task_id_for(location))  # first: a half-redone task must not look done
    result = run_task(location, layout, config, worker.resource(), progress)
    if not result.failure:
        write_marker(layout, result.task, location, result.totals, input_size, digest)
    return result
