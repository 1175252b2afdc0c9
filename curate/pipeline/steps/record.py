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
        if record.html is None:
            return None
        if self.known:
            text = self.known.take(record.html, record.http_charset)
            if text is not None:
                record.text = text
                return None
        text, reason = self.extractor.run(record.html, record.http_charset)
        if reason:
            return Removal(self.name, reason, "skipped" if reason in SKIPPED_BY_EXTRACTION else "error")
        record.text = text
        return None

    def close(self) -> None:
        self.extractor.close()
