"""Expand command-line inputs (paths, directories, globs, URLs, Common Crawl paths files) to files."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import fsspec

from curate.errors import UsageError
from curate.readers.streams import is_remote

INPUT_SUFFIXES = (
    ".warc", ".warc.gz", ".arc", ".arc.gz", ".wet", ".wet.gz", ".wat", ".wat.gz",
    ".jsonl", ".jsonl.gz", ".jsonl.zst", ".json.gz", ".ndjson", ".parquet",
)  # fmt: skip
PATHS_SUFFIXES = (".paths", ".paths.gz")
GLOB_CHARS = set("*?[")


def open_text_lines(location: str):
    """Lines of a text file, local or remote, plain or .gz/.bz2/.xz/.zst (by name)."""
    try:
        return fsspec.open(location, "rt", compression="infer", encoding="utf-8", errors="replace").open()
    except FileNotFoundError:
        raise UsageError(f"no such file: {location}") from None


def is_paths_file(location: str) -> bool:
    return location.endswith(PATHS_SUFFIXES)


def resolve_against(base: str, line: str) -> str:
    """A paths-file line is relative to the crawl's base URL (or directory)."""
    if is_remote(line) or os.path.isabs(line):
        return line
    return base.rstrip("/") + "/" + line.lstrip("/")


def read_paths_file(location: str, base: str) -> list[str]:
    with open_text_lines(location) as fh:
        return [resolve_against(base, line.strip()) for line in fh if line.strip()]


def _expand_local(arg: str) -> list[str]:
    if GLOB_CHARS & set(arg):
        matches = sorted(p for p in glob.glob(arg, recursive=True) if os.path.isfile(p))
        if not matches:
            raise UsageError(f"no files match {arg}")
        return matches
    path = Path(arg)
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.name.endswith(INPUT_SUFFIXES))
        if not files:
            raise UsageError(f"no input files in directory {arg} (looked for {', '.join(INPUT_SUFFIXES)})")
        return files
    if not path.exists():
        raise UsageError(f"no such file or directory: {arg}")
    return [arg]


def expand_inputs(args: list[str], base_url: str, limit: int | None = None) -> list[str]:
    """The input files, in a stable order, without duplicates; `limit` keeps the first N."""
    expanded: list[str] = []
    for arg in args:
        if is_paths_file(arg):
            expanded.extend(read_paths_file(arg, base_url))
        elif is_remote(arg):
            expanded.append(arg)
        else:
            expanded.extend(_expand_local(arg))
    unique = list(dict.fromkeys(expanded))
    return unique[:limit] if limit is not None else unique
