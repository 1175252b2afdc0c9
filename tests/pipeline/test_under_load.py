"""The same input gives the same shards on a quiet machine and under heavy CPU load, with one
worker or two: no time bound may charge a page for what other processes do (the extraction and
filter bounds count the CPU time of the page, and start-up is never charged)."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl

from curate.cli import main
from tests.conftest import SHARED_DATA, ledger, shards


def outcome_counts(out) -> pl.DataFrame:
    return ledger(out).group_by("stage", "outcome", "reason").agg(pl.col("docs").sum()).sort(pl.all())


def test_all_shared_data_gives_the_same_shards_with_cpu_hogs_beside_it(tmp_path):
    quiet, loaded = tmp_path / "quiet", tmp_path / "loaded"
    assert main(["run", str(SHARED_DATA), "-o", str(quiet), "--workers", "1", "--no-progress"]) in (0, 1)
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 1))
    ]
    try:
        code = main(["run", str(SHARED_DATA), "-o", str(loaded), "--workers", "2", "--no-progress"])
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert code in (0, 1)
    columns = ["id", "lang", "text"]
    assert shards(quiet).height > 400
    assert shards(loaded).select(columns).sort("id").equals(shards(quiet).select(columns).sort("id"))
    assert outcome_counts(loaded).equals(outcome_counts(quiet))
    assert ledger(quiet).filter(pl.col("reason") == "timeout").height == 0
