"""The task function that executors run for each input: one input through `run_task` with this
worker's processors (built once per worker process and config), then its completion marker."""

from __future__ import annotations

from pathlib import Path

from curate.config import Config
from curate.markers import remove_marker, write_marker
from curate.task import Processors, Progress, TaskResult, build_processors, run_task, task_id_for

_PROCESSORS: dict[str, Processors] = {}  # per worker process: models load once, not once per input


def use_processors(digest: str, processors: Processors) -> None:
    """Let jobs in this process use `processors` (already built by the caller) for the config
    whose `config_hash` is `digest`."""
    _PROCESSORS[digest] = processors


def forget_processors() -> None:
    _PROCESSORS.clear()


def process_input(
    location: str,
    out_dir: Path,
    config: Config,
    input_size: int | None,
    digest: str,
    progress: Progress | None = None,
) -> TaskResult:
    """`digest`: `config_hash(config)`, computed once by the driver (it hashes model files)."""
    if digest not in _PROCESSORS:
        _PROCESSORS[digest] = build_processors(config)
    remove_marker(out_dir, task_id_for(location))  # first: a half-redone task must not look done
    result = run_task(location, out_dir, config, _PROCESSORS[digest], progress)
    if not result.failure:
        write_marker(out_dir, result, input_size, digest)
    return result
