"""Fuzz harness (#18): whole hostile input files (tests/fuzz_inputs.py) through `curate run` and
`curate dedup`, in-process (`curate.cli.main`), a few with `--workers 2`.

Properties of every run:
  1. no exception escapes and nothing prints a traceback; the exit code is 0, or 1 with a failure
     line per failed input;
  2. every record is booked exactly once: each input has a ledger (a readable file never fails
     as a whole), its `read` docs are the records the generator wrote (exact for a well-formed
     file, within bounds for a damaged one), and per task read = kept + removed + skipped + error;
  3. the shards hold exactly what the ledger calls kept (dedup's removals included), per input;
     no id repeats within an input, nor across inputs whose ids cannot collide;
  4. nothing is created, changed or removed outside OUT (the working directory is a fresh
     folder next to the inputs);
  5. with language ID, filters and dedup off, every clearly valid document (HTTP 200, text/html,
     a few real sentences; a JSONL/Parquet row with text and a unique id) is in the shards.

The minimal failing inputs found so far (fuzz_inputs.KNOWN_INPUTS, KNOWN_DEDUP_INPUTS) run as
tests of their own, so each bug shows under its name until it is fixed.

Default mode: a fixed set of examples (derandomized, no example database, no shrinking), about a
minute on two cores: CI is deterministic. Long mode: `CURATE_FUZZ_EXAMPLES=500 python -m pytest
tests/pipeline/test_fuzz.py` or `python -m pytest tests/pipeline/test_fuzz.py --fuzz-long`: random
examples (500 per file format, fewer for the slower runs), shrunk to a minimal one on failure.
CURATE_FUZZ_KEEP=DIR copies each failing example's inputs, OUT and command line into DIR.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests import fuzz_inputs as fi
from tests.conftest import READING_TOML, ledger, shards

LONG_EXAMPLES = int(os.environ.get("CURATE_FUZZ_EXAMPLES") or 0)
KEEP_FAILED = os.environ.get("CURATE_FUZZ_KEEP")  # a folder: failing examples' inputs and OUT go there
HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
    HealthCheck.function_scoped_fixture,
]


def fuzz_settings(examples: int, long_share: float = 1.0) -> settings:
    """`examples` in the default mode; in the long mode `long_share` of CURATE_FUZZ_EXAMPLES."""
    if LONG_EXAMPLES:
        return settings(
            max_examples=max(1, round(LONG_EXAMPLES * long_share)),
            deadline=None,
            database=None,
            suppress_health_check=HEALTH,
            print_blob=True,
        )
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=HEALTH,
        print_blob=True,
    )


# ---------------------------------------------------------------------------------------------
# Running the CLI in-process, capturing everything it and its worker processes print


@dataclass
class Outcome:
    code: int | None
    output: str  # stdout and stderr, of this process and its children
    errors: str  # stderr alone (this process)
    raised: str | None  # the traceback of an exception that escaped main()
    timed_out: bool = False  # still running after RUN_LIMIT_S: interrupted, its stacks in `output`


# One run takes a second or a few; past this it is stalled: its stacks are dumped and it is
# interrupted with SIGINT (a real signal, so that a blocking call returns too).
RUN_LIMIT_S = float(os.environ.get("CURATE_FUZZ_RUN_LIMIT_S") or 120)


def invoke(argv: list[str], cwd: Path) -> Outcome:
    from curate.cli import main

    buffers = io.StringIO(), io.StringIO()
    raised = None
    code = None
    stalled = threading.Event()

    def interrupt() -> None:
        stalled.set()
        os.kill(os.getpid(), signal.SIGINT)

    with tempfile.TemporaryFile() as fd_out:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        previous = Path.cwd()
        watchdog = threading.Timer(RUN_LIMIT_S, interrupt)
        try:
            os.dup2(fd_out.fileno(), 1)
            os.dup2(fd_out.fileno(), 2)
            os.chdir(cwd)
            faulthandler.dump_traceback_later(max(RUN_LIMIT_S - 1, 0.1), file=fd_out)
            watchdog.start()
            with contextlib.redirect_stdout(buffers[0]), contextlib.redirect_stderr(buffers[1]):
                try:
                    code = main(argv)
                except BaseException:  # noqa: BLE001 - SystemExit too: main() must return
                    raised = traceback.format_exc()
        finally:
            watchdog.cancel()
            faulthandler.cancel_dump_traceback_later()
            os.chdir(previous)
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        fd_out.seek(0)
        children = fd_out.read().decode("utf-8", "replace")
    output = buffers[0].getvalue() + buffers[1].getvalue() + children
    return Outcome(code, output, buffers[1].getvalue(), raised, stalled.is_set())


def snapshot(root: Path, skip: Path) -> dict[str, tuple]:
    """Every path under `root` but `skip`: (is a dir, size, mtime) of each."""
    seen = {}
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        dirs[:] = [d for d in dirs if here / d != skip]
        for name in dirs + files:
            path = here / name
            stat = path.lstat()
            seen[str(path.relative_to(root))] = (name in dirs, stat.st_size, stat.st_mtime_ns)
    return seen


# The reading layer only (conftest's READING_TOML), with a per-document extraction bound long
# enough that a loaded CI machine cannot turn valid pages into timeouts (the extractor's child
# process starting up counts against the first page's bound).
FUZZ_TOML = READING_TOML + "[extract]\ntimeout_s = 30.0\n"


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ---------------------------------------------------------------------------------------------
# The properties


def fuzz_run(
    root: Path,
    specs: list,
    command: str = "run",
    config: str | None = FUZZ_TOML,
    workers: int = 1,
    valid_documents: bool = True,
) -> None:
    """Write `specs`, run `curate COMMAND` on them, and check properties 1-5 (5 if asked)."""
    tmp = Path(tempfile.mkdtemp(dir=root))
    try:
        inputs, out, cwd = tmp / "inputs", tmp / "out", tmp / "cwd"
        inputs.mkdir()
        cwd.mkdir()
        written = [spec.write(inputs, f"in{i}") for i, spec in enumerate(specs)]
        argv = [
            command,
            *(str(w.path) for w in written),
            "-o",
            str(out),
            "--no-progress",
            "--workers",
            str(workers),
        ]
        if config is not None:
            (tmp / "config.toml").write_text(config)
            argv += ["--config", str(tmp / "config.toml")]
        before = snapshot(tmp, out)
        outcome = invoke(argv, cwd)
        after = snapshot(tmp, out)
        check_outcome(outcome, written)
        check_nothing_outside(before, after, escaped_files(out))
        check_ledger(out, written)
        check_shards(out, written)
        if valid_documents:
            check_valid_documents(out, written)
    except BaseException:
        if KEEP_FAILED:
            (tmp / "argv.txt").write_text(" ".join(["curate", *argv]) + "\n")
            shutil.copytree(tmp, Path(KEEP_FAILED) / tmp.name, symlinks=True, dirs_exist_ok=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for path in escaped_files(out):
            shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(OSError):
                path.unlink()


def failure_lines(outcome: Outcome) -> list[str]:
    return [line for line in outcome.errors.splitlines() if line.startswith("error:")]


def check_outcome(outcome: Outcome, written: list[fi.Written]) -> None:
    """Property 1: no exception, no traceback, exit code 0 or 1 with failure lines (and no stall)."""
    assert not outcome.timed_out, f"the run stalled past {RUN_LIMIT_S:.0f} s:\n{outcome.output[-6000:]}"
    escaped = outcome.raised is not None
    assert not escaped, f"an exception escaped main():\n{outcome.raised}"
    printed = "Traceback (most recent call last)" in outcome.output
    assert not printed, f"a traceback was printed:\n{outcome.output[-4000:]}"
    ignored = "Exception ignored" in outcome.output
    assert not ignored, f"an exception was ignored:\n{outcome.output[-4000:]}"
    assert outcome.code in (0, 1), f"exit code {outcome.code}:\n{outcome.output[-3000:]}"
    failures = failure_lines(outcome)
    if outcome.code == 1:
        assert failures, f"exit code 1 without a failure line:\n{outcome.output[-3000:]}"
        for line in failures:
            assert any(str(w.path) in line for w in written), f"a failure line names no input: {line}"
    else:
        assert not failures, f"exit code 0 with failure lines: {failures}"
    # Property 2 begins here: every input is a file of a readable format (it sniffs as WARC, ARC,
    # WET, JSONL or Parquet), so none may fail as a whole: its records would be booked nowhere.
    assert not failures, "an input failed as a whole:\n" + "\n".join(failures)


def escaped_files(out: Path) -> list[Path]:
    """What a path-traversing field value (fuzz_inputs.LANG_ESCAPES) made outside the example's
    folder: entries named ESCAPE_NAME* in the ancestors of OUT and in the temporary folder."""
    found = []
    for folder in {*out.parents, Path(tempfile.gettempdir())}:
        with contextlib.suppress(OSError):
            found += [folder / name for name in os.listdir(folder) if name.startswith(fi.ESCAPE_NAME)]
    return found


def check_nothing_outside(before: dict, after: dict, escaped: list[Path]) -> None:
    """Property 4: outside OUT, the inputs, config and working directory are as they were, and
    nothing was written through a field value into OUT's ancestors."""
    assert not escaped, f"written outside OUT through a field value: {escaped}"
    created = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(p for p in set(before) & set(after) if before[p] != after[p] and not before[p][0])
    assert not created, f"created outside OUT: {created[:10]}"
    assert not removed and not changed, f"removed {removed[:10]} / changed {changed[:10]} outside OUT"


