"""The default executor: jobs in this process (one worker), or in a pool of worker processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any


class LocalExecutor:
    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def imap_unordered(self, fn: Callable[..., Any], jobs: list[tuple]) -> Iterator[tuple[int, Any]]:
        if self.workers == 1 or len(jobs) <= 1:
            for index, job in enumerate(jobs):
                yield index, fn(*job)
            return
        if self._pool is None:
            # spawn, not fork: forking a process whose polars/Arrow thread pools hold locks can hang
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        futures = {self._pool.submit(fn, *job): index for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
