"""Benchmark files (JSONL, plain, .gz or .zst, or Parquet) -> their names and the texts of their rows.

A file is one benchmark, named after its file name (the name goes into a removal reason and, through
the excluded shards, into a folder name: only `[A-Za-z0-9._-]`, never empty, never `..`). A file that
cannot be opened, or is neither JSONL nor Parquet, is a UsageError naming `decontaminate.files`; a
bad row inside a readable file (not JSON, not an object, too large, none of the text fields) is
skipped and counted, never fatal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import fsspec
import pyarrow.parquet as pq

from curate.errors import CurateError, UsageError, first_line
from curate.readers import sniff_format
from curate.readers.lines import LineTooLong, read_capped_line
from curate.readers.streams import open_input
from curate.readers.tabular import _lookup, _string

OPTION = "decontaminate.files"
# Where benchmark datasets keep their texts (MMLU, ARC, HellaSwag, GSM8K, SQuAD, PIQA, ...). A dotted
# name reads inside an object (ARC's `choices.text`); a list of strings counts string by string.
DEFAULT_FIELDS = (
    "text", "question", "answer", "passage", "context", "prompt", "query", "problem", "solution",
    "choices", "choices.text", "options", "endings", "ctx", "goal", "sentence", "premise", "hypothesis",
    "input", "output", "target", "completion",
)  # fmt: skip
MAX_ROW_BYTES = 16 << 20  # a longer JSONL line (or Parquet value) is skipped, never held whole
PARQUET_BATCH_ROWS = 1024
COMPRESSIONS = (".gz", ".zst")
FORMATS = (".jsonl", ".ndjson", ".json", ".parquet")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
DOTS = re.compile(r"\.{2,}")
MAX_NAME = 80  # characters: a folder name stays well under the file systems' 255 bytes
FALLBACK_NAME = "benchmark"


@dataclass
class BenchmarkStats:
    """What one benchmark file gave: rows read, rows skipped (no text could be read from them), texts
    too short for one n-gram, and the distinct n-grams it added (one that an earlier benchmark has
    stays that one's)."""

    name: str
    path: str
    rows: int = 0
    skipped: int = 0
    short_texts: int = 0
    ngrams: int = 0


def benchmark_name(path: str) -> str:
    """The file name without its format and compression suffixes, made safe for a reason and a folder."""
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    for suffixes in (COMPRESSIONS, FORMATS):
        suffix = next((s for s in suffixes if name.lower().endswith(s)), "")
        name = name[: len(name) - len(suffix)]
    # Leading dots would hide the folder, `..` climb out of it, a trailing dot vanish on Windows.
    name = DOTS.sub(".", UNSAFE.sub("_", name))[:MAX_NAME].strip(".")
    return name or FALLBACK_NAME


def benchmark_names(paths: list[str]) -> list[str]:
    """Each path's name, the second of a name (compared case-blind: one folder on macOS) as `name-2`."""
    taken: set[str] = set()
    names = []
    for path in paths:
        base = name = benchmark_name(path)
        copy = 1
        while name.lower() in taken:
            copy += 1
            name = f"{base}-{copy}"
        taken.add(name.lower())
        names.append(name)
    return names


def row_texts(row: Any, fields: tuple[str, ...]) -> list[str]:
    """The non-blank strings of `row`'s fields, a list field string by string; [] for a non-object."""
    if not isinstance(row, dict):
        return []
    texts = []
    for field in fields:
        value = _lookup(row, field)
        for item in value if isinstance(value, list) else [value]:
            text = _string(item)
            if text and text.strip() and len(text) <= MAX_ROW_BYTES:
                texts.append(text)
    return texts


def read_rows(path: str, fields: tuple[str, ...]) -> Iterator[Any]:
    """The rows of a benchmark file, None for one that could not be read; UsageError if the file
    cannot be opened or is neither JSONL nor Parquet."""
    try:
        with open_input(path) as source:
            head = source.head(64)
            if source.corrupt_start:
                raise UsageError(f"{OPTION}: {path}: corrupt {source.compression} data at the start")
            kind = sniff_format(head) if head else "jsonl"  # an empty file: no rows
            if kind == "jsonl":
                yield from _jsonl_rows(source)
                return
            if kind != "parquet" or source.compression is not None:
                start = bytes(head[:16])
                raise UsageError(f"{OPTION}: {path}: not a JSONL or Parquet file (starts with {start!r})")
        yield from _parquet_rows(path, fields)  # Parquet needs random access: opened apart
    except UsageError:
        raise
    except CurateError as exc:
        raise UsageError(f"{OPTION}: {first_line(exc)}") from None


def _jsonl_rows(source) -> Iterator[Any]:
    while True:
        try:
            line = read_capped_line(source.stream.readline, MAX_ROW_BYTES)
        except LineTooLong:
            yield None
            continue
        if not line:
            break
        if line.strip():
            try:
                yield json.loads(line.decode("utf-8", "replace"))
            except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
                yield None
    if source.damage:  # a cut-off or corrupt end: the row it broke
        yield None


def _parquet_rows(path: str, fields: tuple[str, ...]) -> Iterator[Any]:
    with fsspec.open(path, "rb") as fh:
        try:
            parquet = pq.ParquetFile(fh)
        except Exception as exc:
            raise UsageError(f"{OPTION}: {path}: not a readable Parquet file ({first_line(exc)})") from None
        present = set(parquet.schema_arrow.names)
        columns = sorted({field.split(".")[0] for field in fields} & present)
        for group in range(parquet.num_row_groups):
            done = 0
            try:
                # No column of the fields: every row is one without them, so none is decoded.
                for batch in parquet.iter_batches(PARQUET_BATCH_ROWS, [group], columns) if columns else ():
                    for row in batch.to_pylist():
                        done += 1
                        yield row
            except Exception:  # pyarrow cannot decode (the rest of) this row group: its rows are bad
                pass
            yield from repeat(None, parquet.metadata.row_group(group).num_rows - done)