def all_ledgers(out: Path) -> pl.DataFrame:
    if not list((out / "stats").glob("*.parquet")):
        return pl.DataFrame(
            schema={"task": pl.String, "input": pl.String, "outcome": pl.String, "docs": pl.Int64}
        )
    return ledger(out)


def docs(table: pl.DataFrame, **equal) -> int:
    for column, value in equal.items():
        table = table.filter(pl.col(column) == value)
    return int(table["docs"].sum() or 0)


def check_ledger(out: Path, written: list[fi.Written]) -> None:
    """Property 2: each input's read count is what the generator wrote; per task, the invariant."""
    books = all_ledgers(out)
    for w in written:
        read = docs(books, input=str(w.path), outcome="read")
        if w.exact:
            assert read == w.min_records, (
                f"{w.path.name}: {w.min_records} records written, ledger read {read}"
            )
        else:
            assert w.min_records <= read <= w.max_records, (
                f"{w.path.name} (damaged): read {read}, expected {w.min_records}..{w.max_records}"
            )
    for (task,), rows in books.group_by("task"):
        read = docs(rows, outcome="read")
        booked = {o: docs(rows, outcome=o) for o in ("kept", "removed", "skipped", "error")}
        assert read == sum(booked.values()), f"task {task}: read {read} != {booked}"


