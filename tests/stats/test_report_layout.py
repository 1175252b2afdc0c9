"""The report in a real headless Chromium (Debian's, through Playwright): at a wide and a narrow
window nothing is wider than its box except inside the boxes that scroll, every image loads,
the audit leads with its flagged rows, the errors are there, a click on a header sorts, and
crawl-controlled text (URLs, domains) is shown as text, never run as markup."""

from __future__ import annotations

import base64
import json

import polars as pl
import pytest

from curate.cli import main
from curate.layout import OutputLayout
from curate.ledger import ErrorLog, Ledger, write_ledger_table
from curate.statistics import charts, compute_stats
from curate.statistics.report import render, write_report
from curate.statistics.screenshot import CHROMIUM, launch_chromium
from langid.labels import language_name
from tests.conftest import WARC_DIR
from tests.stats.test_report_hostile import crafted

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is installed by .ci/run")

WIDTHS = [1400, 800]
HOSTILE_URL = "https://evil.example/\"'><script>window.pwned = 1</script>/" + "a" * 300
HOSTILE_DOMAIN = "<script>window.pwned = 2</script>\"quoted'." + "long-label-" * 30 + "example"
# Every visible element whose box pokes out of its parent's, outside the boxes that scroll sideways.
OVERFLOWING = """() => {
  const scrolls = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === "auto" || x === "scroll") return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if ((box.width === 0 && box.height === 0) || scrolls(el)) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (box.right > parent.right + 1 || box.left < parent.left - 1)
      found.push(el.tagName + "." + el.className + " " + (el.textContent || "").slice(0, 40));
  }
  return found;
}"""
AUDIT_ROWS = "#audit h3:nth-of-type(1) + .scroll tbody tr"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The report of a run over every shared WARC file: with a truncated record booked as an error."""
    out = tmp_path_factory.mktemp("layout") / "out"
    assert main(["run", str(WARC_DIR), "-o", str(out), "--no-progress"]) in (0, 1)
    return OutputLayout(out).report_html


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """A run whose error log and domains hold markup, quotes and very long names (as a crawl may)."""
    out = tmp_path_factory.mktemp("hostile") / "out"
    assert main(["run", str(WARC_DIR / "cc.warc.gz"), "-o", str(out), "--no-progress"]) == 0
    task, location = "slow.warc.gz-00000000", "slow.warc.gz"
    books, log = Ledger(task, location), ErrorLog(task, location)
    for i in range(3):
        books.read(100)
        books.book("extract", "error", "timeout", 100)
        log.add("extract", "timeout", f"id-{i}", HOSTILE_URL, TimeoutError("over 2 s"))
    write_ledger_table(OutputLayout(out).ledger(task), books.to_table())
    log.write(OutputLayout(out).error_log(task))
    stats = compute_stats(out)
    for name in ("domains", "audit_domains"):
        table = stats.tables[name]
        first = pl.int_range(pl.len()) == 0
        stats.tables[name] = table.with_columns(
            pl.when(first).then(pl.lit(HOSTILE_DOMAIN)).otherwise(pl.col("domain")).alias("domain")
        )
    path = out / "hostile.html"
    path.write_text(render(stats), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def opened(browser, path, width):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto(path.as_uri())
    page.wait_for_function("document.body.hasAttribute('data-images')")  # the load handler ran
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_its_box_and_every_image_loads(browser, report, width, tmp_path):
    page = opened(browser, report, width)
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000  # charts and tables, not a blank page
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sizes = page.evaluate("Array.from(document.images, (image) => image.naturalWidth)")
    assert len(sizes) >= 4 and min(sizes) > 0
    assert page.get_attribute("body", "data-broken-images") == "0"
    # Every section is in the contents, and every link there leads to one.
    links = page.evaluate("Array.from(document.querySelectorAll('nav.toc a'), (a) => a.hash.slice(1))")
    sections = page.evaluate("Array.from(document.querySelectorAll('details.section'), (d) => d.id)")
    assert links == sections and {"summary", "audit", "errors", "removal-rates"} <= set(links)
    page.close()


def test_the_contents_stay_in_view_on_a_wide_window(browser, report):
    page = opened(browser, report, 1400)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("document.querySelector('nav.toc').getBoundingClientRect().top") >= 0
    page.close()


def test_the_audit_leads_with_its_flagged_rows(browser, report):
    page = opened(browser, report, 1400)
    classes = page.eval_on_selector_all(AUDIT_ROWS, "(rows) => rows.map((r) => r.className)")
    flagged = ["flagged" in c.split() for c in classes]
    assert flagged[0] and flagged == sorted(flagged, reverse=True)  # all the flagged ones, then the rest
    first = page.eval_on_selector_all(
        f"{AUDIT_ROWS}:first-child td", "(cells) => cells.map((c) => c.textContent)"
    )
    # Gopher quality removed the 4 Russian pages of 4: a rate of 1, its Wilson interval from 0.51.
    assert first[:7] == ["gopher_quality", "ru", "Russian", "4", "4", "1.000", "0.510 \u2013 1.000"]
    page.close()


def test_a_click_on_a_header_sorts_the_table(browser, report):
    page = opened(browser, report, 1400)
    headers = f"{AUDIT_ROWS.split(' tbody')[0]} th"

    def column(name: str) -> list[str]:
        index = page.eval_on_selector_all(
            headers, "(cells, name) => cells.findIndex((c) => c.textContent === name)", name
        )
        return page.eval_on_selector_all(
            AUDIT_ROWS, "(rows, i) => rows.map((r) => r.cells[i].textContent)", index
        )

    def click(name: str) -> None:
        page.locator(headers).filter(has_text=name).first.click()

    before = [int(v) for v in column("entering")]
    click("entering")
    ascending = [int(v) for v in column("entering")]
    assert ascending == sorted(before) and ascending != before
    click("entering")
    assert [int(v) for v in column("entering")] == sorted(before, reverse=True)
    click("language")
    names = column("language")
    assert names == sorted(names) and len(set(names)) > 1
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_errors_and_hostile_names_are_text_and_fit(browser, hostile_report, width):
    page = opened(browser, hostile_report, width)
    errors = page.locator("#errors")
    assert errors.is_visible()
    rows = page.eval_on_selector_all("#errors tbody tr", "(rows) => rows.map((r) => r.textContent)")
    assert any("timeout" in row for row in rows)
    assert page.evaluate("window.pwned") is None  # no script of the crawl ran
    cells = page.eval_on_selector_all("td", "(cells) => cells.map((c) => c.textContent)")
    assert HOSTILE_URL in cells and HOSTILE_DOMAIN in cells
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()


# Each text's box as drawn (transforms applied): whether it leaves the picture, which two unturned
# texts overlap, which value text overlaps a bar.
CHART_TEXTS = """() => {
  const svg = document.querySelector("svg"), frame = svg.getBoundingClientRect();
  const texts = Array.from(svg.querySelectorAll("text"), (t) => ({
    text: t.textContent, box: t.getBoundingClientRect(), turned: t.hasAttribute("transform"),
  }));
  const bars = Array.from(svg.querySelectorAll("rect[fill='#3b75af']"), (r) => r.getBoundingClientRect());
  const meet = (a, b) =>
    a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const outside = texts.filter((t) => t.box.left < frame.left - 0.5 || t.box.right > frame.right + 0.5 ||
    t.box.top < frame.top - 0.5 || t.box.bottom > frame.bottom + 0.5).map((t) => t.text);
  const overlapping = [];
  texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => {
    if (!a.turned && !b.turned && meet(a.box, b.box)) overlapping.push(a.text + " / " + b.text);
  }));
  const onBars = texts.filter((t) => !t.turned && bars.some((bar) => bar.height > 0 && meet(t.box, bar)))
    .map((t) => t.text);
  return {outside, overlapping, onBars, count: texts.length};
}"""


def stress_charts() -> dict[str, str]:
    """Charts with what makes labels collide: long names, many bars, large and tiny values."""
    languages = pl.DataFrame(
        {
            "lang": ["en", "sr", "zh", "x" * 60, *(f"q{i}" for i in range(26))],
            "chars_share": [0.61, 0.2, 0.1, 0.05, *([0.04 / 26] * 26)],
        }
    )
    steps = ["a_first_step_with_a_very_long_name_indeed", "extracted", "langid", "final"]
    funnel = pl.DataFrame({"lang": ["all"] * 4, "step": steps, "docs": [1_234_567, 999_999, 5, 4]})
    clusters = pl.DataFrame({"cluster_size": list(range(1, 40)), "clusters": [10**6, *range(38, 0, -1)]})
    unique = pl.DataFrame({"cluster_size": [1], "clusters": [13]})  # one bar under a long title
    return {
        "languages": charts.language_shares(languages),
        "funnel": charts.funnel(funnel),
        "clusters": charts.cluster_sizes(clusters),
        "one cluster size": charts.cluster_sizes(unique),
    }


def run_charts(out) -> dict[str, str]:
    stats = compute_stats(out)
    return {
        "languages": charts.language_shares(stats.tables["languages"]),
        "funnel": charts.funnel(stats.tables["funnel"]),
        "signals": signal_charts(stats.tables["signals"]),
    }


def signal_charts(signals: pl.DataFrame) -> str:
    panels = [(histogram, {}) for _, histogram in signals.group_by("signal", maintain_order=True)]
    return charts.signals(panels)


def test_chart_labels_stay_inside_and_apart(browser, report):
    drawn = {**stress_charts(), **{f"run {k}": v for k, v in run_charts(report.parent.parent).items()}}
    page = browser.new_page()
    for name, uri in drawn.items():
        page.set_content(f'<body style="margin:0">{base64.b64decode(uri.split(",", 1)[1]).decode()}</body>')
        found = page.evaluate(CHART_TEXTS)
        assert found["count"] > 5, name
        assert (found["outside"], found["overlapping"], found["onBars"]) == ([], [], []), name
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_sixty_languages_fit_their_boxes(browser, report, width, tmp_path):
    """Sixty languages make the funnel, the heatmap and the removal matrix 60+ columns or rows."""
    record = json.loads(OutputLayout(report.parents[1]).run_record.read_text())
    codes = sorted(langcodes_with_names())[:60]
    stats = crafted(tmp_path / "out", record, {code: (3 + i, 2 + i % 5) for i, code in enumerate(codes)})
    page = opened(browser, write_report(stats), width)
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.get_attribute("body", "data-broken-images") == "0"
    page.close()


def langcodes_with_names() -> list[str]:
    """ISO 639-1 codes that CLDR names: real languages, as language ID would report them."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    codes = (a + b for a in letters for b in letters)
    return [code for code in codes if language_name(code) != code]
