"""Decode HTML bytes: charset from the HTTP header, else the meta tag, else detection."""

from __future__ import annotations

import codecs
import re

from resiliparse.parse.encoding import bytes_to_str, detect_encoding

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
META_SCAN_BYTES = 4096  # browsers look for the meta tag in the first 1024 bytes; be lenient
FALLBACK_ENCODINGS = ("utf-8", "cp1252")


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def meta_charset(html: bytes) -> str | None:
    match = META_CHARSET.search(html[:META_SCAN_BYTES])
    return match.group(1).decode("ascii", "ignore") if match else None


def choose_charset(html: bytes, http_charset: str | None) -> str:
    return (
        _known(http_charset)
        or _known(meta_charset(html))
        or _known(detect_encoding(html[: 1 << 16]))
        or "utf-8"
    )


def decode_html(html: bytes, http_charset: str | None = None) -> str:
    """Text of `html`; a wrong label falls back to UTF-8 then CP1252 rather than producing mojibake."""
    return bytes_to_str(html, choose_charset(html, http_charset), fallback_encodings=FALLBACK_ENCODINGS)
