"""A run SIGKILLed in any phase (tasks, dedup, the final shards, the report) and rerun with the
same command gives the shards and ledger of an uninterrupted run, with nothing doubled or lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import WARC_DIR, ledger, shards

INPUTS = [str(p) for p in sorted(WARC_DIR.iterdir())]
# phase -> a path that exists only once the run has reached it
PHASES = {
    "tasks": lambda out: any((out / "markers").glob("*.json")),
    "dedup": lambda out: (out / "dedup" / "pairs").exists(),
    "shards": lambda out: (out / ".shards.building").exists(),
    "report": lambda out: (out / "shards").exists(),
}


def command(out: Path) -> list[str]:
    return [sys.executable, "-m", "curate.cli", "run", *INPUTS, "-o", str(out), "--workers", "1"]


def totals(out: Path) -> pl.DataFrame:
    return ledger(out).group_by("outcome", "reason").agg(pl.col("docs").sum()).sort(pl.all())


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "out"
    subprocess.run(command(out), check=False, capture_output=True)
    return out


def kill_in(phase: str, out: Path) -> bool:
    """Start the run and SIGKILL it once it reaches `phase`; False if it ended first."""
    process = subprocess.Popen(command(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reached = PHASES[phase]
    while process.poll() is None and not reached(out):
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    return process.wait() == -signal.SIGKILL


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_killed_in_a_phase_the_rerun_gives_the_same_shards(phase, reference, tmp_path):
    # A short phase can pass between two polls on a loaded machine: try again on a fresh OUT.
    attempts = (tmp_path / f"out-{attempt}" for attempt in range(5))
    out = next((candidate for candidate in attempts if kill_in(phase, candidate)), None)
    assert out is not None, f"the run ended before phase {phase} in each of 5 attempts"
    rerun = subprocess.run(command(out), capture_output=True, text=True)
    assert rerun.returncode in (0, 1), rerun.stderr
    columns = ["id", "lang", "text", "dup_cluster_size"]
    assert shards(out).select(columns).sort("id").equals(shards(reference).select(columns).sort("id"))
    assert totals(out).equals(totals(reference))
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or ".building" in p.name]