def all_shards(out: Path) -> pl.DataFrame:
    if not list((out / "shards").glob("**/*.parquet")):
        return pl.DataFrame(schema={"id": pl.String, "url": pl.String, "source": pl.String})
    return shards(out)


def check_shards(out: Path, written: list[fi.Written]) -> None:
    """Property 3: shard rows = kept (dedup's negative kept rows included), per input too; no id
    twice within an input (ids are the documents' keys: dedup, the ledger and resumption use
    them), nor across inputs when their ids cannot collide."""
    books = all_ledgers(out)
    rows = all_shards(out)
    kept = docs(books, outcome="kept")
    assert rows.height == kept, f"{rows.height} rows in the shards, the ledger keeps {kept}"
    for w in written:
        in_shards = rows.filter(pl.col("source") == str(w.path)).height
        booked = docs(books, input=str(w.path), outcome="kept")
        assert in_shards == booked, (
            f"{w.path.name}: {in_shards} rows in the shards, its ledger keeps {booked}"
        )
        ids = rows.filter(pl.col("source") == str(w.path))["id"].to_list()
        repeated = [i for i, n in Counter(ids).items() if n > 1]
        assert not repeated, f"{w.path.name}: ids in its shard rows more than once: {repeated[:5]}"
    keys = [k for w in written for k in (w.id_keys or [None])]
    if None not in keys and len(set(keys)) == len(keys):
        repeated = [i for i, n in Counter(rows["id"].to_list()).items() if n > 1]
        assert not repeated, f"ids of different inputs that cannot collide did: {repeated[:5]}"


