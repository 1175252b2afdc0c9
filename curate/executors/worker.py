"""Per-worker setup: what a worker builds once, before its first task, and closes when it ends (the
pipeline's loaded models), so that its tasks share it instead of loading it each.

The executor starts the setup in every worker: the process pool's initializer; on Ray, in the
worker process before its first task of this setup; in this process, before the first task run here.
A task reads what was built with `resource()`. It is closed when the worker process exits (a
multiprocessing finalizer, which also runs at a normal interpreter exit) or when the executor that
ran tasks in this process closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.util import Finalize
from typing import Any


@dataclass(frozen=True)
class WorkerSetup:
    """`build()` once per worker; `close(built)` at its end. Both must pickle (module-level
    functions, or partials of them) for workers in other processes. `key` tells setups apart: a
    long-lived worker (Ray's) given another setup closes the old one and builds anew."""

    build: Callable[[], Any]
    close: Callable[[Any], None] | None = None
    key: str = ""


_current: tuple[WorkerSetup, Any] | None = None
_finish_registered = False


def start(setup: WorkerSetup) -> None:
    """Build `setup` in this process unless it is the one running already."""
    global _current
    if _current is not None and _current[0].key == setup.key:
        return
    finish()
    _current = (setup, setup.build())


def start_worker_process(setup: WorkerSetup) -> None:
    """`start` in a worker process of an executor, closing what it built when the process exits."""
    global _finish_registered
    start(setup)
    if not _finish_registered:
        Finalize(None, finish, exitpriority=10)
        _finish_registered = True


def resource() -> Any:
    """What this worker's setup built."""
    if _current is None:
        raise RuntimeError("no worker setup in this process: the executor starts one before each task")
    return _current[1]


def finish() -> None:
    """Close what this worker's setup built, if anything."""
    global _current
    if _current is None:
        return
    setup, built = _current
    _current = None
    if setup.close is not None:
        setup.close(built)


def run_with_setup(setup: WorkerSetup, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` after `setup` has started in this worker (for executors without an initializer)."""
    start_worker_process(setup)
    return fn(*args)
