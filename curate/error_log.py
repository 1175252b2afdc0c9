"""The error log: per task, one row for every record booked as an error (a step that raised, an
extraction timeout, damage), with the record's id and URL and what went wrong. The ledger counts
errors by reason; this says which pages they were, for the report and `curate stats`.

Written as `OUT/stats/errors/<task>.parquet` beside the ledger.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curate.shards import write_atomically

ERRORS_DIR = "errors"  # under stats/
MAX_MESSAGE_CHARS = 500  # an exception's message can hold a whole document
MAX_ROWS = 100_000  # per task: beyond it only the ledger counts (memory stays bounded)
ERROR_SCHEMA = pa.schema(
    [
        ("task", pa.string()),
        ("input", pa.string()),
        ("stage", pa.string()),
        ("reason", pa.string()),  # as booked in the ledger, e.g. `url_failed`, `timeout`
        ("id", pa.string()),
        ("url", pa.string()),
        ("error_type", pa.string()),  # the exception's class, when a step raised
        ("message", pa.string()),
    ]
)


def _clean(value: object, limit: int | None = None) -> str | None:
    """A string that Arrow can store: lone surrogates replaced, cut to `limit` characters."""
    if value is None:
        return None
    text = str(value)[:limit] if limit else str(value)
    return text.encode("utf-8", "replace").decode("utf-8")


class ErrorLog:
    """Collects one task's error rows; `write` stores them (nothing when there are none)."""

    def __init__(self, task: str, location: str):
        self.task = task
        self.location = location
        self.rows: list[dict[str, str | None]] = []

    def add(
        self,
        stage: str,
        reason: str,
        record_id: str | None,
        url: str | None,
        error: BaseException | None = None,
    ) -> None:
        if len(self.rows) >= MAX_ROWS:
            return
        self.rows.append(
            {
                "task": self.task,
                "input": _clean(self.location),
                "stage": stage,
                "reason": reason,
                "id": _clean(record_id),
                "url": _clean(url, MAX_MESSAGE_CHARS),
                "error_type": type(error).__name__ if error else None,
                "message": _clean(error, MAX_MESSAGE_CHARS) if error else None,
            }
        )

    def write(self, stats_dir: Path) -> Path | None:
        path = error_log_path(stats_dir, self.task)
        if not self.rows:
            path.unlink(missing_ok=True)
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(self.rows, schema=ERROR_SCHEMA)
        return write_atomically(path, lambda tmp: pq.write_table(table, tmp))


def error_log_path(stats_dir: Path, task: str) -> Path:
    return stats_dir / ERRORS_DIR / f"{task}.parquet"


def read_error_logs(stats_dir: str | Path) -> pl.DataFrame:
    """Every task's error rows (an empty frame with the columns when there are none)."""
    files = sorted((Path(stats_dir) / ERRORS_DIR).glob("*.parquet"))
    if not files:
        return pl.from_arrow(ERROR_SCHEMA.empty_table())
    return pl.concat([pl.read_parquet(f) for f in files])
