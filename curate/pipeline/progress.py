"""Progress of a run's tasks while they run: each running input reports the bytes it has read,
its size and the records it has read; the driver shows the inputs done, records/s, every running
input's share read and, where the sizes are known, an ETA.

On a terminal this is the postfix of the inputs bar, refreshed every second; elsewhere (Slurm,
nohup, CI) a plain log line every `every_s` seconds. A task in a worker process reports through a
small file in a folder of the driver's (ProgressFile): best effort, so that a full or missing
folder never fails a task, and nothing is added to OUT."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from curate.pipeline.task import task_id_for

log = logging.getLogger(__name__)
WRITE_EVERY_S = 0.5  # a worker writes its progress file at most this often
REFRESH_S = 1.0  # the terminal's postfix
PROGRESS_EVERY_S = 30.0  # off a terminal: a plain line this often


@dataclass(frozen=True)
class Reading:
    position: int  # compressed bytes read
    total: int | None  # the input's size, if known
    records: int


def _megabytes(count: float) -> str:
    return f"{count / 1e6:,.1f} MB"


def _shown(location: str) -> str:
    """An input's file name as a progress line shows it: short, and one line whatever it holds."""
    name = Path(location).name[:32]
    return "".join(c if c.isprintable() else "?" for c in name)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@dataclass
class ProgressFile:
    """A worker's progress callback: (bytes read, total, records) into `path`, as JSON."""

    path: str
    _last: float = field(default=0.0, repr=False)

    def __call__(self, position: int, total: int | None, records: int) -> None:
        now = time.monotonic()
        if now - self._last < WRITE_EVERY_S:
            return
        self._last = now
        tmp = f"{self.path}.tmp"
        try:
            with open(tmp, "w") as file:
                json.dump([position, total, records], file)
            os.replace(tmp, self.path)
        except OSError:
            pass  # progress is best effort: a task never fails for it


class ProgressBoard:
    """The driver's view of the running inputs. `sizes`: each input to do, with its size (None:
    unknown); `done`: inputs already done by an earlier run; `disable`: tqdm's (None: a bar only
    on a terminal; True: neither bar nor plain lines)."""

    def __init__(self, sizes: dict[str, int | None], done: int, disable: bool | None):
        self.sizes = sizes
        self.bar = tqdm(
            total=len(sizes) + done,
            initial=done,
            desc="inputs",
            unit="file",
            disable=disable,
            file=sys.stderr,
        )
        self.plain_lines = self.bar.disable and disable is not True
        self.readings: dict[str, Reading] = {}
        self.finished: set[str] = set()
        self.done_before = done  # by an earlier run
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self.folder: Path | None = None

    @contextlib.contextmanager
    def running(self, every_s: float = PROGRESS_EVERY_S) -> Iterator[ProgressBoard]:
        """Watches the reports while the block runs: the bar's postfix every REFRESH_S, or a plain
        line every `every_s` seconds."""
        self.folder = Path(tempfile.mkdtemp(prefix="curate-progress-"))
        stop = threading.Event()
        watcher = threading.Thread(
            target=self._watch, args=(stop, every_s), name="curate-progress", daemon=True
        )
        watcher.start()
        try:
            yield self
        finally:
            stop.set()
            watcher.join()
            self.bar.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def worker_reporter(self, location: str) -> ProgressFile:
        """The callback a task in another process reports through."""
        return ProgressFile(str(self._file_of(location)))

    def _file_of(self, location: str) -> Path:
        assert self.folder is not None, "inside running()"
        return self.folder / f"{task_id_for(location)}.json"

    @property
    def done(self) -> int:
        """Inputs done, by this run or an earlier one (tqdm counts nothing when it is off)."""
        return self.done_before + len(self.finished)

    def local_reporter(self, location: str):
        """The callback of a task run in this process."""

        def report(position: int, total: int | None, records: int) -> None:
            with self._lock:
                self.readings[location] = Reading(position, total, records)

        return report

    def task_done(self, location: str) -> None:
        with self._lock:
            self.finished.add(location)
            reading = self.readings.get(location)
            size = self.sizes.get(location)
            if size is not None:
                self.readings[location] = Reading(size, size, reading.records if reading else 0)
        self.bar.update()

    def _read_files(self) -> None:
        for location in self.sizes:
            if location in self.finished:
                continue
            try:
                position, total, records = json.loads(self._file_of(location).read_text())
                # Numbers only: a file that holds anything else must not stop the watcher.
                reading = Reading(int(position), None if total is None else int(total), int(records))
            except (OSError, ValueError, TypeError, OverflowError):
                continue  # not started yet, caught mid-replace, or not a progress file
            with self._lock:
                if location not in self.finished:
                    self.readings[location] = reading

    def status(self) -> str:
        """One line: records/s, MB/s, the running inputs' shares, the ETA where sizes are known."""
        with self._lock:
            readings = dict(self.readings)
            finished = set(self.finished)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        records = sum(r.records for r in readings.values())
        read = sum(r.position for r in readings.values())
        parts = [f"{records / elapsed:,.0f} records/s", f"{_megabytes(read / elapsed)}/s"]
        known = [size for location, size in self.sizes.items() if size is not None]
        if len(known) == len(self.sizes) and read > 0:
            remaining = sum(known) - sum(
                readings[loc].position if loc in readings else 0 for loc in self.sizes
            )
            done_share = 1 - max(remaining, 0) / max(sum(known), 1)
            parts.append(f"{done_share:.0%} of {_megabytes(sum(known))}")
            parts.append(f"ETA {_duration(max(remaining, 0) * elapsed / read)}")
        running = [
            f"{_shown(loc)} {f'{r.position / r.total:.0%}' if r.total else _megabytes(r.position)}"
            for loc, r in readings.items()
            if loc not in finished
        ]
        if running:
            parts.append("running: " + ", ".join(running))
        return ", ".join(parts)

    def _watch(self, stop: threading.Event, every_s: float) -> None:
        last_line = time.monotonic()
        while not stop.wait(REFRESH_S):
            self._read_files()
            if not self.bar.disable:
                self.bar.set_postfix_str(self.status(), refresh=True)
            elif self.plain_lines and time.monotonic() - last_line >= every_s:
                last_line = time.monotonic()
                log.info("inputs %d/%d done; %s", self.done, self.bar.total, self.status())
