"""The default executor: tasks in this process (one worker), or in a pool of worker processes.

A worker process that dies (killed, out of memory, a crash in C code) breaks the whole pool. The
tasks that were running then are retried one at a time in a fresh pool, so that a task which kills
its worker again is reported lost on its own and the others still finish."""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from curate.executors import spawning, worker
from curate.executors.lost import WorkerLost, task_failed
from curate.executors.orphans import die_with_parent
from curate.executors.worker import WorkerSetup


def _start_worker(parent: int, setup: WorkerSetup | None) -> None:
    """The pool's initializer: a killed run leaves no worker writing into OUT; Ctrl-C reaches the
    whole process group, and only the driver answers it (no traceback from each worker); then the
    setup."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup is not None:
        worker.start_worker_process(setup)


class LocalExecutor:
    def __init__(self, workers: int = 1, setup: WorkerSetup | None = None) -> None:
        self.workers = max(1, workers)
        self.setup = setup
        self._pool: ProcessPoolExecutor | None = None
        self._started_here = False

    @property
    def in_process(self) -> bool:
        return self.workers == 1

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: forking a process whose polars/Arrow thread pools hold locks can hang
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=spawning.worker_context(),
                initializer=_start_worker,
                initargs=(os.getpid(), self.setup),
            )
        return self._pool

    def start_workers(self) -> None:
        """Start the pool's worker processes now, without waiting for them: each imports curate and
        builds its setup (about 1 s of CPU) while this process goes on with other work."""
        if self.workers > 1:
            pool = self._get_pool()
            for _ in range(self.workers):  # a submit with no idle worker starts one
                pool.submit(os.getpid)

    def _drop_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def imap_unordered(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]:
        if self.workers == 1 or len(tasks) <= 1:
            yield from self._run_here(fn, tasks)
            return
        queue, suspects = deque(range(len(tasks))), deque()
        while queue or suspects:
            if suspects:  # alone in the pool: if its worker dies now, the task is the cause
                index = suspects.popleft()
                try:
                    result = self._get_pool().submit(fn, *tasks[index]).result()
                except BrokenProcessPool as exc:
                    self._drop_pool()
                    result = WorkerLost(f"the worker process died while running this task ({exc})")
                except Exception as exc:
                    result = task_failed(exc)
                yield index, result
                continue
            yield from self._run_window(fn, tasks, queue, suspects)

    def _run_here(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]:
        """The tasks in this process, one after another, after the setup has started here."""
        if self.setup is not None and tasks:
            worker.start(self.setup)
            self._started_here = True
        for index, args in enumerate(tasks):
            try:
                result = fn(*args)
            except Exception as exc:
                result = task_failed(exc)
            yield index, result

    def _run_window(
        self, fn: Callable[..., Any], tasks: list[tuple], queue: deque, suspects: deque
    ) -> Iterator[tuple[int, Any]]:
        """At most `workers` tasks in flight (so that all of them are running, and suspect, when
        the pool breaks) until the queue is empty or the pool breaks."""
        window: dict[Future, int] = {}
        while queue or window:
            while queue and len(window) < self.workers:
                index = queue.popleft()
                try:
                    window[self._get_pool().submit(fn, *tasks[index])] = index
                except BrokenProcessPool:  # a worker died before this task reached the pool (while
                    suspects.append(index)  # starting, see start_workers): it runs alone, as the others
                    self._abandon_pool(window, suspects)
                    return
            done, _ = wait(window, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                index = window.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    suspects.append(index)
                    broken = True
                    continue
                except Exception as exc:
                    result = task_failed(exc)
                yield index, result
            if broken:
                self._abandon_pool(window, suspects)
                return

    def _abandon_pool(self, window: dict[Future, int], suspects: deque) -> None:
        """The pool broke: the tasks still in it become suspects, each to run alone in a fresh pool."""
        suspects.extend(window.values())
        self._drop_pool()

    def terminate(self) -> None:
        if self._pool is not None:
            # ProcessPoolExecutor.terminate_workers() arrives in Python 3.14; until then its processes.
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._started_here:
            worker.finish()
            self._started_here = False
