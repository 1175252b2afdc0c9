"""Executors and resumability: the same shards whatever the executor and worker count; a killed
run resumed with the same command loses and doubles nothing; markers catch changed inputs/config."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import polars as pl
import pytest

from curate.cli import main
from curate.config import Config
from curate.executors import run_all
from curate.executors.local import LocalExecutor
from curate.executors.lost import WorkerLost
from curate.layout import OutputLayout
from tests.conftest import CC_TEXT, WARC_DIR, ledger, run, shards
from tests.crashing_tasks import die_the_first_time, square_unless_poison


def inputs_in_order() -> list[str]:
    """Every shared crawl file, then the larger text sample (so a kill lands before the end)."""
    return [str(p) for p in sorted(WARC_DIR.iterdir())] + [str(CC_TEXT)]


def same_output(a, b) -> None:
    left, right = shards(a), shards(b)
    assert left.height > 0 and left.equals(right)
    assert left["id"].n_unique() == left.height  # none doubled
    by_outcome = [ledger(out).group_by("outcome").agg(pl.col("docs").sum()).sort("outcome") for out in (a, b)]
    assert by_outcome[0].equals(by_outcome[1])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """All inputs in one uninterrupted run, one worker, in this process."""
    out = tmp_path_factory.mktemp("reference") / "out"
    run(inputs_in_order(), out, Config())
    return out


def test_two_workers_give_the_same_shards(reference, tmp_path):
    out = tmp_path / "out"
    assert main(["run", *inputs_in_order(), "-o", str(out), "--workers", "2", "--no-progress"]) in (0, 1)
    same_output(reference, out)
    assert len(list(OutputLayout(out).markers_dir.glob("*.json"))) == len(inputs_in_order())


def test_killed_run_resumes_to_the_same_shards(reference, tmp_path):
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "curate.cli",
        "run",
        *inputs_in_order(),
        "-o",
        str(out),
        "--workers",
        "1",
        "--no-progress",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while len(list(OutputLayout(out).markers_dir.glob("*.json"))) < 3 and time.time() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = len(list(OutputLayout(out).markers_dir.glob("*.json")))
    assert 3 <= done < len(inputs_in_order()), "the run was not killed midway"
    assert not (out / "shards").exists()
    rerun = subprocess.run(command, capture_output=True, text=True, env={**os.environ})
    assert rerun.returncode in (0, 1), rerun.stderr
    assert f"{done} of {len(inputs_in_order())} inputs done by an earlier run" in rerun.stdout
    same_output(reference, out)


def test_markers_skip_only_unchanged_inputs_and_config(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    for name in ("whirlwind.warc.gz", "cc.warc.gz"):
        shutil.copy(WARC_DIR / name, source / name)
    out = tmp_path / "out"
    inputs = sorted(source.iterdir())
    first = run(inputs, out, Config())
    assert not any(t.resumed for t in first.tasks)
    assert all(t.resumed for t in run(inputs, out, Config()).tasks)
    # A changed input is redone, the other one is not.
    changed = source / "cc.warc.gz"
    changed.write_bytes(changed.read_bytes() + (WARC_DIR / "cc.warc.gz").read_bytes())
    again = {t.input.rsplit("/", 1)[-1]: t for t in run(inputs, out, Config()).tasks}
    assert again["cc.warc.gz"].resumed is False and again["whirlwind.warc.gz"].resumed is True
    assert again["cc.warc.gz"].totals["read"] == 2 * first.tasks[0].totals["read"]
    # A changed config redoes everything; so does force.
    stricter = Config()
    stricter.langid.prefix_chars = 4000
    assert not any(t.resumed for t in run(inputs, out, stricter).tasks)
    from curate.pipeline.run import run_pipeline

    forced = run_pipeline([str(i) for i in inputs], out, stricter.validate(), show_progress=False, force=True)
    assert not any(t.resumed for t in forced.tasks)


def test_ray_executor_gives_the_local_shards(reference, tmp_path):
    pytest.importorskip("ray", reason="the ray extra (pip install 'curate[ray]')")
    out = tmp_path / "out"
    code = main(
        ["run", *inputs_in_order(), "-o", str(out), "--executor", "ray", "--workers", "2", "--no-progress"]
    )
    assert code in (0, 1)
    same_output(reference, out)


def test_a_task_that_kills_its_worker_is_lost_alone():
    executor = LocalExecutor(2)
    try:
        tasks = [(x, 5) for x in range(12)]
        results = run_all(
            executor, square_unless_poison, tasks, on_lost=lambda args, error: ("lost", args[0])
        )
    finally:
        executor.close()
    assert results == [("lost", 5) if x == 5 else x * x for x in range(12)]
    executor = LocalExecutor(2)
    try:
        with pytest.raises(WorkerLost):  # without on_lost, the loss is an error
            run_all(executor, square_unless_poison, [(1, 1), (2, 1)])
    finally:
        executor.close()


def test_a_pool_that_breaks_while_its_workers_start_loses_no_task(tmp_path):
    """A worker killed while it starts (before any task was sent: start_workers) breaks the pool;
    the tasks then submitted still run, in a fresh pool."""
    from functools import partial

    from curate.executors.worker import WorkerSetup

    marker = tmp_path / "died"
    executor = LocalExecutor(2, WorkerSetup(partial(die_the_first_time, str(marker))))
    try:
        executor.start_workers()
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1)  # the pool notices its dead worker
        results = run_all(executor, square_unless_poison, [(x, -1) for x in range(6)])
    finally:
        executor.close()
    assert marker.exists() and results == [x * x for x in range(6)]


def test_the_pool_starts_while_the_clusters_are_fitted_and_goes_if_the_fit_fails(tmp_path, monkeypatch):
    """With two local workers, the pool's processes start before the driver fits the topic
    clusters (they import and build their models meanwhile); a fit that fails takes them down."""
    import multiprocessing

    import curate.pipeline.run as run_module
    from curate.pipeline.run import run_pipeline

    earlier = set(multiprocessing.active_children())  # other tests' processes are not this run's
    alive_during_fit = []

    def failing_fit(*args, **kwargs):
        def started():
            return set(multiprocessing.active_children()) - earlier

        deadline = time.monotonic() + 60
        while len(started()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # spawned: they appear as they start
        alive_during_fit.extend(started())
        raise RuntimeError("the fit failed")

    monkeypatch.setattr(run_module, "fit_run_clusters", failing_fit)
    with pytest.raises(RuntimeError, match="the fit failed"):
        run_pipeline(inputs_in_order()[:2], tmp_path / "out", Config(), show_progress=False, workers=2)
    assert len(alive_during_fit) == 2
    # By pid: the pool's own thread reaps them, after which Process.is_alive cannot tell.
    deadline = time.monotonic() + 10
    while any(_exists(process.pid) for process in alive_during_fit) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_exists(process.pid) for process in alive_during_fit)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
