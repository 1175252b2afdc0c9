"""`curate run` as its users live with it off a terminal (Slurm, nohup, CI): progress lines with
records/s, the running inputs and an ETA; a log file in OUT; --quiet; Ctrl-C answered with one
line, no traceback from any worker, no process left, and a rerun that loses nothing."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from curate.pipeline.run import BYTES_PER_WORKER, default_workers
from tests.conftest import SHARED_DATA, WARC_DIR, ledger, run

REPLAY = Path(__file__).resolve().parents[2] / "scripts" / "bench_replay.py"


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> list[str]:
    """Three WARC files of 1,500 replayed real pages each: long enough to be caught running."""
    spec = importlib.util.spec_from_file_location("bench_replay", REPLAY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    pages = module.collect_pages(SHARED_DATA)
    folder = tmp_path_factory.mktemp("replayed")
    paths = []
    for i in range(3):
        path = folder / f"replay{i}.warc.gz"
        module.build_replay_warc(pages, path, 1500, 1, id_prefix=f"replay{i}", vary=True)
        paths.append(str(path))
    return paths


def command(inputs: list[str], out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "curate.cli", "run", *inputs, "-o", str(out), *options]


def totals(out: Path) -> pl.DataFrame:
    return ledger(out).group_by("outcome", "stage", "reason").agg(pl.col("docs").sum()).sort(pl.all())


def test_off_a_terminal_progress_lines_name_rate_running_inputs_and_eta(replayed, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        command(replayed, out, "--workers", "2", "--progress-every", "0.5"), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "records/s" in line]
    assert lines, done.stderr
    assert all(line.startswith("curate: inputs ") for line in lines)
    assert any("running: replay" in line and "%" in line for line in lines)
    assert any("ETA " in line for line in lines)
    assert "\r" not in done.stderr  # no bar redrawn into a log file
    log = (out / "logs" / "curate.log").read_text()
    assert "records/s" in log and "done in" in log
    assert all(name in log for name in ("replay0", "replay1", "replay2"))  # every input's end, at DEBUG


def test_quiet_prints_no_progress_and_the_log_file_still_has_it(replayed, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        command(replayed[:1], out, "--quiet", "--progress-every", "0.5"), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "done in" in (out / "logs" / "curate.log").read_text()


def test_a_second_run_appends_to_the_log(replayed, tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        subprocess.run(command(replayed[:1], out, "-q"), check=True, capture_output=True)
    assert (out / "logs" / "curate.log").read_text().count("run into") == 2


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found if int(p) != pid]


def test_ctrl_c_prints_one_line_leaves_no_worker_and_a_rerun_loses_nothing(replayed, tmp_path):
    reference = tmp_path / "reference"
    subprocess.run(command(replayed, reference, "-q"), check=True, capture_output=True)
    out = tmp_path / "out"
    # Python ignores SIGINT when its parent did (a shell's background job): give it the default back.
    process = subprocess.Popen(
        command(replayed, out, "--workers", "2", "--progress-every", "0.2"),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    for line in process.stderr:  # interrupted mid-task: once the workers have read something
        if "running: replay" in line:
            break
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    started = time.monotonic()
    rest = process.stderr.read()
    code = process.wait(timeout=30)
    assert time.monotonic() - started < 15  # the running tasks are killed, not awaited
    assert code == 130
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest
    assert rest.strip().splitlines()[-1] == "interrupted"
    assert rest.count("interrupted") == 1
    deadline = time.monotonic() + 5  # workers' own children (the extraction sandbox) follow them
    while _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _children(process.pid)
    subprocess.run(command(replayed, out, "-q"), check=True, capture_output=True)
    assert totals(out).equals(totals(reference))


def test_default_workers_follow_the_input(tmp_path):
    small = tmp_path / "small.warc.gz"
    small.write_bytes(b"x" * 1000)
    assert default_workers([str(small)] * 4) == 1  # tiny: a second worker costs more than it saves
    assert default_workers([str(WARC_DIR / "cc.warc.gz")]) == 1
    remote = ["https://data.commoncrawl.org/a.warc.gz", "https://data.commoncrawl.org/b.warc.gz"]
    assert default_workers(remote) == min(2, os.cpu_count() or 1)
    big = tmp_path / "big.warc.gz"
    with open(big, "wb") as file:
        file.truncate(3 * BYTES_PER_WORKER)  # sparse: the size, not the bytes
    assert default_workers([str(big)]) == 1  # one input, one worker
    assert default_workers([str(big), str(big)]) == min(2, os.cpu_count() or 1)


def test_a_log_file_that_cannot_be_written_does_not_stop_the_run(tmp_path, caplog):
    out = tmp_path / "out"
    run([WARC_DIR / "cc.warc.gz"], out)
    (out / "logs" / "curate.log").unlink()
    (out / "logs").rmdir()
    (out / "logs").write_text("a file where the log folder goes")
    result = run([WARC_DIR / "cc.warc.gz"], out)
    assert not result.failed and (out / "run.json").exists()
    assert any("no log file" in record.message for record in caplog.records)
