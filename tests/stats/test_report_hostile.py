"""The report over degenerate and hostile runs: no records, only errors, every document removed, one
language, hundreds of languages, language codes that are not codes, crawl strings holding markup,
quotes, newlines, RTL marks and 10,000 characters, nulls, huge counts. render() never raises, its
page parses, crawl strings are only ever text, every Wilson interval lies in [0, 1] around its rate
and the audit tables lead with their flagged rows. The Wilson interval's properties, here too."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.cli import main
from curate.layout import OutputLayout
from curate.ledger import ErrorLog, Ledger, write_ledger_table
from curate.statistics import Stats, compute_stats
from curate.statistics.report import render
from curate.statistics.wilson import wilson_interval
from tests.conftest import WARC_DIR

HOSTILE = [
    "<b>",
    "",
    "x" * 10_000,
    "und",
    "zz-Latn",
    "\u202eevil\u202c",
    "a\"b'c\n<script>window.pwned=1</script>",
    "\u65e5\u672c\u8a9e",
    "</td></tr></table><img src=x onerror=alert(1)>",
    "&amp;&lt;",
    "<!--",
    "]]>",
]
# The page's own markup: a crawl string must never add a tag to it.
TAGS = {"html", "head", "meta", "title", "style", "script", "body", "div", "nav", "ol", "li", "a", "main"}
TAGS |= {"h1", "h2", "h3", "p", "details", "summary", "b", "span", "img", "table", "thead", "tbody"}
TAGS |= {"tr", "th", "td", "code"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def checked(page: str) -> Page:
    parsed = Page()
    parsed.feed(page)
    parsed.close()
    assert set(parsed.tags) <= TAGS, set(parsed.tags) - TAGS
    assert parsed.tags.count("script") == 1  # the page's own
    assert "window.pwned" not in page.replace(html.escape("window.pwned"), "")
    return parsed


def audit_row_classes(page: str, heading: str) -> list[list[str]]:
    section = page.split(f"<h3>{heading}</h3>", 1)[1].split("</table>", 1)[0]
    if "<tbody>" not in section:
        return []
    rows = re.findall(r"<tr(?: class=\"([^\"]*)\")?>", section.split("<tbody>", 1)[1])
    return [row.split() for row in rows]


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> dict:
    """The run record of a real run with every stage, to stand beside crafted ledgers."""
    out = tmp_path_factory.mktemp("hostile") / "out"
    assert main(["run", str(WARC_DIR / "cc.warc.gz"), "-o", str(out), "--no-progress"]) in (0, 1)
    return json.loads(OutputLayout(out).run_record.read_text())


def crafted(out: Path, record: dict, books: dict[str, tuple[int, int]], errors: int = 0, others: int = 0):
    """A run of ledgers only: per language (kept, removed by each stage); `errors` records that
    timed out (URLs with markup), `others` records that are not documents."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    OutputLayout(out).run_record.write_text(json.dumps(record))
    stages = record["config"]["filters"].get("order", [])
    task, location = "t.warc.gz-00000000", "t.warc.gz"
    ledger, log = Ledger(task, location), ErrorLog(task, location)
    for lang, (kept, removed) in books.items():
        ledger.book("write", "kept", "kept", 10 * kept, lang=lang, docs=kept, chars=5 * kept, words=kept)
        for stage in ["langid", *stages, "dedup"]:
            ledger.book(stage, "removed", f"{stage}_x", 10 * removed, lang=lang, docs=removed)
        for _ in range(kept + removed * (len(stages) + 2)):
            ledger.read(10)
    for i in range(errors):
        ledger.read(10)
        ledger.book("extract", "error", "timeout", 10)
        log.add("extract", "timeout", f"id-{i}", HOSTILE[i % len(HOSTILE)], TimeoutError(HOSTILE[-i]))
    for _ in range(others):
        ledger.read(10)
        ledger.book("read", "skipped", "request", 10)
    write_ledger_table(OutputLayout(out).ledger(task), ledger.to_table())
    if errors:
        log.write(OutputLayout(out).error_log(task))
    return compute_stats(out)


def check_audit(stats: Stats, page: str) -> None:
    for name in ("audit_languages", "audit_domains"):
        table = stats.tables[name].filter(pl.col("entering") > 0)
        assert (table["ci_low"] >= 0).all() and (table["ci_high"] <= 1).all()
        assert (table["ci_low"] <= table["rate"] + 1e-12).all()
        assert (table["rate"] <= table["ci_high"] + 1e-12).all()
    for heading in ("By language", "Domains each stage hits hardest"):
        flagged = ["flagged" in classes for classes in audit_row_classes(page, heading)]
        assert flagged == sorted(flagged, reverse=True)


