"""OUT is owned by one run at a time, and by one set of inputs.

- A lock (`OUT/.curate.lock`, flock: released by the kernel when the holder dies, even by SIGKILL,
  so it never goes stale) lets one run at a time write OUT; a second one exits 2 naming the holder.
- OUT remembers the inputs it was made from (`inputs` in run.json). A run over another set of
  inputs is refused with exit 2 instead of silently replacing the earlier run's shards: `--force`
  replaces it, `--add` adds the new inputs to it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from curate.errors import UsageError
from curate.layout import OutputLayout


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold OUT's lock for the body; UsageError naming the holder when another run holds it."""
    path = OutputLayout(out_dir).lock
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(
                f"-o {out_dir}: another curate run is writing here ({_holder(path)}); "
                "wait for it to finish or choose another OUT"
            ) from None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text())
        return f"pid {holder['pid']} on {holder['host']} since {holder['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"


def recorded_inputs(record: object) -> list[str] | None:
    """The inputs an earlier run into OUT was over (None: OUT holds no run yet, or a run record
    too damaged to name them: `"inputs": 5`, tasks that are not objects)."""
    if not isinstance(record, dict):
        return None
    if "inputs" in record:
        inputs = record["inputs"]
    else:
        tasks = record.get("tasks") or []
        inputs = (
            [task.get("input") for task in tasks if isinstance(task, dict)]
            if isinstance(tasks, list)
            else None
        )
    if not isinstance(inputs, list) or not all(isinstance(location, str) for location in inputs):
        return None
    return inputs or None


def plan_inputs(
    out_dir: Path | str, earlier: list[str] | None, inputs: list[str], force: bool, add: bool
) -> list[str]:
    """The inputs this run is over: `inputs`, or with `add` the earlier ones followed by the new.
    A different set than OUT holds is refused unless `force` (replace) or `add`."""
    if not earlier:
        return inputs
    held, given = set(earlier), set(inputs)
    new = [location for location in inputs if location not in held]
    if add:
        return earlier + new
    if force or held == given:
        return inputs
    gone = [location for location in earlier if location not in given]
    differences = (f"{len(new)} new, e.g. {new[0]}" if new else "") + (
        f"{'; ' if new else ''}{len(gone)} missing, e.g. {gone[0]}" if gone else ""
    )
    raise UsageError(
        f"-o {out_dir}: holds a run over other inputs ({differences}); "
        "--add adds these inputs to it, --force replaces it, or choose another OUT"
    )
