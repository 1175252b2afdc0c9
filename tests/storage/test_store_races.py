"""Hostile tests of `curate run -o s3://...` against a real S3 server, as separate processes: two runs
at once on one OUT (one refuses with the lease's message, the other completes), and a run killed
(SIGKILL) while its tasks run and during its finish, then rerun: the shards are a single run's and
run.json names exactly the shard objects present. A CPU hog runs beside them: no time bound may
misfire."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from curate.config import Config
from curate.pipeline.run import run_pipeline
from curate.storage import lease
from tests.conftest import REPO, SAMPLE, SHARED_DATA, WARC_DIR, shards

INPUTS = [str(SAMPLE), str(WARC_DIR / "cc.warc.gz"), str(WARC_DIR / "whirlwind.warc.gz")]


@pytest.fixture(scope="module")
def single_run(tmp_path_factory) -> pl.DataFrame:
    out = tmp_path_factory.mktemp("single") / "out"
    run_pipeline(INPUTS, out, Config().validate(), show_progress=False)
    return shards(out).select("id", "text").sort("id")


@pytest.fixture
def cpu_hog():
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield hog
    hog.kill()
    hog.wait()


def start(s3, url: str, *extra: str, stderr: Path | None = None) -> subprocess.Popen:
    options = s3.storage_options()
    command = [
        # --verbose: the log line that says the finish began, which the kill in `finish` waits for
        sys.executable, "-m", "curate.cli", "run", *INPUTS, "-o", url, "--no-progress", "--verbose",
        "--workers", "1",
        f"--storage-option=key={options['key']}",
        f"--storage-option=secret={options['secret']}",
        f"--storage-option=client_kwargs.endpoint_url={s3.endpoint_url}",
        f"--storage-option=client_kwargs.region_name={s3.region}",
        *extra,
    ]  # fmt: skip
    env = {
        **s3.subprocess_env(),
        "PYTHONPATH": str(REPO),
        "CURATE_BADWORDS_DIR": str(SHARED_DATA / "ldnoobw"),
    }
    err = subprocess.PIPE if stderr is None else stderr.open("w")
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=err, text=True)


def bucket_state(s3, url: str) -> tuple[pl.DataFrame, list[str], list[str]]:
    """The shards run.json names (id, text), that list, and the shard objects present."""
    fs = s3.filesystem()
    root = url.removeprefix("s3://")
    record = json.loads(fs.cat_file(f"{root}/run.json"))
    present = sorted(p[len(root) + 1 :] for p in fs.find(f"{root}/shards"))
    tables = [pl.from_arrow(pq.read_table(f"{root}/{key}", filesystem=fs)) for key in record["shards"]]
    frame = pl.concat(tables).select("id", "text").sort("id") if tables else pl.DataFrame()
    return frame, record["shards"], present


def whole_bucket(s3, bucket: str) -> set[str]:
    return set(s3.filesystem().find(bucket.removeprefix("s3://")))


def test_two_runs_at_once_one_refuses_and_the_other_completes(s3_server, bucket, single_run, cpu_hog):
    url = f"{bucket}/twice"
    runs = [start(s3_server, url, "--randomize-start", "3") for _ in range(2)]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], [err[-2000:] for _, _, err in results]
    [refused] = [err for code, _, err in results if code == 2]
    errors = [line for line in refused.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "another curate run" in errors[0] and "Traceback" not in refused
    frame, named, present = bucket_state(s3_server, url)
    assert frame.equals(single_run) and named == present
    assert all(key.startswith(url.removeprefix("s3://") + "/") for key in whole_bucket(s3_server, bucket))


def wait_for(predicate, timeout: float = 240.0, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


@pytest.mark.parametrize("phase", ["tasks", "finish", "publish"])
def test_a_run_killed_mid_phase_reruns_to_a_single_runs_shards(
    s3_server, bucket, single_run, cpu_hog, monkeypatch, tmp_path, phase
):
    """Killed once a task published its marker, once the finish began (its stderr line), or once
    the finish's objects began to appear (report/)."""
    url = f"{bucket}/killed-{phase}"
    fs = s3_server.filesystem()
    root = url.removeprefix("s3://")
    log = tmp_path / "stderr"

    def reached() -> bool:
        if phase == "finish":
            return log.exists() and "dedup, shards and report" in log.read_text()
        watch = "markers" if phase == "tasks" else "report"
        fs.invalidate_cache()
        return bool(fs.exists(f"{root}/{watch}") and fs.ls(f"{root}/{watch}"))

    run = start(s3_server, url, "--randomize-start", "1", stderr=log)
    try:
        assert wait_for(lambda: reached() or run.poll() is not None), "nothing appeared"
        assert run.poll() is None, f"the run ended before it was killed: {log.read_text()[-2000:]}"
        if phase == "finish":
            time.sleep(0.5)  # into the finish task
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    finally:
        if run.poll() is None:
            run.kill()
        run.communicate()
    fs.invalidate_cache()
    frame, named, present = bucket_state(s3_server, url)
    if named:  # killed after run.json was written: what it names must be right
        assert phase == "publish" and frame.equals(single_run) and named == present
    options = s3_server.storage_options()
    config = Config().validate()
    refused = pytest.raises(Exception, match="another curate run is writing here")
    with refused:  # the killed run's lease still holds
        run_pipeline(INPUTS, url, config, show_progress=False, storage_options=options)
    monkeypatch.setattr(lease, "LEASE_S", 1.0)
    time.sleep(1.1)
    again = run_pipeline(INPUTS, url, config, show_progress=False, storage_options=options)
    assert not again.failed
    if phase != "tasks":
        assert all(t.resumed for t in again.tasks)
    frame, named, present = bucket_state(s3_server, url)
    assert frame.equals(single_run) and named == present
    assert all(key.startswith(root + "/") for key in whole_bucket(s3_server, bucket))


def test_a_run_killed_in_the_finish_of_a_rerun_over_more_inputs(
    s3_server, bucket, cpu_hog, monkeypatch, tmp_path
):
    """The earlier run's record named its shards; killed while the new finish overwrites them, the
    record must not name shards of another content."""
    url = f"{bucket}/grown"
    root = url.removeprefix("s3://")
    fs = s3_server.filesystem()
    options = s3_server.storage_options()
    config = Config().validate()
    run_pipeline(INPUTS[:1], url, config, show_progress=False, storage_options=options)
    first = json.loads(fs.cat_file(f"{root}/run.json"))
    log = tmp_path / "stderr"
    run = start(s3_server, url, "--add", stderr=log)
    try:
        wait_for(lambda: "dedup, shards and report" in log.read_text() or run.poll() is not None)
        time.sleep(0.3)  # into the finish, which overwrites shards/lang-en/shard-00000.parquet
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
        run.wait()
    finally:
        run.communicate()
    fs.invalidate_cache()
    record = json.loads(fs.cat_file(f"{root}/run.json"))
    if run.returncode == -signal.SIGKILL:  # the earlier record is withdrawn before the tasks run
        assert record["shards"] == [] and record != first
    monkeypatch.setattr(lease, "LEASE_S", 1.0)
    time.sleep(1.1)
    again = run_pipeline(INPUTS, url, config, show_progress=False, storage_options=options, add=True)
    assert not again.failed and [t.resumed for t in again.tasks][:1] == [True]
    local = tmp_path / "out"
    run_pipeline(INPUTS, local, config, show_progress=False)
    frame, named, present = bucket_state(s3_server, url)
    assert frame.equals(shards(local).select("id", "text").sort("id")) and named == present
