"""Completion markers: a task writes its outputs, then OUT/markers/<task>.json. A rerun of the same
command skips a task whose marker matches the input's size and the config's hash now; any other
task is redone from scratch."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import fsspec

from curate.config import Config
from curate.shards import write_atomically
from curate.task import TaskResult

MARKERS_DIR = "markers"
# Sections that do not change what a task writes: the pretraining job's.
UNRELATED_SECTIONS = ("model", "pretrain")


def config_hash(config: Config) -> str:
    relevant = {k: v for k, v in config.to_dict().items() if k not in UNRELATED_SECTIONS}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()[:16]


def input_size(location: str) -> int | None:
    """The input's size in bytes now; None when the store cannot tell (some HTTP servers)."""
    try:
        if "://" not in location:
            return os.path.getsize(location)
        fs, path = fsspec.core.url_to_fs(location)
        return int(fs.size(path))
    except (OSError, ValueError, TypeError):
        return None


def marker_path(out_dir: Path, task: str) -> Path:
    return out_dir / MARKERS_DIR / f"{task}.json"


def write_marker(out_dir: Path, result: TaskResult, size: int | None, config_digest: str) -> None:
    marker = {
        "task": result.task,
        "input": result.input,
        "input_size": size,
        "config_hash": config_digest,
        "totals": result.totals,
    }
    path = marker_path(out_dir, result.task)
    path.parent.mkdir(exist_ok=True)
    write_atomically(path, lambda tmp: tmp.write_text(json.dumps(marker, indent=2)))


def completed(
    out_dir: Path, task: str, location: str, size: int | None, config_digest: str
) -> TaskResult | None:
    """The recorded result of `task` if its marker matches the input and config now, else None."""
    try:
        marker = json.loads(marker_path(out_dir, task).read_text())
    except (OSError, ValueError):
        return None
    if marker.get("input_size") != size or marker.get("config_hash") != config_digest:
        return None
    return TaskResult(task, location, marker["totals"])


def remove_marker(out_dir: Path, task: str) -> None:
    marker_path(out_dir, task).unlink(missing_ok=True)
