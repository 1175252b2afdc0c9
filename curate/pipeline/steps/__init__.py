"""The steps of a task and the one way each says what happens to a document.

Record steps run on each record before it has text, in order: the URL filter (so that a blocked page
costs no extraction) and extraction (which gives the record its text). Batch steps then run on
BATCH_DOCS documents at a time as columns: Unicode repair, topics, language ID, then the filters.
Each returns, per document, a `Removal` or None to keep it; the task books every Removal in one
place (`TaskBooks.book`), so a step never touches the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from curate.document import Record


@dataclass(frozen=True)
class Removal:
    """A document leaves the task at `step`: removed by a rule, skipped (not a document: too large,
    empty) or an error (`error`: the exception, when the step raised on it)."""

    step: str
    reason: str
    outcome: str = "removed"
    error: BaseException | None = None


def failed(step: str, error: BaseException) -> Removal:
    """The document that `step` raised on: an error `<step>_failed`."""
    return Removal(step, f"{step}_failed", "error", error)


class RecordStep(Protocol):
    """Runs on one record: a Removal, or None (it may have set the record's text)."""

    name: str

    def apply(self, record: Record) -> Removal | None: ...


class BatchStep(Protocol):
    """Runs on a batch of documents as columns, filling its own columns in place."""

    name: str

    def apply(self, columns: dict[str, list]) -> list[Removal | None]: ...
