"""The URL filter: blocked domains and URLs, banned words in the URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from filters import UrlFilter, UrlThresholds


@pytest.fixture
def url_filter(tmp_path: Path) -> UrlFilter:
    domains = tmp_path / "domains.txt"
    domains.write_text("# blocked domains\nexample.com\nBAD.ORG\n\n")
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.net/bad/page\n")
    return UrlFilter(UrlThresholds(blocked_domains_file=str(domains), blocked_urls_file=str(urls)))


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.com/", "blocked_domain"),
        ("http://example.com:8080/a?b=c", "blocked_domain"),
        ("https://EXAMPLE.COM/Page", "blocked_domain"),
        ("https://example.com./", "blocked_domain"),
        ("https://www.example.com/", "blocked_domain"),
        ("https://a.b.example.com/x", "blocked_domain"),
        ("https://www.bad.org/", "blocked_domain"),
        ("https://notexample.com/", None),
        ("https://example.com.evil.net/", None),
        ("https://example.co/", None),
        ("https://evil.net/example.com", None),
        ("https://blocked.org/", None),
    ],
)
def test_url_blocked_domain(url_filter, url, expected):
    assert url_filter.reason(url) == expected


def test_url_comment_line_is_not_a_domain(url_filter):
    assert "# blocked domains" not in url_filter.blocked_domains
    assert url_filter.blocked_domains == {"example.com", "bad.org"}


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.net/bad/page", "blocked_url"),
        ("https://example.net/bad/page2", None),
        ("https://example.net/bad/page?x=1", None),
        ("https://example.net/bad", None),
        ("http://example.net/bad/page", None),
    ],
)
def test_url_blocked_url_exact_match(url_filter, url, expected):
    assert url_filter.reason(url) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/free-porn-videos", "banned_url_word"),
        ("https://xxx.example.org/", "banned_url_word"),
        ("https://example.org/?q=NSFW", "banned_url_word"),
        ("https://example.org/pornography-studies", None),  # a longer word holding "porn"
        ("https://example.org/xxxl-shirts", None),
        ("https://example.org/safe/page", None),
    ],
)
def test_url_default_banned_words(url, expected):
    assert UrlFilter().reason(url) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.org/sex/", "banned_url_word"),
        ("https://example.org/a_sex_b", "banned_url_word"),  # any non-alphanumeric separates words
        ("https://www.sussex.ac.uk/", None),
        ("https://example.org/middlesex", None),
        ("https://sex.example.org/", "banned_url_word"),
    ],
)
def test_url_custom_banned_words_are_whole_words(url, expected):
    assert UrlFilter(UrlThresholds(banned_words=("sex",))).reason(url) == expected


def test_url_no_url_is_kept():
    assert UrlFilter().reason(None) is None
    assert UrlFilter().reason("") is None
    assert UrlFilter(UrlThresholds(banned_words=())).reason("https://example.org/porn") is None


def test_url_without_scheme_is_still_matched_by_domain(tmp_path):
    blocked = tmp_path / "domains.txt"
    blocked.write_text("example.com\n")
    url_filter = UrlFilter(UrlThresholds(blocked_domains_file=str(blocked), banned_words=()))
    assert url_filter.reason("www.example.com/page") == "blocked_domain"
    assert url_filter.reason("example.com/page") == "blocked_domain"
    assert url_filter.reason("notexample.com/page") is None
