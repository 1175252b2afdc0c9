"""A task's books: the ledger, where every record read is booked exactly once as kept, removed,
skipped or error, and the error log, which says which records the errors were.

Invariant, per task: read = kept + removed + skipped + errors (documents, not bytes). The error log
holds one row for every record booked as an error (a step that raised, an extraction timeout,
damage) with the record's id and URL and what went wrong, for the report and `curate stats`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curate.atomic import write_atomically
from curate.document import UNDETERMINED_LANG
from curate.layout import OutputLayout

OUTCOMES = ("kept", "removed", "skipped", "error")
# Not an outcome: kept documents whose text a step rewrote (Unicode repair, PII masking), booked
# beside their `kept` row; outside the invariant, as `read` is.
REWRITTEN = "rewritten"

LEDGER_SCHEMA = pa.schema(
    [
        ("task", pa.string()),
        ("input", pa.string()),
        ("stage", pa.string()),
        ("outcome", pa.string()),  # read, or one of OUTCOMES
        ("reason", pa.string()),
        ("lang", pa.string()),
        ("docs", pa.int64()),
        ("bytes", pa.int64()),
        ("chars", pa.int64()),  # text statistics, for documents that have text (after extraction)
        ("words", pa.int64()),  # whitespace-separated, as `wc -w`
    ]
)


class LedgerInvariantError(AssertionError):
    """Some record was neither kept nor booked as removed, skipped or error (or booked twice)."""


@dataclass
class Ledger:
    task: str
    input: str
    counts: dict[tuple[str, str, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0])
    )

    def book(
        self,
        stage: str,
        outcome: str,
        reason: str,
        nbytes: int = 0,
        lang: str = UNDETERMINED_LANG,
        docs: int = 1,
        chars: int = 0,
        words: int = 0,
    ) -> None:
        if outcome not in OUTCOMES and outcome not in ("read", REWRITTEN):
            raise ValueError(f"unknown outcome {outcome!r}")
        row = self.counts[(stage, outcome, reason, lang)]
        row[0] += docs
        row[1] += nbytes
        row[2] += chars
        row[3] += words

    def read(self, nbytes: int) -> None:
        self.book("read", "read", "record", nbytes)

    def total(self, outcome: str) -> int:
        return sum(v[0] for k, v in self.counts.items() if k[1] == outcome)

    def check_invariant(self) -> None:
        read = self.total("read")
        booked = sum(self.total(o) for o in OUTCOMES)
        if read != booked:
            raise LedgerInvariantError(
                f"{self.input}: read {read} records but booked {booked} "
                f"({', '.join(f'{o}={self.total(o)}' for o in OUTCOMES)})"
            )

    def to_table(self) -> pa.Table:
        rows = [
            {
                "task": self.task,
                "input": self.input,
                "stage": stage,
                "outcome": outcome,
                "reason": reason,
                "lang": lang,
                "docs": docs,
                "bytes": nbytes,
                "chars": chars,
                "words": words,
            }
            for (stage, outcome, reason, lang), (docs, nbytes, chars, words) in sorted(self.counts.items())
        ]
        return pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA)


def write_ledger_table(path: Path, table: pa.Table) -> Path:
    """A ledger table (a task's, or dedup's) to `path`, written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, lambda tmp: pq.write_table(table, tmp))


def read_ledgers(layout: OutputLayout) -> pl.DataFrame:
    """All ledgers of the run as one frame (empty frame when there are none)."""
    files = layout.ledgers()
    if not files:
        return pl.DataFrame(schema=pl.Schema(pl.from_arrow(LEDGER_SCHEMA.empty_table()).schema))
    return pl.concat([pl.read_parquet(f) for f in files])


def task_totals(ledger: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Documents per outcome (read, then OUTCOMES) of each task in `ledger`, dedup's rows included."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("read", *OUTCOMES), 0))
    for task, outcome, docs in ledger.group_by("task", "outcome").agg(pl.col("docs").sum()).iter_rows():
        if outcome != REWRITTEN:
            totals[task][outcome] = docs
    return totals


# The error log.
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

    def write(self, path: Path) -> Path | None:
        """The rows to `path` (layout.error_log(task)); none: no file."""
        if not self.rows:
            path.unlink(missing_ok=True)
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(self.rows, schema=ERROR_SCHEMA)
        return write_atomically(path, lambda tmp: pq.write_table(table, tmp))


def read_error_logs(layout: OutputLayout) -> pl.DataFrame:
    """Every task's error rows (an empty frame with the columns when there are none)."""
    files = layout.error_logs()
    if not files:
        return pl.from_arrow(ERROR_SCHEMA.empty_table())
    return pl.concat([pl.read_parquet(f) for f in files])
