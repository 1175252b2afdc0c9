"""Extraction stage: HTML records -> text, bounded in size and time per document."""

from __future__ import annotations

from curate.config import ExtractConfig
from curate.extract.extractors import make_extractor
from curate.extract.sandbox import FAILED, TIMEOUT, ExtractorSandbox, Page, Reply

TOO_LARGE = "too_large"
__all__ = ["EMPTY_TEXT", "TIMEOUT", "TOO_LARGE", "Extractor"]
EMPTY_TEXT = "empty_text"


class Extractor:
    """`run(html, charset)` -> (text, None) or (None, reason). Reasons: too_large, empty_text,
    timeout, extractor_crashed, extract_failed."""

    def __init__(self, config: ExtractConfig):
        self.config = config
        if config.timeout_s > 0:
            self._sandbox: ExtractorSandbox | None = ExtractorSandbox(
                config.extractor, config.main_content, config.timeout_s
            )
        else:
            self._sandbox = None
            self._extract = make_extractor(config.extractor, config.main_content)

    def run(self, html: bytes, charset: str | None) -> Reply:
        return self.run_many([(html, charset)])[0]

    def run_many(self, pages: list[Page]) -> list[Reply]:
        """`run` for each page, in order; with the sandbox, the pages it extracts go in one round
        trip (the parent and the child then take turns on a core once per batch, not per page)."""
        replies: list[Reply | None] = [
            (None, TOO_LARGE) if len(html) > self.config.max_html_bytes else None for html, _ in pages
        ]
        todo = [index for index, reply in enumerate(replies) if reply is None]
        for index, (text, error) in zip(todo, self._extract_many([pages[i] for i in todo])):
            if not error and (not text or not text.strip()):
                error = EMPTY_TEXT
            replies[index] = (None, error) if error else (text, None)
        return replies  # type: ignore[return-value] - every None was replaced

    def _extract_many(self, pages: list[Page]) -> list[Reply]:
        if not pages:
            return []
        if self._sandbox is not None:
            return self._sandbox.extract_many(pages)
        replies: list[Reply] = []
        for html, charset in pages:
            try:
                replies.append((self._extract(html, charset), None))
            except Exception:
                replies.append((None, FAILED))
        return replies

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
