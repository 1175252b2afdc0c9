"""The one place where a document that leaves a task is booked: a step's Removal goes to the
task's ledger, and an error also to its error log with the record's id, URL and exception."""

from __future__ import annotations

from curate.document import UNDETERMINED_LANG
from curate.ledger import ErrorLog, Ledger
from curate.pipeline.steps import Removal


class TaskBooks:
    """One task's ledger and error log, booked together: every error has its row with the
    record's id and URL."""

    def __init__(self, task: str, location: str):
        self.ledger = Ledger(task, location)
        self.errors = ErrorLog(task, location)

    def book(
        self,
        removal: Removal,
        nbytes: int,
        record_id: str | None,
        url: str | None,
        lang: str = UNDETERMINED_LANG,
        sizes: tuple[int, int, int] | None = None,
    ) -> None:
        """Book a document that leaves at `removal.step`; `sizes` (chars, words, bytes) when it has text."""
        chars, words = sizes[:2] if sizes else (0, 0)
        self.ledger.book(
            removal.step, removal.outcome, removal.reason, nbytes, lang, chars=chars, words=words
        )
        if removal.outcome == "error":
            self.errors.add(removal.step, removal.reason, record_id, url, removal.error)
