"""Where tasks run: `local` (this process, or a process pool) or `ray` (a Ray cluster). Task
functions are plain module-level functions of picklable arguments and know nothing of either; what
they share on a worker (loaded models) comes from a per-worker setup (worker.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from curate.errors import UsageError
from curate.executors.lost import TaskFailed, WorkerLost
from curate.executors.worker import WorkerSetup

__all__ = ["EXECUTORS", "Executor", "TaskFailed", "WorkerLost", "WorkerSetup", "make_executor", "run_all"]

EXECUTORS = ("local", "ray")


class Executor(Protocol):
    workers: int
    in_process: bool  # tasks run in this process, one after another (their arguments need not pickle)

    def imap_unordered(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]:
        """Run fn(*args) for every task's args; yield (task index, result) as each finishes, or a
        TaskFailed for a task that raised (a WorkerLost when its worker process died under it)."""
        ...

    def close(self) -> None: ...

    def terminate(self) -> None:
        """Stop at once (Ctrl-C): running tasks are killed, not awaited; a rerun resumes them."""
        ...


def make_executor(
    name: str = "local", workers: int = 1, ray_address: str | None = None, setup: WorkerSetup | None = None
) -> Executor:
    """An executor of `workers` workers, each of which starts `setup` before its first task."""
    if name == "local":
        from curate.executors.local import LocalExecutor

        return LocalExecutor(workers, setup)
    if name == "ray":
        from curate.executors.ray import RayExecutor

        return RayExecutor(workers, ray_address, setup)
    raise UsageError(f"--executor {name}: unknown (allowed: {', '.join(EXECUTORS)})")


def run_all(
    executor: Executor,
    fn: Callable[..., Any],
    tasks: list[tuple],
    on_done: Callable[[int, Any], None] | None = None,
    on_lost: Callable[[tuple, TaskFailed], Any] | None = None,
) -> list:
    """fn(*args) for every task's args through `executor`; the results in task order. A task that
    raised or whose worker died gets `on_lost(args, error)` as its result; without `on_lost` the
    error (a CurateError: one line for the user) is raised. `on_done(index, result)` as each task ends."""
    results: list[Any] = [None] * len(tasks)
    for index, result in executor.imap_unordered(fn, tasks):
        if isinstance(result, TaskFailed):
            if on_lost is None:
                raise result
            result = on_lost(tasks[index], result)
        results[index] = result
        if on_done:
            on_done(index, result)
    return results
