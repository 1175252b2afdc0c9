"""Host, port, path and query of a URL, by RFC 3986's own grammar (appendix B), without the
standard library's parser, which raises on hostile URLs.

Parsing is total: any string gives an answer, never an exception, because crawl URLs are hostile
(`http://a.net]a.net/`, ports like `:99999`, control characters, lone surrogates). A URL without a
scheme (`example.com/path`, as Dolma's `metadata.url`) is read as host and path.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# RFC 3986, appendix B: every string matches, each part optional.
_URL = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?", re.S)
# `example.com:8080/x` is a host and port, not the scheme `example.com`.
_PORT_NOT_PATH = re.compile(r"\d*(?:[/?#]|$)")
_NOT_IN_HOST = re.compile(r"[\x00-\x20\x7f-\x9f\"<>\\^`{|}\ud800-\udfff]")
_HOST_RUN = re.compile(r"[^:\[\]]*")
_STRIPPED = str.maketrans("", "", "\t\n\r")  # browsers drop these anywhere in a URL
MAX_PORT = 65535


class UrlParts(NamedTuple):
    host: str | None  # lower case, no trailing dot; None when there is none or it is not a host name
    port: int | None  # None when absent or not a port number
    path: str
    query: str


def url_parts(url: str) -> UrlParts:
    """Host, port, path and query of `url`, also of a scheme-less `host/path`. Never raises."""
    url = url.strip().translate(_STRIPPED)
    scheme, authority, path, query = _URL.fullmatch(url).groups()
    schemeless = scheme is None or _PORT_NOT_PATH.match(url, len(scheme) + 1)
    if authority is None and schemeless and not url.startswith("/"):
        _, guess, guess_path, guess_query = _URL.fullmatch("//" + url).groups()
        host = _split_authority(guess)[0]
        if host and ("." in host or ":" in host or host == "localhost"):  # not a bare word
            authority, path, query = guess, guess_path, guess_query
    host, port = _split_authority(authority or "")
    return UrlParts(host, port, path, query or "")


def _split_authority(authority: str) -> tuple[str | None, int | None]:
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):  # an IPv6 literal; an unclosed bracket leaves no host
        host, bracket, rest = hostport[1:].partition("]")
        if not bracket:
            return None, None
    else:
        # Up to the port, or to a stray bracket (`a.net]a.net/`, a real Common Crawl target URI).
        host = _HOST_RUN.match(hostport).group()
        rest = hostport[len(host) :]
    host = host.lower().rstrip(".")
    if not host or _NOT_IN_HOST.search(host):
        return None, None
    digits = rest[1:] if rest.startswith(":") else ""
    port = int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 5 else None
    return host, port if port is None or port <= MAX_PORT else None


def host_of(url: str | None) -> str | None:
    """Lower-cased host name of `url`, or None when it has none."""
    return url_parts(url).host if isinstance(url, str) and url else None
