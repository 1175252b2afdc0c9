"""Parquet shards: zstd, size-bounded, one folder per language, written atomically (a shard is
renamed into place once complete: see curate.atomic), read back one row group at a time.

Folders: the final shards are `lang-xx/` (and the exclusion shards `reason-xx/`), not Hive's
`lang=xx/`: their files hold the `lang` column, and a Hive key that repeats a column of the files
breaks `pyarrow.parquet.read_table` (the two types do not merge) and leaves every other reader to
choose between them. Without a key every reader takes `lang` from the files, one value per row.
The staged files, read by curate only, keep `lang=xx/`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate.atomic import tmp_path_for
from curate.config import OutputConfig

HIVE = "="  # staged/lang=xx/
LABEL = "-"  # shards/lang-xx/, excluded/reason-xx/: see the module docstring


def partition_dir(root: Path, value: str, key: str = "lang", separator: str = HIVE) -> Path:
    return root / f"{key}{separator}{value}"


def partition_of(path: Path, key: str = "lang", separator: str = LABEL) -> str | None:
    """The value of the innermost `<key><separator><value>` folder that holds `path`, if any."""
    prefix = f"{key}{separator}"
    return next((p[len(prefix) :] for p in path.parent.parts[::-1] if p.startswith(prefix)), None)


def row_groups(path: Path, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """The row groups of a Parquet file one at a time, with those of `columns` the file has (all
    without `columns`): memory holds one row group, which the writer bounds, never the whole file."""
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    wanted = None if columns is None else [c for c in columns if c in names]
    for index in range(parquet.num_row_groups):
        yield parquet.read_row_group(index, columns=wanted)


class ShardWriter:
    """Writes tables to `<directory>/<prefix>-00000.parquet`, `-00001`, ... bounded by size."""

    def __init__(self, directory: Path, prefix: str, schema: pa.Schema, config: OutputConfig):
        self.directory = directory
        self.prefix = prefix
        self.schema = schema
        self.config = config
        self.written: list[Path] = []
        self._buffer: list[pa.Table] = []
        self._buffered_bytes = 0
        self._writer: pq.ParquetWriter | None = None
        self._tmp_path: Path | None = None

    def _final_path(self) -> Path:
        return self.directory / f"{self.prefix}-{len(self.written):05d}.parquet"

    def write(self, table: pa.Table) -> None:
        # Slice big tables so that row groups, and so shard sizes, follow the configured bounds.
        rows_per_slice = max(1, table.num_rows * self.config.row_group_bytes // max(table.nbytes, 1))
        for offset in range(0, table.num_rows, rows_per_slice):
            piece = table.slice(offset, rows_per_slice)
            self._buffer.append(piece)
            self._buffered_bytes += piece.nbytes
            if self._buffered_bytes >= self.config.row_group_bytes:
                self._flush_row_group()

    def _flush_row_group(self) -> None:
        if not self._buffer:
            return
        if self._writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            final = self._final_path()
            self._tmp_path = tmp_path_for(final)
            self._writer = pq.ParquetWriter(
                self._tmp_path,
                self.schema,
                compression="zstd",
                compression_level=self.config.compression_level,
            )
        self._writer.write_table(pa.concat_tables(self._buffer), row_group_size=1 << 30)
        self._buffer, self._buffered_bytes = [], 0
        if self._tmp_path.stat().st_size >= self.config.max_shard_bytes:
            self._finish_file()

    def _finish_file(self) -> None:
        if self._writer is None:
            return
        self._writer.close()
        final = self._final_path()
        os.replace(self._tmp_path, final)
        self.written.append(final)
        self._writer, self._tmp_path = None, None

    def close(self) -> list[Path]:
        self._flush_row_group()
        self._finish_file()
        return self.written

    def abort(self) -> None:
        """Drop what is not yet complete; files already renamed into place stay."""
        if self._writer is not None:
            self._writer.close()
            self._tmp_path.unlink(missing_ok=True)
        self._writer, self._tmp_path, self._buffer = None, None, []


class PartitionedWriter:
    """One ShardWriter per language under `root/lang=xx/` (or per value of another `key`, or with
    another `separator`)."""

    def __init__(
        self,
        root: Path,
        prefix: str,
        schema: pa.Schema,
        config: OutputConfig,
        key: str = "lang",
        separator: str = HIVE,
    ):
        self.root = root
        self.key = key
        self.separator = separator
        self.prefix = prefix
        self.schema = schema
        self.config = config
        self.writers: dict[str, ShardWriter] = {}

    def write(self, value: str, table: pa.Table) -> None:
        if value not in self.writers:
            directory = partition_dir(self.root, value, self.key, self.separator)
            self.writers[value] = ShardWriter(directory, self.prefix, self.schema, self.config)
        self.writers[value].write(table)

    def write_partitioned(self, table: pa.Table) -> None:
        """Rows of `table` to the partition of their `key` column's value."""
        for value in sorted(set(table[self.key].to_pylist())):
            self.write(value, table.filter(pc.equal(table[self.key], value)))

    def close(self) -> list[Path]:
        return [path for writer in self.writers.values() for path in writer.close()]

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()
