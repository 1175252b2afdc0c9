"""Tasks as Ray tasks: on the cluster at `--ray-address`, or on a local Ray started for the run
(and stopped after it). Workers must be able to import curate and reach the inputs and OUT. A worker
starts the per-worker setup before its first task of it (worker.run_with_setup)."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from curate.errors import UsageError
from curate.executors.lost import WorkerLost, task_failed
from curate.executors.worker import WorkerSetup, run_with_setup


@contextlib.contextmanager
def _neutral_cwd() -> Iterator[None]:
    before = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="curate-ray-") as neutral:
        os.chdir(neutral)
        try:
            yield
        finally:
            os.chdir(before)


class RayExecutor:
    in_process = False

    def __init__(
        self, workers: int = 1, address: str | None = None, setup: WorkerSetup | None = None
    ) -> None:
        self.setup = setup
        try:
            import ray
        except ImportError:
            raise UsageError("--executor ray needs the ray extra: pip install 'curate[ray]'") from None
        self._ray = ray
        self._started_here = not ray.is_initialized()
        if self._started_here:
            options: dict[str, Any] = {"address": address} if address else {"num_cpus": max(1, workers)}
            # Started from a neutral folder: Ray's workers take the cwd and sys.path of the driver,
            # where a folder named `curate` (a checkout, a run's output) would shadow the package.
            with _neutral_cwd():
                ray.init(
                    **options,
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.ERROR,  # no banner, no notice on every run
                )
        self.workers = int(ray.cluster_resources().get("CPU", workers))

    def imap_unordered(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]:
        remote = self._ray.remote(num_cpus=1, max_retries=1)(run_with_setup if self.setup else fn)
        lead = (self.setup, fn) if self.setup else ()  # Ray workers have no initializer: each task starts it
        pending = {remote.remote(*lead, *args): index for index, args in enumerate(tasks)}
        while pending:
            done, _ = self._ray.wait(list(pending), num_returns=1)
            index = pending.pop(done[0])
            try:
                result = self._ray.get(done[0])
            except (self._ray.exceptions.WorkerCrashedError, self._ray.exceptions.OutOfMemoryError) as exc:
                result = WorkerLost(f"the Ray worker died while running this task, retried once ({exc})")
            except self._ray.exceptions.RayTaskError as exc:
                result = task_failed(getattr(exc, "cause", None) or exc)
            yield index, result

    def terminate(self) -> None:
        self.close()  # a Ray started here stops with its workers; a cluster's are its own

    def close(self) -> None:
        if self._started_here and self._ray.is_initialized():
            self._ray.shutdown()
