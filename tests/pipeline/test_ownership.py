"""OUT is owned: one run at a time (a lock naming its holder), one set of inputs (another set is
refused unless --add or --force), never read as input, no worker outliving a killed run, damage a
rerun can see is repaired by the rerun, and ids unique within a run."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.cli import main
from curate.config import Config
from curate.pipeline.ownership import run_lock
from tests.conftest import CC_TEXT, READING_TOML, SAMPLE, WARC_DIR, ledger, run, shards

CC = WARC_DIR / "CC-MAIN-20140820021334-00006-ip-10-180-136-8.ec2.internal.warc"


def curate_run(*args: str) -> int:
    return main(["run", *map(str, args), "--no-progress", "--workers", "1"])


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "shards").rglob("*.parquet"))}


@pytest.fixture()
def reading_toml(tmp_path) -> Path:
    path = tmp_path / "reading.toml"
    path.write_text(READING_TOML)
    return path


def test_a_second_run_while_one_holds_out_exits_2_naming_it(tmp_path, capsys, reading_toml):
    out = tmp_path / "out"
    out.mkdir()
    with run_lock(out):
        assert curate_run(SAMPLE, "-o", out, "--config", reading_toml) == 2
    assert f"pid {os.getpid()}" in capsys.readouterr().err
    assert curate_run(SAMPLE, "-o", out, "--config", reading_toml) == 0  # released


def test_other_inputs_are_refused_added_or_replaced(tmp_path, capsys, reading_toml):
    out = tmp_path / "out"
    assert curate_run(SAMPLE, "-o", out, "--config", reading_toml) == 0
    first = snapshot(out)
    assert curate_run(CC, "-o", out, "--config", reading_toml) == 2
    err = capsys.readouterr().err
    assert "--add" in err and "--force" in err
    assert snapshot(out) == first  # nothing of the first run was touched

    assert curate_run(CC, "-o", out, "--config", reading_toml, "--add") == 0
    sample_alone, cc_alone = shards(_alone(tmp_path, SAMPLE)), shards(_alone(tmp_path, CC))
    assert shards(out).height == sample_alone.height + cc_alone.height
    assert json.loads((out / "run.json").read_text())["inputs"] == [str(SAMPLE), str(CC)]

    assert curate_run(CC, "-o", out, "--config", reading_toml, "--force") == 0
    assert shards(out).sort("id").equals(cc_alone.sort("id"))


def _alone(tmp_path: Path, location: Path) -> Path:
    out = tmp_path / f"alone-{location.name}"
    if not out.exists():
        run([location], out)
    return out


def test_out_inside_an_input_directory_is_never_read(tmp_path, reading_toml):
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    shutil.copy(SAMPLE, crawl / SAMPLE.name)
    out = crawl / "out"
    for _ in range(2):
        assert curate_run(crawl, "-o", out, "--config", reading_toml, "--keep-removed") == 0
        inputs = set(ledger(out)["input"])
        assert inputs == {str(crawl / SAMPLE.name)}
        assert shards(out).height == shards(_alone(tmp_path, SAMPLE)).height


def test_a_copied_file_is_deduplicated_not_emptied(tmp_path):
    """Two inputs with the same records (a copy): each document survives once, not zero times."""
    copy = tmp_path / "copy.warc.gz"
    shutil.copy(SAMPLE, copy)
    config = Config()
    config.filters.enabled = False
    config.langid.enabled = False
    run([SAMPLE, copy], tmp_path / "both", config)
    run([SAMPLE], tmp_path / "one", config)
    both, one = shards(tmp_path / "both"), shards(tmp_path / "one")
    assert one.height > 0
    assert sorted(both["id"]) == sorted(one["id"])
    kept = ledger(tmp_path / "both").filter(pl.col("outcome") == "kept")["docs"].sum()
    assert kept == both.height


ROW_IDS = st.sampled_from(["a", "b", "c", "", None])
ROW_TEXTS = st.sampled_from(["first text here", "second text here", "third text here"])


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(rows=st.lists(st.tuples(ROW_IDS, ROW_TEXTS), min_size=1, max_size=12))
def test_ids_are_unique_within_a_run(rows, tmp_path_factory):
    """Repeated ids with other content get `<id>#n`; the same row again is `duplicate_id`."""
    base = tmp_path_factory.mktemp("ids")
    path = base / "rows.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        for row_id, text in rows:
            fh.write(json.dumps({"id": row_id, "text": text, "url": "https://example.org/"}) + "\n")
    run([path], base / "out")
    kept = shards(base / "out")
    assert kept["id"].n_unique() == kept.height
    distinct = {(row_id or None, text) for row_id, text in rows}
    assert kept.height == len(distinct)
    booked = ledger(base / "out")
    skipped = booked.filter(pl.col("reason") == "duplicate_id")["docs"].sum()
    assert skipped == len(rows) - len(distinct)
    assert booked.filter(pl.col("outcome") == "read")["docs"].sum() == len(rows)


def test_a_lost_or_damaged_output_is_redone_by_the_rerun(tmp_path):
    out = tmp_path / "out"
    inputs = [SAMPLE, CC]
    assert curate_run(*inputs, "-o", out) in (0, 1)
    reference = shards(out).sort("id")
    staged = sorted((out / "staged").rglob("part-sample*.parquet"))
    staged[0].unlink()
    signatures = next((out / "dedup" / "signatures").glob("CC-MAIN*.parquet"))
    damaged = bytearray(signatures.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # same size, wrong checksum
    signatures.write_bytes(bytes(damaged))
    assert curate_run(*inputs, "-o", out) in (0, 1)
    assert shards(out).sort("id").equals(reference)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_no_worker_outlives_a_killed_run(tmp_path):
    inputs = [str(p) for p in sorted(WARC_DIR.iterdir())] + [str(CC_TEXT)]
    out = tmp_path / "out"
    command = [sys.executable, "-m", "curate.cli", "run", *inputs, "-o", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = _descendants(process.pid)
    assert workers, "the run started no worker processes"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]
