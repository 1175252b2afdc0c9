"""HTML -> plain text. Resiliparse by default; trafilatura with the `trafilatura` extra."""

from __future__ import annotations

from collections.abc import Callable

from curate.errors import UsageError
from curate.extract.charset import decode_html

HtmlToText = Callable[[bytes, "str | None"], str]


def resiliparse_extractor(main_content: bool) -> HtmlToText:
    from resiliparse.extract.html2text import extract_plain_text

    def extract(html: bytes, http_charset: str | None) -> str:
        return extract_plain_text(decode_html(html, http_charset), main_content=main_content, alt_texts=False)

    return extract


def trafilatura_extractor(main_content: bool) -> HtmlToText:
    try:
        import trafilatura
    except ImportError:
        raise UsageError(
            "extract.extractor = trafilatura needs the extra: pip install 'curate[trafilatura]'"
        ) from None

    def extract(html: bytes, http_charset: str | None) -> str:
        # The settings FineWeb used (datatrove's Trafilatura step).
        text = trafilatura.extract(
            decode_html(html, http_charset),
            favor_precision=main_content,
            include_comments=False,
            deduplicate=True,
        )
        return text or ""

    return extract


EXTRACTOR_FACTORIES: dict[str, Callable[[bool], HtmlToText]] = {
    "resiliparse": resiliparse_extractor,
    "trafilatura": trafilatura_extractor,
}


def make_extractor(name: str, main_content: bool = True) -> HtmlToText:
    if name not in EXTRACTOR_FACTORIES:
        raise UsageError(f"unknown extractor {name!r} (allowed: {', '.join(EXTRACTOR_FACTORIES)})")
    return EXTRACTOR_FACTORIES[name](main_content)
