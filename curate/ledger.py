"""The ledger: every record read is booked exactly once as kept, removed, skipped or error.

Invariant, per task: read = kept + removed + skipped + errors (documents, not bytes).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curate.document import UNDETERMINED_LANG
from curate.shards import write_atomically

OUTCOMES = ("kept", "removed", "skipped", "error")

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
        if outcome not in OUTCOMES and outcome != "read":
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


def write_ledger_table(stats_dir: Path, name: str, table: pa.Table) -> Path:
    """`stats_dir/<name>.parquet`, written atomically."""
    stats_dir.mkdir(parents=True, exist_ok=True)
    return write_atomically(stats_dir / f"{name}.parquet", lambda tmp: pq.write_table(table, tmp))


def read_ledgers(stats_dir: str | Path) -> pl.DataFrame:
    """All task ledgers under `stats_dir` as one frame (empty frame when there are none)."""
    files = sorted(Path(stats_dir).glob("*.parquet"))
    if not files:
        return pl.DataFrame(schema=pl.Schema(pl.from_arrow(LEDGER_SCHEMA.empty_table()).schema))
    return pl.concat([pl.read_parquet(f) for f in files])
