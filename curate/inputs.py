"""Expand command-line inputs (paths, directories, globs, URLs, Common Crawl paths files) to files.

Each file is one input however often and however it is named (a directory and a glob, a symlink,
a hard link, `./x` and `x`); a paths-file line never leaves the base it is relative to; and
`without_outputs` keeps a run from reading its own output directory.
"""

from __future__ import annotations

import glob
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

import fsspec

from curate.errors import UsageError

REMOTE_PREFIXES = ("http://", "https://", "s3://", "gs://", "gcs://", "az://", "abfs://")


def is_remote(location: str) -> bool:
    """True for a URL that fsspec opens (the local side has paths only)."""
    return location.startswith(REMOTE_PREFIXES)


INPUT_SUFFIXES = (
    ".warc", ".warc.gz", ".arc", ".arc.gz", ".wet", ".wet.gz", ".wat", ".wat.gz",
    ".jsonl", ".jsonl.gz", ".jsonl.zst", ".json.gz", ".ndjson", ".parquet",
)  # fmt: skip
PATHS_SUFFIXES = (".paths", ".paths.gz")
GLOB_CHARS = set("*?[")
SEGMENT_SEPARATORS = re.compile(r"[/\\]")  # a server may read a backslash as a slash


def open_text_lines(location: str):
    """Lines of a text file, local or remote, plain or .gz/.bz2/.xz/.zst (by name)."""
    try:
        return fsspec.open(location, "rt", compression="infer", encoding="utf-8", errors="replace").open()
    except FileNotFoundError:
        raise UsageError(f"no such file: {location}") from None


def is_paths_file(location: str) -> bool:
    return location.endswith(PATHS_SUFFIXES)


def resolve_against(base: str, line: str) -> str:
    """A paths-file line is relative to the crawl's base URL (or directory), a leading '/' too
    (Common Crawl's convention); only a full remote URL stands for itself."""
    if is_remote(line):
        return line
    return base.rstrip("/") + "/" + line.lstrip("/")


def _refusal(line: str) -> str | None:
    """Why a paths-file line cannot be read safely, or None."""
    if any(unicodedata.category(char) == "Cc" for char in line):
        return f"a control character in {line!r}"
    # `..` (also %-encoded) would climb out of the base
    if ".." in SEGMENT_SEPARATORS.split(unquote(line)):
        return f"a '..' segment in {line!r}"
    return None


def read_paths_file(location: str, base: str) -> list[str]:
    """The inputs a `*.paths(.gz)` file lists, resolved against `base`; UsageError naming the
    first line that could reach outside it."""
    if not base:
        raise UsageError(f"{location}: a paths file needs a base URL or directory (--base-url)")
    resolved = []
    with open_text_lines(location) as fh:
        for number, raw in enumerate(fh, start=1):
            line = raw.strip()
            if not line:
                continue
            refusal = _refusal(line)
            if refusal:
                raise UsageError(f"{location}: line {number}: {refusal} (lines are relative to {base})")
            resolved.append(resolve_against(base, line))
    return resolved


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


def _identity(location: str) -> object:
    """What makes two spellings one input: the URL, or a local file's device and inode."""
    if is_remote(location):
        return location
    try:
        stat = os.stat(location)
    except OSError:
        return location  # not there (yet): reading it reports that
    return (stat.st_dev, stat.st_ino)


def absolute(location: str) -> str:
    """A local path made absolute (workers may run in another folder: Ray's do); a URL as given."""
    return location if is_remote(location) else os.path.abspath(location)


def unique_inputs(locations: Iterable[str]) -> list[str]:
    """Each input once, under the first name it was given."""
    seen: set[object] = set()
    unique = []
    for location in locations:
        identity = _identity(location)
        if identity not in seen:
            seen.add(identity)
            unique.append(location)
    return unique


def expand_inputs(args: list[str], base_url: str, limit: int | None = None) -> list[str]:
    """The input files, in a stable order, each once; `limit` keeps the first N."""
    expanded: list[str] = []
    for arg in args:
        if is_paths_file(arg):
            expanded.extend(read_paths_file(arg, base_url))
        elif is_remote(arg):
            expanded.append(arg)
        else:
            expanded.extend(_expand_local(arg))
    unique = unique_inputs(expanded)
    return unique[:limit] if limit is not None else unique


def without_outputs(inputs: list[str], out_dir: Path) -> list[str]:
    """`inputs` less the local files that lie under OUT (its own shards, ledgers, markers),
    compared as real paths, so that symlinks and other spellings count; OUT need not exist."""
    out = Path(os.path.realpath(out_dir))
    return [
        location
        for location in inputs
        if is_remote(location) or not Path(os.path.realpath(location)).is_relative_to(out)
    ]