def check_valid_documents(out: Path, written: list[fi.Written]) -> None:
    """Property 5: every clearly valid document reaches the shards (reading layer only)."""
    rows = all_shards(out)
    ids, urls = rows["id"].to_list(), set(rows["url"].to_list())
    for w in written:
        for kind, value in w.valid:
            if kind == "url":
                assert value in urls, f"{w.path.name}: valid document {value} is not in the shards"
            else:
                assert any(value in i for i in ids), (
                    f"{w.path.name}: valid document {value} is not in the shards"
                )


# ---------------------------------------------------------------------------------------------
# The tests: one pipeline run per example, over one to three files


@fuzz_settings(35)
@given(specs=st.lists(fi.warc_files(), min_size=1, max_size=3))
def test_warc_files(fuzz_root, specs):
    fuzz_run(fuzz_root, specs)


@fuzz_settings(15, 0.5)
@given(specs=st.lists(fi.wet_files(), min_size=1, max_size=3))
def test_wet_files(fuzz_root, specs):
    fuzz_run(fuzz_root, specs)


@fuzz_settings(15, 0.5)
@given(specs=st.lists(fi.arc_files(), min_size=1, max_size=3))
def test_arc_files(fuzz_root, specs):
    fuzz_run(fuzz_root, specs)


@fuzz_settings(35)
@given(specs=st.lists(fi.jsonl_files(), min_size=1, max_size=3))
def test_jsonl_files(fuzz_root, specs):
    fuzz_run(fuzz_root, specs)


@fuzz_settings(20, 0.5)
@given(specs=st.lists(fi.parquet_files(), min_size=1, max_size=3))
def test_parquet_files(fuzz_root, specs):
    fuzz_run(fuzz_root, specs)


@fuzz_settings(12, 0.2)
@given(specs=st.lists(fi.any_files(), min_size=1, max_size=4))
def test_any_files_through_the_whole_pipeline(fuzz_root, specs):
    """Default configuration: language ID, the filters and dedup on (no valid-document check)."""
    fuzz_run(fuzz_root, specs, config=None, valid_documents=False)


@fuzz_settings(15, 0.3)
@given(specs=fi.dedup_inputs())
def test_dedup_command(fuzz_root, specs):
    """`curate dedup` on JSONL/Parquet with repeated texts and ids: the same books-and-shards
    properties; dedup's removals are in stats/dedup.parquet."""
    fuzz_run(fuzz_root, specs, command="dedup", config="", valid_documents=False)


@fuzz_settings(2, 0.05)
@given(specs=st.lists(fi.any_files(), min_size=2, max_size=2))
def test_two_workers(fuzz_root, specs):
    fuzz_run(fuzz_root, specs, workers=2)


@pytest.mark.parametrize("name", fi.KNOWN_INPUTS)
def test_known_minimal_inputs(fuzz_root, name):
    """The minimal failing inputs the harness found (fuzz_inputs.KNOWN_INPUTS), the same properties."""
    fuzz_run(fuzz_root, fi.KNOWN_INPUTS[name])


@pytest.mark.parametrize("name", fi.KNOWN_DEDUP_INPUTS)
def test_known_minimal_dedup_inputs(fuzz_root, name):
    fuzz_run(fuzz_root, fi.KNOWN_DEDUP_INPUTS[name], command="dedup", config="", valid_documents=False)
