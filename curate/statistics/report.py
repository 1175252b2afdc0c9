"""The HTML report: one self-contained file (charts inlined, no script or style from the
network), the first thing to open after a run. A summary card on top; then the language shares,
the funnel, the removal rate of every step per language (a heatmap), the filter audit led by what
it flagged (each rate with its Wilson interval), the topics and whom each filter removes by topic,
what repair, PII masking and decontamination did (hygiene),
the errors, the removal matrix, domains, signal distributions and dedup's clusters. Every section
collapses and the contents beside them link them; every table sorts by a click on a header and
scrolls in its own box."""

from __future__ import annotations

import html
import json
from pathlib import Path

import polars as pl

from curate.atomic import write_atomically
from curate.layout import OutputLayout
from curate.statistics import Stats, charts, compute_stats, write_stats
from curate.statistics.audit import DISPROPORTION, FAIR_RATIO, MIN_REACHED, MIN_REMOVED, reference_note
from curate.statistics.blocks import audit_table, frame_table, image, note
from curate.statistics.heatmap import removal_heatmap
from curate.statistics.page import Section, page_html
from curate.statistics.tables import ALL
from curate.statistics.topic_section import topics_section

TOP_ROWS = 20


def run_seconds(out_dir: Path) -> float | None:
    """How long the run took, from its run record (None where it has no such record or number)."""
    try:
        seconds = json.loads(OutputLayout(out_dir).run_record.read_text()).get("seconds")
    except (OSError, ValueError, AttributeError):
        return None
    return float(seconds) if isinstance(seconds, (int, float)) else None


def _summary(stats: Stats) -> str:
    s, t = stats.summary, stats.tables
    removed = int(t["removals"]["docs"].sum())
    not_documents = s["read_records"] - s["kept_docs"] - removed - s["error_records"]
    seconds = run_seconds(stats.out_dir)
    figures = [
        (f"{s['read_records']:,}", "records read"),
        (f"{not_documents:,}", "records that are not documents"),
        (f"{s['kept_docs']:,}", "documents kept"),
        (f"{removed:,}", "records removed"),
        (f'<a href="#errors">{s["error_records"]:,}</a>', "records booked as errors"),
        (f"{s['failed_inputs']:,}", "inputs failed"),
        (f"{s['languages']:,}", "languages kept"),
        (f"{s['tokens']:,}", "tokens" if s["tokens_counted"] else "tokens (estimated)"),
        *([(f"{seconds:,.1f} s", "run time")] if seconds is not None else []),
    ]
    card = "".join(f"<div><b>{value}</b><span>{label}</span></div>" for value, label in figures)
    tokens = "" if s["tokens_counted"] else "about "
    return "\n".join(
        [
            f'<div class="card">{card}</div>',
            f"<p>Kept: {s['kept_chars']:,} characters, {s['kept_words']:,} words, {s['kept_bytes']:,} "
            "bytes. Records that are not documents: WARC requests, metadata and the like.</p>",
            f"<p><b>Thresholds:</b> {html.escape(s['thresholds'])}.</p>",
            f"<p><b>Chinchilla:</b> the kept data holds {tokens}{s['tokens']:,} tokens "
            f"({html.escape(s['token_source'])}): at 20 tokens per parameter (Chinchilla, Hoffmann et "
            f"al. 2022), enough to train a compute-optimal model of about {s['chinchilla_params']:,} "
            "parameters.</p>",
        ]
    )


def _funnel_table(funnel: pl.DataFrame) -> pl.DataFrame:
    """Documents left after each step (columns, in order) per language (rows: all, then the
    languages with most documents extracted)."""
    table = funnel.pivot(on="step", index="lang", values="docs", sort_columns=False)
    # A language's documents that no step left are 0; read is counted for all languages only.
    table = table.with_columns(pl.exclude("lang", "read").fill_null(0))
    if "extracted" not in table.columns:  # no record became a document: read is all there is
        return table
    return table.sort(pl.col("lang") != ALL, "extracted", "lang", descending=[False, True, False])


def _fairness(fairness: pl.DataFrame) -> str:
    if not fairness.height:
        return "<p>No language to compare.</p>"
    explained = note(
        f"Each step's keep rate (documents it kept / documents that reached it) per language, "
        f"{html.escape(reference_note(fairness))}: ratio = keep rate / the reference's at the same step; "
        f"overall = final / extracted; ci_low, ci_high: the keep rate's Wilson 95% interval. "
        f"Highlighted (and first): a ratio below {FAIR_RATIO:g} with {MIN_REACHED} or more documents of "
        "both reaching the step; small_sample: fewer."
    )
    return explained + frame_table(
        fairness, hidden=("flagged",), row_class=lambda r: "flagged" if r["flagged"] else ""
    )


def _errors(counts: pl.DataFrame, examples: pl.DataFrame) -> str:
    if not counts.height:
        return "<p>No errors.</p>"
    return "\n".join(
        [
            note(
                "Records booked as errors, by the step that hit them (ledgers), and inputs that failed "
                "as a whole (stage input: none of their documents is counted elsewhere). Examples: the "
                "first of each reason, from OUT/stats/errors/."
            ),
            frame_table(counts),
            "<h3>Examples</h3>",
            frame_table(examples),
        ]
    )


