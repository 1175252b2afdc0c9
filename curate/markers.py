"""Completion markers: a task writes its outputs, then OUT/markers/<task>.json. A rerun of the same
command skips a task whose marker matches the input's size and the config's hash now; any other
task is redone from scratch."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import fsspec

from curate import strict_json
from curate.config import Config
from curate.dedup.files import StageFileError, verified
from curate.dedup.signatures import STAGE, signatures_path
from curate.shards import write_atomically
from curate.task import TaskResult, task_outputs
from filters.badwords import find_lists_dir
from langid.model import find_model

MARKERS_DIR = "markers"
# Sections that do not change what a task writes: the pretraining job's.
UNRELATED_SECTIONS = ("model", "pretrain")


def config_hash(config: Config) -> str:
    """A digest of what decides a task's outputs: the config (less the pretraining sections) and
    the contents of the files it names, so that a rerun after a list or model changed redoes the
    inputs instead of skipping them."""
    relevant = {k: v for k, v in config.to_dict().items() if k not in UNRELATED_SECTIONS}
    relevant["file_contents"] = {key: content_digest(path) for key, path in named_files(config).items()}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()[:16]


def named_files(config: Config) -> dict[str, Path | None]:
    """The files and directories a run over `config` reads, by the key that names them, found as
    the stages find them (None: not found, which building the stages reports)."""
    files: dict[str, Path | None] = {}
    if config.langid.enabled:
        files["langid.model"] = _found(find_model, config.langid.model)
    if config.filters.enabled:
        for key in ("blocked_domains_file", "blocked_urls_file"):
            if getattr(config.filters.url, key):
                files[f"filters.url.{key}"] = Path(getattr(config.filters.url, key))
        if "badwords" in config.filters.order:
            files["filters.badwords_dir"] = _found(
                lambda path: find_lists_dir(path, download=False), config.filters.badwords_dir
            )
        if "quality" in config.filters.order:
            files["filters.quality.model"] = Path(config.filters.quality.model)
    return files


def _found(find: Callable[[str | None], Path], configured: str) -> Path | None:
    try:
        return find(configured or None)  # "": the finder's own order ($CURATE_..., the cache, ...)
    except FileNotFoundError:
        return None


def content_digest(path: Path | None) -> str | None:
    """sha256 of a file's contents, or of a directory's files (names and contents, in name order);
    None when there is nothing to read."""
    if path is None:
        return None
    try:
        if not path.is_dir():
            return _file_digest(path)
        combined = hashlib.sha256()
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            combined.update(f"{file.name}\0{_file_digest(file)}\n".encode())
        return combined.hexdigest()
    except OSError:
        return None


def _file_digest(path: Path) -> str:
    stat = path.stat()
    return _sha256(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    """Hashed once per process while the file's size and mtime stay (the hash is taken per input);
    a rewritten file has another key and is hashed again."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        "outputs": _output_sizes(out_dir, result.task),
    }
    path = marker_path(out_dir, result.task)
    path.parent.mkdir(exist_ok=True)
    write_atomically(path, lambda tmp: tmp.write_text(strict_json.dumps(marker, indent=2)))


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
    if marker.get("outputs") != _output_sizes(out_dir, task) or not _signatures_intact(out_dir, task):
        return None  # an output was lost or damaged since: the task is redone, not trusted
    return TaskResult(task, location, marker["totals"])


def _signatures_intact(out_dir: Path, task: str) -> bool:
    path = signatures_path(out_dir, task)
    if not path.exists():
        return True  # dedup was off for this task
    try:
        verified(path, STAGE)
    except StageFileError:
        return False
    return True


def _output_sizes(out_dir: Path, task: str) -> dict[str, int]:
    return {str(path.relative_to(out_dir)): path.stat().st_size for path in task_outputs(out_dir, task)}


def remove_marker(out_dir: Path, task: str) -> None:
    marker_path(out_dir, task).unlink(missing_ok=True)
