"""Build the demo crawl: a gzipped WARC with requests, responses, non-HTML records and a cut-off
last record, from the pages in `curate.sample.pages`."""

from __future__ import annotations

import html
import io
import uuid
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from curate.sample.pages import DOCUMENT_PAGES, Page

CRAWL_DATE = "2024-05-20T12:00:00Z"
# Pages served in a legacy charset, declared only in a meta tag or only in the HTTP header.
META_ONLY_CHARSETS = {"ru": "windows-1251"}
HEADER_CHARSETS = {"zh": "gbk"}


def _record_id(url: str, kind: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, kind + ':' + url)}>"


def page_html(page: Page, charset: str) -> str:
    """A page with the boilerplate real sites carry around their content."""
    body = "\n".join(f"    <p>{html.escape(p)}</p>" for p in page.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{page.lang}">
<head>
  <meta charset="{charset}">
  <title>{html.escape(page.title)}</title>
  <script>window.dataLayer = window.dataLayer || []; function track() {{ return 1; }}</script>
</head>
<body>
  <header><nav><ul>
    <li><a href="/">Home</a></li><li><a href="/news">News</a></li>
    <li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>
  </ul></nav></header>
  <div class="cookie-banner">This website uses cookies to improve your experience.
    <button>Accept</button></div>
  <main><article>
    <h1>{html.escape(page.title)}</h1>
{body}
  </article></main>
  <aside><h3>Popular</h3><ul><li><a href="/a">Top 10 lists</a></li>
    <li><a href="/b">Archive</a></li></ul></aside>
  <footer>&copy; 2024 All rights reserved.
    <a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></footer>
</body>
</html>
"""


class DemoCrawlWriter:
    def __init__(self, fh: io.BufferedWriter):
        self.writer = WARCWriter(fh, gzip=True)

    def _write(self, url: str, kind: str, payload: bytes, http_headers: StatusAndHeaders | None) -> None:
        record = self.writer.create_warc_record(
            url,
            kind,
            payload=io.BytesIO(payload),
            length=len(payload),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Record-ID": _record_id(url, kind), "WARC-Date": CRAWL_DATE},
        )
        self.writer.write_record(record)

    def exchange(self, url: str, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        """A request record and its response record, as a crawler writes them."""
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        host = url.split("/")[2]
        request = StatusAndHeaders(
            f"GET {path} HTTP/1.1",
            [("Host", host), ("User-Agent", "curate-demo")],
            is_http_request=True,
        )
        self._write(url, "request", b"", request)
        response = StatusAndHeaders(
            status, headers + [("Content-Length", str(len(body)))], protocol="HTTP/1.1"
        )
        self._write(url, "response", body, response)


def write_demo_crawl(path: Path) -> Path:
    """Write the demo WARC to `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        crawl = DemoCrawlWriter(fh)
        crawl.writer.write_record(
            crawl.writer.create_warcinfo_record(
                path.name,
                {
                    "software": "curate demo",
                    "isPartOf": "curate-demo-crawl",
                    "format": "WARC File Format 1.1",
                },
            )
        )
        for page in DOCUMENT_PAGES:
            charset = META_ONLY_CHARSETS.get(page.lang) or HEADER_CHARSETS.get(page.lang) or "utf-8"
            content_type = "text/html" if page.lang in META_ONLY_CHARSETS else f"text/html; charset={charset}"
            crawl.exchange(
                page.url,
                "200 OK",
                [("Content-Type", content_type)],
                page_html(page, charset).encode(charset),
            )
        # Records that are not documents, each skipped with its own reason.
        crawl.exchange(
            "https://www.riverside-history.org/logo.png",
            "200 OK",
            [("Content-Type", "image/png")],
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        )
        crawl.exchange(
            "https://www.riverside-history.org/robots.txt",
            "200 OK",
            [("Content-Type", "text/plain")],
            b"User-agent: *\nDisallow: /private/\n",
        )
        crawl.exchange(
            "https://www.riverside-history.org/old-page",
            "404 Not Found",
            [("Content-Type", "text/html")],
            b"<html><body><h1>Not found</h1></body></html>",
        )
        crawl.exchange(
            "https://kitchen-notes.example.com/bread",
            "301 Moved Permanently",
            [("Location", "https://kitchen-notes.example.com/bread/basic-loaf")],
            b"",
        )
        # The last record is cut off half-way, as when a crawler dies mid-write.
        broken = io.BytesIO()
        DemoCrawlWriter(broken).exchange(
            "https://astro-club.example.net/observing/2024/winter-sky",
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8")],
            page_html(DOCUMENT_PAGES[2], "utf-8").encode(),
        )
        data = broken.getvalue()
        fh.write(data[: len(data) * 3 // 4])
    return path