def _hygiene(table: pl.DataFrame) -> str:
    if not table.height:
        return "<p>No text repaired or masked, and no benchmark overlap removed.</p>"
    return note(
        "Documents whose text Unicode repair changed (unicode) or PII masking rewrote (pii: e-mail, IP "
        "and, when on, phone placeholders), counted as they were staged, before dedup; and documents "
        "removed for sharing an n-gram with a benchmark (decontaminate). Share: of the language's "
        "extracted documents."
    ) + frame_table(table)


def _signal_charts(signals: pl.DataFrame) -> str:
    panels = []
    for (_,), histogram in signals.group_by("signal", maintain_order=True):
        text = histogram["thresholds"][0]
        bounds = {k: float(v) for k, v in (part.split(" = ") for part in text.split(", ") if part)}
        panels.append((histogram, bounds))
    return image(charts.signals(panels), "signal distributions") if panels else "<p>No signals.</p>"


def _sites(table: pl.DataFrame, key: str, noun: str) -> str:
    """The top sites by kept documents (none that kept nothing), and by removed documents."""
    every = table.filter(pl.col("lang") == ALL).drop("lang")
    kept = every.filter(pl.col("kept_docs") > 0)
    removed = every.filter(pl.col("removed_docs") > 0).sort(
        "removed_docs", "removal_rate", key, descending=[True, True, False], nulls_last=True
    )
    return "\n".join(
        [
            f"<h3>Most kept documents ({min(kept.height, TOP_ROWS)} of the {kept.height:,} {noun} that "
            "kept any)</h3>",
            frame_table(kept.head(TOP_ROWS)) if kept.height else "<p>None kept any document.</p>",
            f"<h3>Most removed documents (top {TOP_ROWS})</h3>",
            frame_table(removed.head(TOP_ROWS)) if removed.height else "<p>Nothing removed.</p>",
        ]
    )


def _audit(t: dict[str, pl.DataFrame]) -> str:
    return "\n".join(
        [
            note(
                f"Highlighted and first: a removal rate at least {DISPROPORTION:g} times the stage's "
                f"overall rate, on {MIN_REMOVED} or more documents. A heuristic or word list that hits one "
                "language or one kind of site much harder than the rest shows up here. 95% CI: the rate's "
                "Wilson score interval; weak evidence (greyed): its low end is not above the overall "
                "rate, so the sample is too small to tell the rate from the overall one."
            ),
            "<h3>By language</h3>",
            audit_table(t["audit_languages"]),
            "<h3>Every language against English</h3>",
            _fairness(t["language_fairness"]),
            "<h3>Domains each stage hits hardest</h3>",
            audit_table(t["audit_domains"]),
            "<h3>Removed examples</h3>",
            note("Badwords masked. Excerpts need <code>--keep-removed</code>."),
            frame_table(t["examples"]),
        ]
    )


def sections(stats: Stats) -> list[Section]:
    t = stats.tables
    removals = (
        t["removals"].pivot(on="reason", index="lang", values="docs", aggregate_function="sum").fill_null(0)
    )
    extracted = t["funnel"].filter(pl.col("step") == "extracted")
    documents = dict(zip(extracted["lang"], extracted["docs"]))
    audited = set(t["audit_languages"]["stage"])
    stages = [stage for stage in stats.summary["stages"] if stage in audited]  # in pipeline order
    clusters = t["cluster_sizes"]
    return [
        Section("summary", "Summary", _summary(stats)),
        Section(
            "languages",
            "Languages",
            image(charts.language_shares(t["languages"]), "language share") + frame_table(t["languages"]),
        ),
        Section(
            "funnel",
            "Funnel",
            note(
                "Documents left after each step, per language; read counts every record, including "
                "those that are not documents. Characters, words and bytes: report/funnel.parquet."
            )
            + image(charts.funnel(t["funnel"]), "funnel")
            + frame_table(_funnel_table(t["funnel"])),
        ),
        Section(
            "removal-rates",
            "Removal rate by language and step",
            note(
                "The share of a language's documents reaching a step that the step removed (hover a "
                "cell for the counts); &ndash;: none reached it. Languages with most documents first."
            )
            + removal_heatmap(t["audit_languages"], documents, stages),
        ),
        Section("audit", "Filter audit", _audit(t)),
        Section("topics", "Topics", topics_section(t)),
        Section("hygiene", "Hygiene", _hygiene(t["hygiene"])),
        Section("errors", "Errors", _errors(t["errors"], t["error_examples"])),
        Section(
            "removals",
            "Removals: language x reason",
            note("Documents removed, by language and reason; then by stage, with characters and bytes.")
            + frame_table(removals)
            + frame_table(t["removals"]),
        ),
        Section("domains", "Domains", _sites(t["domains"], "domain", "domains")),
        Section("suffixes", "Public suffixes", _sites(t["suffixes"], "suffix", "suffixes")),
        Section(
            "signals",
            "Signal distributions",
            note(
                "Kept (blue) and removed (orange) documents that carry the signal; dashed: the "
                "thresholds. Values beyond the 1st and 99th percentiles are counted in the end bins."
            )
            + _signal_charts(t["signals"]),
        ),
        Section(
            "dedup",
            "Dedup clusters",
            (image(charts.cluster_sizes(clusters), "cluster sizes") if clusters.height else "")
            + frame_table(clusters),
        ),
    ]


def render(stats: Stats) -> str:
    header = (
        f"<h1>curate report: {html.escape(str(stats.out_dir))}</h1>\n"
        '<p id="broken-images"></p>'  # filled in by the page's script if an image fails
    )
    return page_html("curate report", header, sections(stats))


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
