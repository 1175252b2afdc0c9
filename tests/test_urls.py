"""URL parsing is total (no string raises: a genuine 2010 Common Crawl ARC record has the target
URI `http://www.insuranceforpets.net]www.insuranceforpets.net/`), and scheme-less URLs (Dolma's
`metadata.url`) get the host a browser would give them."""

from __future__ import annotations

import gzip
import json
from urllib.parse import urlsplit

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.dedup.signatures import normalize_url
from curate.domains import registered_domain
from filters.url import UrlFilter, UrlThresholds
from filters.url_parts import host_of, url_parts
from tests.conftest import SHARED_DATA, run, shards

DOLMA = SHARED_DATA / "text" / "CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
PIECES = st.sampled_from(
    [
        "http://", "https://", "//", "www.", "example", ".com", ".co.uk", "[", "]", "[::1]", ":", ":80",
        ":99999", ":abc", "@", "user:pw@", "/", "?", "#", "&", "%", "%zz", "%41", "xn--bcher-kva", "bücher",
        " ", "\t", "\n", "\x00", "\x7f", "\ud800", "\udfff", "\u3000", "\\", "..", "İ", "ß", "localhost",
        "mailto:", "dns:", "a" * 70,
    ]
)  # fmt: skip
URLISH = st.lists(PIECES | st.text(max_size=3), max_size=12).map("".join)
ANY = st.text() | URLISH | st.text(st.characters(codec=None), max_size=20)


@pytest.fixture(scope="module")
def url_filter(tmp_path_factory) -> UrlFilter:
    blocked = tmp_path_factory.mktemp("url") / "domains.txt"
    blocked.write_text("example.com\n")
    return UrlFilter(UrlThresholds(blocked_domains_file=str(blocked)))


@settings(max_examples=300, deadline=None)
@given(ANY)
def test_every_string_gets_an_answer_never_an_exception(url_filter, url):
    host = host_of(url)
    assert host is None or (host and host == host.lower() and not host.endswith("."))
    assert registered_domain(url) is None or host is not None
    assert url_filter.reason(url) in (None, "blocked_domain", "blocked_url", "banned_url_word")
    assert isinstance(normalize_url(url), str)
    assert url_parts(url).port is None or 0 <= url_parts(url).port <= 65535


@pytest.mark.parametrize(
    "url, host",
    [
        ("http://www.insuranceforpets.net]www.insuranceforpets.net/", "www.insuranceforpets.net"),
        ("nz86.com/a/b?x=1", "nz86.com"),
        ("www.example.com", "www.example.com"),
        ("example.com:8080/x", "example.com"),
        ("localhost:80", "localhost"),
        ("//cdn.example.org/lib.js", "cdn.example.org"),
        ("http://user:pw@Example.COM.:21/", "example.com"),
        ("http://[::1]:8080/", "::1"),
        ("http://[::1/", None),  # an unclosed bracket
        ("http://a.com:99999/", "a.com"),
        ("mailto:someone@example.com", None),
        ("dns:www.example.com", None),
        ("/just/a/path", None),
        ("about", None),
        ("not a url", None),
        ("http://exa mple.com/", None),
        ("http://\ud800.com/", None),
    ],
)
def test_hosts(url, host):
    assert host_of(url) == host


def test_hosts_agree_with_urlsplit_where_it_parses():
    for url in ["https://www.cs.washington.edu/people", "http://foo.bar.co.uk:8080/x?y#z", "HTTP://A.B/"]:
        assert host_of(url) == urlsplit(url).hostname


def test_the_url_filter_and_dedup_key_read_scheme_less_and_broken_urls(url_filter):
    assert url_filter.reason("www.example.com/page") == "blocked_domain"
    assert url_filter.reason("http://www.example.com]x/") == "blocked_domain"
    assert url_filter.reason("http://[broken/") is None
    assert normalize_url("www.example.com/a/") == normalize_url("https://example.com/a") == "example.com/a"
    assert normalize_url("http://example.com:99999/x") == "example.com/x"


def test_every_dolma_document_gets_the_domain_of_its_warc_url(shared_data, tmp_path):
    with gzip.open(DOLMA, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    assert len(rows) == 697
    warc_urls = {row["id"]: row["metadata"]["warc_url"] for row in rows}
    out = tmp_path / "out"
    assert not run([DOLMA], out).failed
    docs = shards(out).select("id", "url", "domain")
    assert docs.height == sum(1 for row in rows if row["text"].strip())  # 27 have an empty text
    assert docs["domain"].null_count() == 0
    for doc_id, url, domain in docs.iter_rows():
        assert url == warc_urls[doc_id]  # the URL with a scheme is kept, not `metadata.url`
        host = urlsplit(url).hostname  # independent of curate's parsing
        assert domain == host.removeprefix("www.") or host.endswith("." + domain), (url, domain)
    # the scheme-less `metadata.url` alone gives the same domains
    assert pl.Series([registered_domain(r["metadata"]["url"]) for r in rows]).null_count() == 0
    assert all(
        registered_domain(r["metadata"]["url"]) == registered_domain(r["metadata"]["warc_url"]) for r in rows
    )
