"""The per-worker setup: each worker builds once before its first task and closes at its end."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from curate.executors import WorkerSetup, run_all, worker
from curate.executors.local import LocalExecutor


def build(log: Path) -> str:
    with open(log / f"built-{os.getpid()}", "a") as fh:
        fh.write("x")
    return f"resource of {os.getpid()}"


def close(log: Path, built: str) -> None:
    (log / f"closed-{os.getpid()}").write_text(built)


def task(n: int) -> tuple[int, str, int]:
    return os.getpid(), worker.resource(), n * n


def setup_logging_to(log: Path, key: str = "k") -> WorkerSetup:
    return WorkerSetup(partial(build, log), partial(close, log), key=key)


def test_each_pool_worker_builds_once_and_closes_when_it_exits(tmp_path):
    executor = LocalExecutor(2, setup_logging_to(tmp_path))
    results = run_all(executor, task, [(n,) for n in range(8)])
    executor.close()  # the workers exit: their finalizers close what they built
    assert [square for _, _, square in results] == [n * n for n in range(8)]
    pids = {pid for pid, _, _ in results}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert all(resource == f"resource of {pid}" for pid, resource, _ in results)
    # A worker builds as it starts, before any task: one the other outran may have run none.
    built = {int(path.name.split("-")[1]): path.read_text() for path in tmp_path.glob("built-*")}
    assert pids <= set(built) and len(built) <= 2
    assert set(built.values()) == {"x"}, "each worker builds once"
    closed = {path.name: path.read_text() for path in tmp_path.glob("closed-*")}
    assert closed == {f"closed-{pid}": f"resource of {pid}" for pid in built}


def test_in_process_tasks_share_one_build_closed_by_the_executor(tmp_path):
    executor = LocalExecutor(1, setup_logging_to(tmp_path))
    results = run_all(executor, task, [(n,) for n in range(3)])
    assert {pid for pid, _, _ in results} == {os.getpid()}
    assert (tmp_path / f"built-{os.getpid()}").read_text() == "x"
    assert not (tmp_path / f"closed-{os.getpid()}").exists()
    executor.close()
    assert (tmp_path / f"closed-{os.getpid()}").read_text() == f"resource of {os.getpid()}"


def test_a_worker_given_another_setup_closes_the_old_one_and_builds_anew(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    try:
        worker.start(setup_logging_to(first, key="one"))
        worker.start(setup_logging_to(first, key="one"))  # the same setup: nothing rebuilt
        worker.start(setup_logging_to(second, key="two"))
        assert (first / f"built-{os.getpid()}").read_text() == "x"
        assert (first / f"closed-{os.getpid()}").exists()
        assert (second / f"built-{os.getpid()}").read_text() == "x"
    finally:
        worker.finish()
    assert (second / f"closed-{os.getpid()}").exists()