@pytest.mark.parametrize(
    "books, errors, others",
    [
        ({}, 0, 0),  # no record at all
        ({}, 5, 0),  # only errors
        ({}, 0, 5),  # only records that are not documents
        ({"en": (0, 4), "fr": (0, 2)}, 0, 0),  # every document removed
        ({"fr": (3, 0)}, 0, 0),  # one language, nothing removed
        ({lang or "empty": (2, 1) for lang in HOSTILE}, 12, 3),  # codes that are not codes
        ({f"l{i:03d}": (i % 7, i % 5) for i in range(300)}, 0, 0),  # hundreds of languages
    ],
)
def test_degenerate_runs_render(tmp_path, record, books, errors, others):
    stats = crafted(tmp_path / "out", record, books, errors, others)
    page = render(stats)
    checked(page)
    check_audit(stats, page)
    for lang in books:
        assert html.escape(lang) in page
    if errors:
        assert html.escape(HOSTILE[-1]) in page


def test_hostile_codes_are_only_text(tmp_path, record):
    stats = crafted(tmp_path / "out", record, {s: (3, 3) for s in HOSTILE if s}, errors=3)
    page = render(stats)
    checked(page)
    assert "<b></td>" not in page and "<script>window" not in page and "<img src=x" not in page


crawl_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


def with_texts(frame: pl.DataFrame, column: str, texts: list[str | None], placed: set) -> pl.DataFrame:
    if column not in frame.columns or not frame.height:
        return frame
    values = [texts[i % len(texts)] for i in range(frame.height)]
    placed.update(values)
    return frame.with_columns(pl.Series(column, values, dtype=pl.String))


@pytest.fixture(scope="module")
def base(tmp_path_factory, record) -> Stats:
    books = {"en": (20, 2), "fr": (5, 5), "ru": (0, 4), "und": (1, 1)}
    return crafted(tmp_path_factory.mktemp("base") / "out", record, books, errors=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(st.none(), crawl_text), min_size=1, max_size=6), huge=st.booleans())
def test_crawl_strings_in_every_text_column_stay_text(base, texts, huge):
    tables, placed = dict(base.tables), set()
    for name in ("domains", "audit_domains", "examples", "error_examples"):
        for column in ("domain", "url", "excerpt", "message", "input", "reason", "error_type"):
            tables[name] = with_texts(tables[name], column, texts, placed)
    summary = dict(base.summary)
    if huge:
        for key in ("read_records", "kept_docs", "kept_chars", "kept_words", "kept_bytes", "tokens"):
            summary[key] = 2**62
        tables["audit_languages"] = tables["audit_languages"].with_columns(
            pl.lit(2**62).alias("entering"), pl.lit(2**62).alias("removed")
        )
    page = render(Stats(base.out_dir, tables, summary))
    checked(page)
    assert placed  # the errors' examples at least
    for text in placed:
        if text:
            assert html.escape(text) in page


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 2**62), data=st.data(), unsigned=st.booleans())
def test_wilson_interval_holds_the_rate(n, data, unsigned):
    k = data.draw(st.integers(0, n if not unsigned else min(n, 2**32 - 1)))
    n = n if not unsigned else min(n, 2**32 - 1)
    dtype = pl.UInt32 if unsigned else pl.Int64
    low, high = wilson_interval("k", "n")
    frame = pl.DataFrame({"k": [k], "n": [n]}, schema={"k": dtype, "n": dtype})
    lo, hi = frame.select(low.alias("lo"), high.alias("hi")).row(0)
    assert 0 <= lo <= k / n <= hi <= 1


def test_wilson_interval_is_null_over_nothing_and_narrows_with_n():
    low, high = wilson_interval("k", "n")
    frame = pl.DataFrame({"k": [0, None, 1, 0], "n": [0, 3, None, 0]}, schema={"k": pl.Int64, "n": pl.Int64})
    nulls = frame.select(low.is_null().all().alias("lo"), high.is_null().all().alias("hi"))
    assert nulls.row(0) == (True, True)
    for rate in (0.0, 0.1, 0.5, 0.99, 1.0):
        sizes = [10 * 2**i for i in range(40)]
        frame = pl.DataFrame({"k": [round(rate * n) for n in sizes], "n": sizes})
        widths = frame.select((high - low).alias("w"))["w"].to_list()
        assert all(a >= b for a, b in zip(widths, widths[1:]))
