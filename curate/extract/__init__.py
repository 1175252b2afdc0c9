"""Extraction stage: HTML records -> text, bounded in size and time per document."""

from __future__ import annotations

from curate.config import ExtractConfig
from curate.extract.extractors import make_extractor
from curate.extract.sandbox import FAILED, TIMEOUT, ExtractorSandbox

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

    def run(self, html: bytes, charset: str | None) -> tuple[str | None, str | None]:
        if len(html) > self.config.max_html_bytes:
            return None, TOO_LARGE
        if self._sandbox is not None:
            text, error = self._sandbox.extract(html, charset)
        else:
            try:
                text, error = self._extract(html, charset), None
            except Exception:
                text, error = None, FAILED
        if error:
            return None, error
        if not text or not text.strip():
            return None, EMPTY_TEXT
        return text, None

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
