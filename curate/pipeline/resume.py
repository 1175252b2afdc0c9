"""Resumption: a task writes its outputs, then its completion marker (OUT/markers/<task>.json). A
rerun of the same command skips a task whose marker matches the input's size, the config's hash and
the sizes of the outputs now; any other task is redone from scratch, after what its earlier attempt
left is cleared. The config's hash is computed here, once per run (it reads the files the config
names)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import fsspec

from curate.atomic import write_json
from curate.config import Config
from curate.dedup.files import StageFileError, remove_sealed, verified
from curate.dedup.signatures import STAGE
from curate.layout import OutputLayout
from filters.badwords import find_lists_dir
from filters.registry import fingerprints
from langid.model import find_model

# Sections that do not change what a task writes: the pretraining job's.
UNRELATED_SECTIONS = ("model", "pretrain")


def config_hash(config: Config) -> str:
    """A digest of what decides a task's outputs: the config (less the pretraining sections), the
    registered filters it names (class and source) and the contents of the files it names, so that
    a rerun after a list, model or filter changed redoes the inputs instead of skipping them."""
    relevant = {k: v for k, v in config.to_dict().items() if k not in UNRELATED_SECTIONS}
    relevant["file_contents"] = {key: content_digest(path) for key, path in named_files(config).items()}
    user_filters = fingerprints(config.filters.order) if config.filters.enabled else {}
    if user_filters:  # only then: the digests of runs without them stay as they were
        relevant["user_filters"] = user_filters
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
    if config.topics.enabled:
        for key in ("model", "clusters_file"):
            if getattr(config.topics, key):
                files[f"topics.{key}"] = Path(getattr(config.topics, key))
    for number, path in enumerate(config.decontaminate.files):
        files[f"decontaminate.files.{number}"] = Path(path)
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


def write_marker(
    layout: OutputLayout,
    task: str,
    location: str,
    totals: dict[str, int],
    size: int | None,
    config_digest: str,
) -> None:
    """The last file of a task: its input's size, the config's hash, its totals and its outputs."""
    marker = {
        "task": task,
        "input": location,
        "input_size": size,
        "config_hash": config_digest,
        "totals": totals,
        "outputs": _output_sizes(layout, task),
    }
    path = layout.marker(task)
    path.parent.mkdir(exist_ok=True)
    write_json(path, marker)


def completed(layout: OutputLayout, task: str, size: int | None, config_digest: str) -> dict[str, int] | None:
    """The recorded totals of `task` if its marker matches the input and config now, else None."""
    try:
        marker = json.loads(layout.marker(task).read_text())
    except (OSError, ValueError):
        return None
    if not marker_matches(marker, size, config_digest, _output_sizes(layout, task)):
        return None
    if not _signatures_intact(layout, task):
        return None  # damaged since: the task is redone, not trusted
    return marker["totals"]


def marker_matches(marker: object, size: int | None, config_digest: str, outputs: dict[str, int]) -> bool:
    """The marker is of this input's size and config, and names exactly `outputs` (key: size): an
    output lost or changed since means the task is redone, not trusted."""
    return (
        isinstance(marker, dict)
        and marker.get("input_size") == size
        and marker.get("config_hash") == config_digest
        and marker.get("outputs") == outputs
        and isinstance(marker.get("totals"), dict)
    )


def _signatures_intact(layout: OutputLayout, task: str) -> bool:
    path = layout.signatures(task)
    if not path.exists():
        return True  # dedup was off for this task
    try:
        verified(path, STAGE)
    except StageFileError:
        return False
    return True


def _output_sizes(layout: OutputLayout, task: str) -> dict[str, int]:
    return {str(path.relative_to(layout.root)): path.stat().st_size for path in layout.task_outputs(task)}


def remove_marker(layout: OutputLayout, task: str) -> None:
    layout.marker(task).unlink(missing_ok=True)


def clear_task_outputs(layout: OutputLayout, task: str) -> None:
    """Remove what an earlier, interrupted attempt at `task` left, so a rerun cannot double it."""
    for path in layout.unfinished(task):
        path.unlink(missing_ok=True)
    remove_sealed(layout.signatures(task))
    for path in layout.task_outputs(task):
        path.unlink(missing_ok=True)
