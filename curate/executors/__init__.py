"""Where tasks run: `local` (this process, or a process pool) or `ray` (a Ray cluster). Task
functions are plain module-level functions of picklable arguments and know nothing of either."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from curate.errors import UsageError
from curate.executors.lost import JobFailed, WorkerLost

__all__ = ["EXECUTORS", "Executor", "JobFailed", "WorkerLost", "make_executor", "run_all"]

EXECUTORS = ("local", "ray")


class Executor(Protocol):
    workers: int

    def imap_unordered(self, fn: Callable[..., Any], jobs: list[tuple]) -> Iterator[tuple[int, Any]]:
        """Run fn(*job) for every job; yield (job index, result) as each finishes, or a JobFailed
        for a job that raised (a WorkerLost when its worker process died under it)."""
        ...

    def close(self) -> None: ...


def make_executor(name: str = "local", workers: int = 1, ray_address: str | None = None) -> Executor:
    if name == "local":
        from curate.executors.local import LocalExecutor

        return LocalExecutor(workers)
    if name == "ray":
        from curate.executors.ray import RayExecutor

        return RayExecutor(workers, ray_address)
    raise UsageError(f"--executor {name}: unknown (allowed: {', '.join(EXECUTORS)})")


def run_all(
    executor: Executor,
    fn: Callable[..., Any],
    jobs: list[tuple],
    on_done: Callable[[], None] | None = None,
    on_lost: Callable[[tuple, JobFailed], Any] | None = None,
) -> list:
    """fn(*job) for every job through `executor`; the results in job order. A job that raised or
    whose worker died gets `on_lost(job, error)` as its result; without `on_lost` the error (a
    CurateError: one line for the user) is raised."""
    results: list[Any] = [None] * len(jobs)
    for index, result in executor.imap_unordered(fn, jobs):
        if isinstance(result, JobFailed):
            if on_lost is None:
                raise result
            result = on_lost(jobs[index], result)
        results[index] = result
        if on_done:
            on_done()
    return results
