"""Run progress under hostile conditions: progress files holding garbage, deleted or with their folder
gone; inputs of unknown, zero or huge size and odd names; inputs that vanish before their size is
taken. status() never raises, the watcher keeps reporting, default_workers never crashes."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time

import pytest

from curate.pipeline import run as run_module
from curate.pipeline.progress import ProgressBoard, ProgressFile
from curate.pipeline.run import BYTES_PER_WORKER, default_workers
from curate.pipeline.task import task_id_for

ODD = ["/a/b c\n.warc.gz", "s3://bucket/y?z=1#f", "/d/" + "\u00e9" * 100 + ".warc", "/e/\u202e0", "/f/"]
GARBAGE = [
    '[1, "x", 2]',
    "[1, [3], 2]",
    "[1e400, 10, 2]",
    "[1, 1e400, 2]",
    "[1, 10, 1e400]",
    "[NaN, 10, 2]",
    "[1, NaN, 2]",
    '{"a": 1, "b": 2, "c": 3}',
    '"abc"',
    "garbage",
    "",
    "[1, 2]",
    "null",
    "[null, null, null]",
    "[-5, -1, -2]",
]


def _board(sizes=(None, 0, 2**62, 10, 1)) -> ProgressBoard:
    return ProgressBoard(dict(zip(ODD, sizes)), 0, True)


@pytest.mark.parametrize("content", GARBAGE)
def test_a_progress_file_with_garbage_is_skipped_and_status_never_raises(content):
    board = _board()
    with board.running(60):
        for location in ODD:
            (board.folder / f"{task_id_for(location)}.json").write_text(content)
        board._read_files()
        line = board.status()
    assert "records/s" in line
    for reading in board.readings.values():  # whatever was taken is numbers a line can be made of
        assert isinstance(reading.position, int) and isinstance(reading.records, int)
        assert reading.total is None or isinstance(reading.total, int)


def test_the_watcher_survives_garbage_and_keeps_reporting(caplog):
    board = ProgressBoard({"/x/a.warc.gz": 100, "/x/b.warc.gz": 100}, 0, None)  # off a terminal
    assert board.plain_lines
    caplog.set_level(logging.INFO, logger="curate")
    with board.running(0.1):
        (board.folder / f"{task_id_for('/x/a.warc.gz')}.json").write_text('[1, "x", 2]')
        (board.folder / f"{task_id_for('/x/b.warc.gz')}.json").write_text("[1e400, 10, 2]")
        time.sleep(1.5)
        (board.folder / f"{task_id_for('/x/a.warc.gz')}.json").write_text("[50, 100, 7]")
        time.sleep(1.5)
    lines = [r.getMessage() for r in caplog.records if "records/s" in r.getMessage()]
    assert lines and any("a.warc.gz 50%" in line for line in lines), lines


def test_sizes_none_zero_and_huge_and_readings_beyond_them():
    board = _board()
    for location, (position, total) in zip(ODD, [(5, None), (5, 0), (2**62, 2**62), (20, 10), (0, 1)]):
        board.local_reporter(location)(position, total, 3)
    assert "running:" in board.status()
    board = ProgressBoard({"/a": 0, "/b": 0}, 0, True)
    board.local_reporter("/a")(10, 0, 1)
    assert "ETA" in board.status()  # all sizes known (0): no division by zero
    assert "records/s" in ProgressBoard({}, 3, True).status()


def test_a_progress_folder_removed_under_the_board():
    board = _board()
    with board.running(60):
        reporter = board.worker_reporter(ODD[0])
        shutil.rmtree(board.folder)
        reporter(1, 2, 3)  # best effort: no error
        board._read_files()
        assert "records/s" in board.status()
    ProgressFile(str(board.folder / "gone" / "x.json"))(1, 2, 3)


def test_a_progress_file_deleted_mid_read(monkeypatch):
    board = _board()
    with board.running(60):
        path = board.folder / f"{task_id_for(ODD[3])}.json"
        path.write_text(json.dumps([1, 10, 1]))
        path.unlink()
        board._read_files()
        assert ODD[3] not in board.readings


def test_default_workers_with_vanished_paths_directories_urls_and_nothing(tmp_path, monkeypatch):
    assert default_workers([]) == 1
    assert default_workers([str(tmp_path / "missing.warc.gz")]) == 1
    assert default_workers([str(tmp_path)]) == 1
    assert default_workers(["s3://bucket/key.warc.gz", "https://x/y.warc.gz"]) == min(2, os.cpu_count() or 1)
    # A file that is there when checked and gone when its size is taken (another job cleaning up).
    gone = tmp_path / "gone.warc.gz"
    monkeypatch.setattr(run_module.os.path, "isfile", lambda path: True)
    assert default_workers([str(gone)]) >= 1
    assert default_workers([str(gone)] * 3) <= 3
    assert BYTES_PER_WORKER > 0
