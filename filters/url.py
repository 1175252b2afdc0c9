"""URL filter: blocked domains and URLs from files, and banned words in the URL itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from filters.ranges import allowing
from filters.url_parts import host_of

URL_WORD = re.compile(r"[a-z0-9]+")
DEFAULT_BANNED_WORDS = ("porn", "porno", "xxx", "hentai", "nsfw", "xvideos", "camgirl")


@dataclass(frozen=True)
class UrlThresholds:
    blocked_domains_file: str = ""  # one domain per line; its subdomains are blocked too
    blocked_urls_file: str = ""  # one URL per line, matched exactly
    # whole words of the lower-cased URL (split on non-alphanumerics): each must be one such word
    banned_words: tuple[str, ...] = field(
        default=DEFAULT_BANNED_WORDS,
        metadata=allowing(pattern=URL_WORD.pattern, what="lower-case ASCII letters and digits"),
    )


def _read_lines(path: str) -> set[str]:
    if not path:
        return set()
    return {
        line.strip().lower()
        for line in Path(path).read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }


class UrlFilter:
    """`reason(url)` -> None (keep) or blocked_domain / blocked_url / banned_url_word."""

    name = "url"

    def __init__(self, thresholds: UrlThresholds | None = None):
        self.thresholds = thresholds or UrlThresholds()
        self.blocked_domains = _read_lines(self.thresholds.blocked_domains_file)
        self.blocked_urls = _read_lines(self.thresholds.blocked_urls_file)
        self.banned_words = set(self.thresholds.banned_words)

    def reason(self, url: str | None) -> str | None:
        if not url:
            return None
        lowered = url.lower()
        parts = (host_of(url) or "").split(".")  # total: a hostile URL has no host, not an exception
        if any(".".join(parts[i:]) in self.blocked_domains for i in range(len(parts))):
            return "blocked_domain"
        if lowered in self.blocked_urls:
            return "blocked_url"
        if self.banned_words and not self.banned_words.isdisjoint(URL_WORD.findall(lowered)):
            return "banned_url_word"
        return None
