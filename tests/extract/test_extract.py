"""HTML -> text: charsets, boilerplate removal, and the per-document size and time bounds."""

from __future__ import annotations

import time

import polars as pl
import pytest

from curate.config import ExtractConfig
from curate.extract import EMPTY_TEXT, TOO_LARGE, Extractor
from curate.extract.charset import choose_charset, decode_html
from curate.sample.crawl import DemoCrawlWriter
from tests.conftest import RUSSIAN, ledger, reading_config, run, shards


def test_charset_order_header_then_meta_then_detection():
    page = f"<html><head><meta charset='windows-1251'></head><body><p>{RUSSIAN}</p></body></html>"
    data = page.encode("windows-1251")
    assert choose_charset(data, "koi8-r") == "koi8-r"  # the header wins
    assert choose_charset(data, None) == "cp1251"  # then the meta tag
    unlabelled = f"<html><body><p>{RUSSIAN * 5}</p></body></html>".encode("windows-1251")
    assert RUSSIAN in decode_html(unlabelled, None)  # then detection


def test_mislabelled_utf8_falls_back_instead_of_mojibake():
    data = f"<p>{RUSSIAN}</p>".encode()
    assert RUSSIAN in decode_html(data, "ascii")


def test_unknown_charset_label_is_ignored():
    assert RUSSIAN in decode_html(f"<p>{RUSSIAN}</p>".encode(), "x-no-such-charset")


def _page(body: str) -> bytes:
    nav = "<nav><a href='/'>Home</a> <a href='/x'>Login</a></nav>"
    return f"<html><body>{nav}<main><p>{body}</p></main></body></html>".encode()


@pytest.mark.parametrize("timeout_s", [0.0, 5.0], ids=["in-process", "sandbox"])
def test_extractor_keeps_content_and_books_empty_and_too_large(timeout_s):
    extractor = Extractor(ExtractConfig(timeout_s=timeout_s, max_html_bytes=10_000))
    try:
        text, reason = extractor.run(_page("A paragraph of real content about rivers and mills."), "utf-8")
        assert reason is None and "rivers and mills" in text
        assert extractor.run(b"<html><body><script>var x = 1;</script></body></html>", None) == (
            None,
            EMPTY_TEXT,
        )
        assert extractor.run(_page("x" * 20_000), None) == (None, TOO_LARGE)
    finally:
        extractor.close()


def test_pathological_page_is_cut_off_by_the_time_bound():
    # Resiliparse's main-content pass is quadratic in nesting depth: about 20 s unbounded.
    nested = ("<div>" * 20_000 + "deep" + "</div>" * 20_000).encode()
    extractor = Extractor(ExtractConfig(timeout_s=0.5))
    try:
        started = time.monotonic()
        assert extractor.run(nested, "utf-8") == (None, "timeout")
        assert time.monotonic() - started < 5
        # The sandbox is replaced and goes on working.
        text, reason = extractor.run(_page("Still working after the timeout."), "utf-8")
        assert reason is None and "Still working" in text
    finally:
        extractor.close()


def test_timeout_is_booked_in_the_ledger_and_the_run_goes_on(tmp_path):
    crawl = tmp_path / "crawl.warc.gz"
    with open(crawl, "wb") as fh:
        writer = DemoCrawlWriter(fh)
        html = [("text/html", _page(f"Page number {i} with some ordinary words in it.")) for i in range(3)]
        html.insert(1, ("text/html", ("<div>" * 20_000 + "deep" + "</div>" * 20_000).encode()))
        for i, (content_type, body) in enumerate(html):
            writer.exchange(f"https://site{i}.example.org/", "200 OK", [("Content-Type", content_type)], body)
    config = reading_config()
    config.extract.timeout_s = 0.5
    result = run([crawl], tmp_path / "out", config)
    assert result.tasks[0].totals == {"read": 8, "kept": 3, "removed": 0, "skipped": 4, "error": 1}
    errors = ledger(tmp_path / "out").filter(pl.col("outcome") == "error")
    assert errors.select("stage", "reason").rows() == [("extract", "timeout")]
    assert shards(tmp_path / "out")["text"].str.contains("Page number").all()
