"""Per-document Parquet files (shards, removed documents, dedup's clusters) read a bounded batch at a
time, so that the statistics aggregate them without holding a row per document: as a LazyFrame for
polars' streaming engine, or batch by batch for a fold in Python.

pyarrow reads each file in batches of about BATCH_BYTES of the columns a query needs, through a
buffer rather than whole column chunks, and a text becomes its length before it reaches polars: a
row group's text is never held at once (polars' own Parquet scan decodes whole row groups, a few at
a time: with 64 MiB row groups of text, hundreds of MB). It decodes on the calling thread: with
pyarrow's threads, each thread's allocator keeps what it freed (RSS tens of MB higher).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from polars.io.plugins import register_io_source

TEXT = "text"
TEXT_LENGTH = "chars"  # the length of the text, in characters, where a scan measures it
BATCH_BYTES = 4 << 20  # decoded bytes of the read columns per batch, from the footer's sizes
MAX_BATCH_ROWS = 16384
READ_BUFFER = 1 << 20


def _schema(paths: list[Path], columns: list[str] | None, text_length: bool) -> pl.Schema:
    """The polars schema of `columns` (every column without them) over all files: those that some
    file has, with the type of the first that has it; plus TEXT_LENGTH if `text_length`."""
    fields: dict[str, pa.Field] = {}
    for path in paths:
        for field in pq.read_schema(path):
            if columns is None or field.name in columns:
                fields.setdefault(field.name, field)
    names = list(fields) if columns is None else [c for c in columns if c in fields]
    schema = pl.from_arrow(pa.schema([fields[n] for n in names]).empty_table()).schema
    return pl.Schema({**schema, **({TEXT_LENGTH: pl.Int64()} if text_length else {})})


def _batch_rows(file: pq.ParquetFile, columns: list[str]) -> int:
    """Rows per batch for about BATCH_BYTES of `columns`, from the sizes the footer records."""
    meta = file.metadata
    size = sum(
        chunk.total_uncompressed_size
        for group in range(meta.num_row_groups)
        for chunk in map(meta.row_group(group).column, range(meta.num_columns))
        if chunk.path_in_schema.split(".")[0] in columns
    )
    return int(min(MAX_BATCH_ROWS, max(1, BATCH_BYTES * meta.num_rows // max(size, 1))))


def _frame(batch: pa.RecordBatch, schema: pl.Schema, text_length: bool) -> pl.DataFrame:
    """A batch in `schema`: its text as its length if `text_length`, and nulls for the columns that
    its file lacks (in the types of the schema, which a file of an older run may not have)."""
    table = pa.Table.from_batches([batch])
    if text_length:
        lengths = pc.utf8_length(table[TEXT]).cast(pa.int64())
        table = table.drop_columns([TEXT]).append_column(TEXT_LENGTH, lengths)
    frame = pl.from_arrow(table)
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in schema.items() if name not in frame.columns]
    return frame.with_columns(missing).cast({name: schema[name] for name in frame.columns if name in schema})


@dataclass(frozen=True)
class Documents:
    """Per-document Parquet files: as a LazyFrame for polars' streaming aggregations (`lazy`), or
    batch by batch for a fold in Python (`batches`), which reads a batch when it is asked for one
    (a streaming query's batches, `collect_batches`, are read ahead of a slower consumer)."""

    paths: list[Path]
    schema: pl.Schema
    text_length: bool = False

    @classmethod
    def of(
        cls, paths: list[Path], columns: list[str] | None, empty: pl.Schema, text_length: bool = False
    ) -> Documents:
        """The rows of `paths` in `columns` (those that some file has; every column without
        `columns`), plus the length of the text as TEXT_LENGTH if `text_length`; in the schema
        `empty` without files."""
        return cls(paths, _schema(paths, columns, text_length) if paths else empty, text_length)

    def batches(
        self, columns: list[str], predicate: pl.Expr | None = None, n_rows: int | None = None
    ) -> Iterator[pl.DataFrame]:
        """`columns` of the rows (those matching `predicate`, the first `n_rows`), a batch at a time."""
        needed = set(columns) | set(predicate.meta.root_names() if predicate is not None else [])
        measure = self.text_length and TEXT_LENGTH in needed
        left = n_rows
        for path in self.paths:
            with pq.ParquetFile(path, buffer_size=READ_BUFFER, pre_buffer=False) as file:
                names = file.schema_arrow.names
                read = [c for c in names if c in needed and c in self.schema] + [TEXT] * measure
                read = read or names[:1]  # a file without the columns still has its rows
                for batch in file.iter_batches(_batch_rows(file, read), columns=read, use_threads=False):
                    frame = _frame(batch, self.schema, measure)
                    frame = frame if predicate is None else frame.filter(predicate)
                    frame = frame if left is None else frame.head(left)
                    yield frame.select(columns)
                    if left is not None and (left := left - frame.height) == 0:
                        return

    def lazy(self) -> pl.LazyFrame:
        """The rows as a LazyFrame that reads only the columns a query needs, in bounded batches."""

        def source(
            columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None, _batch_size: int | None
        ) -> Iterator[pl.DataFrame]:
            return self.batches(columns or list(self.schema), predicate, n_rows)

        return register_io_source(source, schema=self.schema, is_pure=True)
