"""Dedup's intermediate files: written under a temporary name, sealed with a SHA-256 next to them,
then renamed into place; read back only after the checksum matches.

A corrupt or missing file raises StageFileError naming the file and the stage that writes it, so
the user knows what to redo instead of getting wrong clusters.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from curate.atomic import tmp_path_for
from curate.errors import CurateError
from curate.layout import checksum_path


class StageFileError(CurateError):
    """An intermediate file of a dedup stage is missing or does not match its checksum."""


def _digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def seal(tmp: Path, final: Path) -> Path:
    """Checksum the complete file `tmp`, then move it (and its checksum) to `final`."""
    checksum = checksum_path(final)
    checksum_tmp = tmp_path_for(checksum)
    checksum_tmp.write_text(_digest(tmp) + "\n")
    os.replace(checksum_tmp, checksum)
    os.replace(tmp, final)
    return final


def write_sealed(table: pa.Table, final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_for(final)
    pq.write_table(table, tmp, compression="zstd")
    return seal(tmp, final)


def verified(path: Path, stage: str) -> Path:
    """`path` if it exists and matches its checksum; else StageFileError naming file and stage."""
    checksum = checksum_path(path)
    if not path.exists() or not checksum.exists():
        missing = path if not path.exists() else checksum
        raise StageFileError(f"dedup: {missing} is missing; rerun the command to redo stage '{stage}'")
    if _digest(path) != checksum.read_text().strip():
        raise StageFileError(
            f"dedup: {path} is corrupt (checksum mismatch); rerun the command to redo stage '{stage}'"
        )
    return path


def remove_sealed(path: Path) -> None:
    for victim in (path, checksum_path(path), tmp_path_for(path)):
        victim.unlink(missing_ok=True)
