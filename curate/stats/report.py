"""The HTML report: one self-contained file (charts inlined, no script or style from the
network) with the language shares, the funnel, the removal matrix, the errors, domains, signal
distributions, the filter audit (every language against English among it) and the data size in
Chinchilla terms."""

from __future__ import annotations

import html
from pathlib import Path

import polars as pl

from curate.atomic import write_atomically
from curate.layout import OutputLayout
from curate.stats import Stats, charts, compute_stats, write_stats
from curate.stats.audit import FAIR_RATIO, MIN_REACHED, reference_note
from curate.stats.tables import ALL

TOP_ROWS = 20
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
td.text { max-width: 380px; overflow-wrap: anywhere; vertical-align: top; }
tr.flagged td { background: #fde3dc; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; }
.note { color: #555; }
#broken-images { color: #b00; font-weight: bold; }
"""
# Counts images that failed to load, for a reader and for the browser test.
CHECK_IMAGES = """
window.addEventListener("load", function () {
  var images = document.images, broken = 0;
  for (var i = 0; i < images.length; i++) {
    if (!images[i].complete || images[i].naturalWidth === 0) broken++;
  }
  document.body.setAttribute("data-images", images.length);
  document.body.setAttribute("data-broken-images", broken);
  if (broken) document.getElementById("broken-images").textContent = broken + " image(s) failed to load";
});
"""


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape("" if value is None else str(value))


def table_html(frame: pl.DataFrame, flagged: str | None = None, text_columns: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns if c != flagged)
    rows = []
    for row in frame.iter_rows(named=True):
        css = ' class="flagged"' if flagged and row.get(flagged) else ""
        cells = "".join(
            f'<td class="text">{_cell(v)}</td>' if c in text_columns else f"<td>{_cell(v)}</td>"
            for c, v in row.items()
            if c != flagged
        )
        rows.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _image(src: str, alt: str) -> str:
    return f'<img src="{src}" alt="{html.escape(alt)}">'


def _chinchilla(summary: dict) -> str:
    return (
        f"The kept data holds {'' if summary['tokens_counted'] else 'about '}{summary['tokens']:,} tokens "
        f"({summary['token_source']}): "
        f"at 20 tokens per parameter (Chinchilla, Hoffmann et al. 2022), enough to train a "
        f"compute-optimal model of about {summary['chinchilla_params']:,} parameters."
    )


def _signal_charts(signals: pl.DataFrame) -> str:
    panels = []
    for (_,), histogram in signals.group_by("signal", maintain_order=True):
        text = histogram["thresholds"][0]
        bounds = {k: float(v) for k, v in (part.split(" = ") for part in text.split(", ") if part)}
        panels.append((histogram, bounds))
    return _image(charts.signals(panels), "signal distributions") if panels else "<p>No signals.</p>"


def _errors(counts: pl.DataFrame, examples: pl.DataFrame) -> str:
    if not counts.height:
        return "<p>No errors.</p>"
    return "\n".join(
        [
            '<p class="note">Records booked as errors, by the step that hit them (ledgers), and '
            "inputs that failed as a whole (stage input: none of their documents is counted "
            "elsewhere). Examples: the first of each reason, from OUT/stats/errors/.</p>",
            table_html(counts),
            table_html(examples, text_columns=tuple(examples.columns)),
        ]
    )


def _fairness(fairness: pl.DataFrame) -> str:
    if not fairness.height:
        return "<p>No language to compare.</p>"
    note = (
        f'<p class="note">Each step\'s keep rate (documents it kept / documents that reached it) per '
        f"language, {html.escape(reference_note(fairness))}: ratio = keep rate / the reference's at the "
        f"same step; overall = final / extracted. Highlighted (and first): a ratio below {FAIR_RATIO:g} "
        f"with {MIN_REACHED} or more documents of both reaching the step; small_sample: fewer.</p>"
    )
    return note + table_html(fairness, flagged="flagged")


def render(stats: Stats) -> str:
    t, s = stats.tables, stats.summary
    funnel = t["funnel"].pivot(on="lang", index="step", values="docs", sort_columns=False)
    pivot = (
        t["removals"].pivot(on="reason", index="lang", values="docs", aggregate_function="sum").fill_null(0)
    )
    domains = t["domains"].filter(pl.col("lang") == ALL).drop("lang").head(TOP_ROWS)
    suffixes = t["suffixes"].filter(pl.col("lang") == ALL).drop("lang").head(TOP_ROWS)
    sections = [
        f"<h1>curate report: {html.escape(str(stats.out_dir))}</h1>",
        '<p id="broken-images"></p>',
        f"<p>{s['read_records']:,} records read, {s['kept_docs']:,} documents kept in {s['languages']} "
        f"language(s): {s['kept_chars']:,} characters, {s['kept_words']:,} words, "
        f"{s['kept_bytes']:,} bytes; {s['error_records']:,} records booked as errors, "
        f"{s['failed_inputs']:,} input(s) failed.</p>",
        f"<p><b>Thresholds:</b> {html.escape(s['thresholds'])}.</p>",
        f"<p><b>Chinchilla:</b> {_chinchilla(s)}</p>",
        "<h2>Languages</h2>",
        _image(charts.language_shares(t["languages"]), "language share"),
        table_html(t["languages"]),
        "<h2>Funnel</h2>",
        '<p class="note">Documents left after each step, per language; read counts every record, '
        "including those that are not documents. Characters, words and bytes: report/funnel.parquet.</p>",
        _image(charts.funnel(t["funnel"]), "funnel"),
        table_html(funnel),
        "<h2>Removals: language x reason (documents)</h2>",
        table_html(pivot),
        table_html(t["removals"]),
        "<h2>Errors</h2>",
        _errors(t["errors"], t["error_examples"]),
        "<h2>Filter audit</h2>",
        '<p class="note">Highlighted: a removal rate at least twice the stage\'s overall rate, on '
        "3 or more documents. A heuristic or word list that hits one language or one kind of "
        "site much harder than the rest shows up here.</p>",
        "<h3>By language</h3>",
        table_html(t["audit_languages"], flagged="flagged"),
        "<h3>Every language against English</h3>",
        _fairness(t["language_fairness"]),
        "<h3>Domains each stage hits hardest</h3>",
        table_html(t["audit_domains"], flagged="flagged"),
        "<h3>Removed examples</h3>",
        '<p class="note">Badwords masked. Excerpts need <code>--keep-removed</code>.</p>',
        table_html(t["examples"], text_columns=("stage", "reason", "lang", "domain", "url", "excerpt")),
        f"<h2>Domains (top {TOP_ROWS})</h2>",
        table_html(domains),
        f"<h2>Public suffixes (top {TOP_ROWS})</h2>",
        table_html(suffixes),
        "<h2>Signal distributions</h2>",
        '<p class="note">Kept (blue) and removed (orange) documents that carry the signal; dashed: '
        "the thresholds. Values beyond the 1st and 99th percentiles are counted in the end bins.</p>",
        _signal_charts(t["signals"]),
        "<h2>Dedup clusters</h2>",
        _image(charts.cluster_sizes(t["cluster_sizes"]), "cluster sizes")
        if t["cluster_sizes"].height
        else "",
        table_html(t["cluster_sizes"]),
    ]
    body = "\n".join(sections)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>curate report</title>'
        f"<style>{STYLE}</style><script>{CHECK_IMAGES}</script></head><body>\n{body}\n</body></html>"
    )


def write_report(stats: Stats) -> Path:
    path = OutputLayout(stats.out_dir).report_html
    path.parent.mkdir(exist_ok=True)
    page = render(stats)
    return write_atomically(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def produce_report(out_dir: Path) -> tuple[Stats, Path]:
    """Statistics and HTML report of the run in `out_dir`; returns them and the report's path."""
    stats = compute_stats(out_dir)
    write_stats(stats)
    return stats, write_report(stats)
