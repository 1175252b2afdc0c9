"""The record steps: the URL filter, on the URL alone before extraction (so that a blocked page
costs no extraction time), and extraction, which gives an HTML record its text."""

from __future__ import annotations

from curate.config import ExtractConfig, FiltersConfig
from curate.document import Record
from curate.errors import UsageError
from curate.extract import EMPTY_TEXT, TOO_LARGE, Extractor
from curate.pipeline.sample_handover import KnownTexts
from curate.pipeline.steps import Removal
from filters import UrlFilter

SKIPPED_BY_EXTRACTION = (TOO_LARGE, EMPTY_TEXT)  # not documents; the other reasons are errors
# Records that wait for extraction together: one round trip to the extraction process per group
# (measured: scripts/bench.py --extract), holding at most about EXTRACT_BYTES of HTML.
EXTRACT_RECORDS, EXTRACT_BYTES = 32, 4 * 2**20


def group_is_full(records: int, html_bytes: int, most: int | None = None) -> bool:
    """Whether records waiting for extraction make a group: EXTRACT_RECORDS of them (or `most`,
    if fewer), or EXTRACT_BYTES of HTML. The tasks and the topic sample group by it alike."""
    limit = EXTRACT_RECORDS if most is None else min(most, EXTRACT_RECORDS)
    return records >= limit or html_bytes >= EXTRACT_BYTES


class UrlStep:
    name = "url"

    def __init__(self, config: FiltersConfig):
        try:
            self.filter = UrlFilter(config.url)
        except OSError as exc:
            raise UsageError(f"filters.url: {exc}") from None

    def apply(self, record: Record) -> Removal | None:
        reason = self.filter.reason(record.url)
        return Removal(self.name, reason) if reason else None


class ExtractStep:
    name = "extract"

    def __init__(self, config: ExtractConfig):
        self.extractor = Extractor(config)
        # Texts this configuration extracted already from pages of the current input (the topic
        # sample's: sample_handover); the task sets them.
        self.known = KnownTexts()

    def apply(self, record: Record) -> Removal | None:
        """The record's text from its HTML (a record that has text already passes as it is)."""
        return self.apply_many([record])[0]

    def apply_many(self, records: list[Record]) -> list[Removal | None]:
        """`apply` for each record, the pages that need extracting in one call of the extractor."""
        todo = [record for record in records if record.html is not None and not self._known(record)]
        replies = self.extractor.run_many([(record.html, record.http_charset) for record in todo])
        removals: dict[int, Removal] = {}
        for record, (text, reason) in zip(todo, replies):
            if reason:
                outcome = "skipped" if reason in SKIPPED_BY_EXTRACTION else "error"
                removals[id(record)] = Removal(self.name, reason, outcome)
            else:
                record.text = text
        return [removals.get(id(record)) for record in records]

    def _known(self, record: Record) -> bool:
        """Whether the record got its text from the pages extracted already (setting it)."""
        text = self.known.take(record.html, record.http_charset) if self.known else None
        if text is not None:
            record.text = text
        return text is not None

    def close(self) -> None:
        self.extractor.close()
