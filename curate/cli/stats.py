"""`curate stats OUT` (tables in the terminal, or --json) and `curate report OUT` (the HTML)."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from curate.atomic import strict_dumps
from curate.cli.options import finished_run, positive_int
from curate.cli.tables import Column, Kind, format_table, wrap
from curate.errors import UsageError
from curate.layout import OutputLayout
from curate.statistics import Stats, compute_stats, stats_document, write_stats
from curate.statistics.audit import DISPROPORTION, FAIR_RATIO, MIN_REACHED, MIN_REMOVED, reference_note
from curate.statistics.mixture import parse_topic_weights, topic_mixture
from curate.statistics.report import produce_report
from curate.statistics.tables import ALL
from langid.labels import language_name


def add_stats_parsers(commands: argparse._SubParsersAction) -> None:
    stats = commands.add_parser(
        "stats",
        help="print a run's statistics: languages, funnel, removals, errors, topics, the filter audit",
        description=(
            "Print the main tables of the statistics of the run in OUT, computed from its ledgers, "
            "shards, removed-documents record, error logs and dedup clusters (and write them to "
            "OUT/report/). With --topic-weights, also the documents and tokens a mixture in those "
            "topic shares draws from each topic, and which topics it repeats."
        ),
    )
    stats.add_argument(
        "output", type=finished_run, metavar="OUT", help="the output directory of `curate run`"
    )
    stats.add_argument("--json", action="store_true", help="print every table as JSON instead")
    stats.add_argument(
        "--topic-weights",
        type=parse_topic_weights,
        metavar="MIX",
        help=(
            "also show the mixture of these topics in these token shares, e.g. "
            "health_medicine=0.2,sports=0.1 (a cluster by its prefix: c03=0.5): per topic the kept "
            "documents and tokens, the tokens and documents drawn, the epochs and whether it repeats "
            "(unnamed topics left out); written to OUT/report/topic_mixture.parquet"
        ),
    )
    stats.add_argument(
        "--mixture-tokens",
        type=positive_int,
        metavar="N",
        help=(
            "the size of that mixture in tokens (default: the smallest holding every document of the "
            "named topics at least once, which `curate tokenize --topic-weights` writes)"
        ),
    )
    report = commands.add_parser(
        "report",
        help="write the HTML audit report of a run",
        description=(
            "Write OUT/report/report.html: one self-contained file that works offline: a summary "
            "card, contents, language shares (names and scripts beside the codes), the funnel, a "
            "heatmap of removal rate by language and step, the filter audit (flagged rows first, "
            "with Wilson 95% intervals), the topics and each filter's removal rate per topic, the "
            "errors with example URLs, domains, signal histograms "
            "and the data size in Chinchilla terms; tables sort by any column. Plus the tables as "
            "Parquet and JSON. `curate run` writes it at the end of every run."
        ),
    )
    report.add_argument(
        "output", type=finished_run, metavar="OUT", help="the output directory of `curate run`"
    )


TOP_ROWS = 15  # rows of a long table shown in the terminal; every row is in OUT/report/<table>.parquet
TOP_DOMAINS = 10
TOP_LANGUAGES = 8  # language columns of the funnel, the languages with most documents
TEXT, NUMBER, PERCENT = Kind.TEXT, Kind.NUMBER, Kind.PERCENT


def _named(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with the name of each language beside its code (column `language`)."""
    return frame.with_columns(
        pl.col("lang").map_elements(language_name, return_dtype=pl.String).alias("language")
    )


class _Tables:
    """The tables of `curate stats` as lines of text; a long one cut, with a note naming its file."""

    def __init__(self, stats: Stats) -> None:
        self.tables = stats.tables
        self.summary = stats.summary
        self.report_dir = OutputLayout(stats.out_dir).report_dir

    def show(
        self,
        title: str,
        frame: pl.DataFrame,
        columns: dict[str, Kind],
        source: str,
        *,
        limit: int = TOP_ROWS,
        empty: str = "none",
        notes: tuple[str, ...] = (),
    ) -> list[str]:
        """`columns` of the first `limit` rows of `frame` (all of them in `source`)."""
        if frame.height > limit:
            notes = (f"… {frame.height - limit:,} more rows in {source}", *notes)
        rows = frame.select(list(columns)).head(limit).rows()
        specs = [Column(column, kind) for column, kind in columns.items()]
        return format_table(title, specs, rows, notes=notes, empty=empty)

    def path(self, table: str) -> str:
        return str(self.report_dir / f"{table}.parquet")

    def languages(self) -> list[str]:
        columns = {"lang": TEXT, "language": TEXT, "docs": NUMBER, "chars": NUMBER}
        columns |= {"docs_share": PERCENT, "chars_share": PERCENT, "tokens": NUMBER}
        frame = _named(self.tables["languages"])
        return self.show("kept data per language", frame, columns, self.path("languages"), limit=frame.height)

    def funnel(self) -> list[str]:
        funnel = self.tables["funnel"]
        extracted = funnel.filter((pl.col("step") == "extracted") & (pl.col("lang") != ALL))
        ranked = extracted.sort("docs", "lang", descending=[True, False])["lang"].to_list()
        shown = [ALL, *ranked[:TOP_LANGUAGES]]
        pivot = funnel.filter(pl.col("lang").is_in(shown)).pivot(
            on="lang", index="step", values="docs", sort_columns=False
        )
        notes: tuple[str, ...] = ()
        if len(ranked) > TOP_LANGUAGES:
            notes = (
                f"the {TOP_LANGUAGES} languages with most documents; {len(ranked) - TOP_LANGUAGES:,} more "
                f"in {self.path('funnel')}",
            )
        columns = {"step": TEXT} | {lang: NUMBER for lang in shown if lang in pivot.columns}
        title = "documents left after each step"
        return self.show(title, pivot, columns, self.path("funnel"), limit=pivot.height, notes=notes)

    def removals(self) -> list[str]:
        columns = {
            "lang": TEXT,
            "stage": TEXT,
            "reason": TEXT,
            "docs": NUMBER,
            "chars": NUMBER,
            "bytes": NUMBER,
        }
        return self.show(
            "removals by language and reason", self.tables["removals"], columns, self.path("removals")
        )

    def errors(self) -> list[str]:
        counts = {"stage": TEXT, "reason": TEXT, "docs": NUMBER, "bytes": NUMBER, "inputs": NUMBER}
        lines = self.show(
            "errors by stage and reason",
            self.tables["errors"],
            counts,
            self.path("errors"),
            empty="no errors",
        )
        examples = self.tables["error_examples"]
        if examples.height:
            columns = {"stage": TEXT, "reason": TEXT, "url": TEXT, "error_type": TEXT, "message": TEXT}
            lines += ["", *self.show("error examples", examples, columns, self.path("error_examples"))]
        return lines

    def filter_audit(self) -> list[str]:
        columns = {"stage": TEXT, "where": TEXT, "entering": NUMBER, "removed": NUMBER, "rate": PERCENT}
        columns |= {"overall_rate": PERCENT, "ci_low": PERCENT, "ci_high": PERCENT}
        where = {"audit_languages": "lang", "audit_topics": "topic", "audit_domains": "domain"}
        flagged = pl.concat(
            [
                self.tables[name].filter("flagged").rename({key: "where"}).select(list(columns))
                for name, key in where.items()
            ],
            how="vertical_relaxed",
        )
        title = f"filter audit: flagged (rate >= {DISPROPORTION:g}x the stage's, >= {MIN_REMOVED} removed)"
        notes = ("ci_low, ci_high: the rate's 95% interval",) if flagged.height else ()
        return self.show(
            title,
            flagged,
            columns,
            ", ".join(self.path(name) for name in where),
            empty="nothing flagged",
            notes=notes,
        )

    def topics(self) -> list[str]:
        shares = self.tables["topics"].filter(pl.col("lang") == ALL)
        columns = {"topic": TEXT, "docs": NUMBER, "chars": NUMBER, "tokens": NUMBER}
        columns |= {"docs_share": PERCENT, "chars_share": PERCENT, "tokens_share": PERCENT}
        title = "kept data per topic (per language: topics.parquet)"
        return self.show(title, shares, columns, self.path("topics"), empty="no topics (topics.enabled)")

    def mixture(self) -> list[str]:
        mixture = self.tables["topic_mixture"]
        columns = {"topic": TEXT, "weight": PERCENT, "kept_docs": NUMBER, "kept_tokens": NUMBER}
        columns |= {"target_tokens": NUMBER, "drawn_docs": NUMBER, "epochs": NUMBER, "repeats": TEXT}
        topics = self.tables["topics"].filter(pl.col("lang") == ALL)
        left_out = topics.filter(~pl.col("topic").is_in(mixture["topic"].to_list()))
        notes = (
            f"{mixture['target_tokens'].sum():,} tokens; topics left out (not named): {left_out.height:,}, "
            f"{left_out['tokens'].sum():,} kept tokens",
            f"tokens {self.summary['token_source']}",
        )
        title = "topic mixture: the tokens and documents drawn per topic (epochs > 1: repeated)"
        return self.show(
            title, mixture, columns, self.path("topic_mixture"), limit=mixture.height, notes=notes
        )

    def fairness(self) -> list[str]:
        fairness = self.tables["language_fairness"]
        columns = {"step": TEXT, "lang": TEXT, "language": TEXT, "reached": NUMBER, "kept": NUMBER}
        columns |= {"keep_rate": PERCENT, "reference_keep_rate": PERCENT, "ratio": NUMBER}
        title = (
            f"every language {reference_note(fairness)}: flagged (keep rate < {FAIR_RATIO:g}x the "
            f"reference's, >= {MIN_REACHED} reached)"
        )
        unfair = _named(fairness.filter("flagged"))
        return self.show(title, unfair, columns, self.path("language_fairness"), empty="nothing flagged")

    def domains(self) -> list[str]:
        domains = self.tables["domains"].filter((pl.col("lang") == ALL) & (pl.col("kept_docs") > 0))
        columns = {"domain": TEXT, "kept_docs": NUMBER, "kept_chars": NUMBER, "removed_docs": NUMBER}
        columns |= {"removal_rate": PERCENT}
        return self.show(
            "top domains (by kept documents)", domains, columns, self.path("domains"), limit=TOP_DOMAINS
        )


def terminal_lines(stats: Stats) -> list[str]:
    """`curate stats OUT` without --json: the main tables, every line at most WIDTH columns."""
    tables = _Tables(stats)
    summary = stats.summary
    tokens = (
        f"{summary['tokens']:,} tokens ({summary['token_source']}); "
        f"Chinchilla-optimal model: ~{summary['chinchilla_params']:,} parameters"
    )
    sections = [
        tables.languages(),
        tables.funnel(),
        tables.removals(),
        tables.errors(),
        tables.topics(),
        tables.filter_audit(),
        tables.fairness(),
        tables.domains(),
        wrap(f"thresholds: {summary['thresholds']}"),
        wrap(tokens),
        wrap(f"every table in full: {tables.report_dir}/<table>.parquet and stats.json"),
    ]
    if "topic_mixture" in stats.tables:  # last: the table asked for, where the prompt returns
        sections.append(tables.mixture())
    lines: list[str] = []
    for section in sections:
        lines += [""] * bool(lines) + section  # a blank line between sections
    return lines


def cmd_stats(args: argparse.Namespace) -> int:
    if args.mixture_tokens and not args.topic_weights:
        raise UsageError("--mixture-tokens: the size of the --topic-weights mixture; give those too")
    stats = compute_stats(Path(args.output))
    if args.topic_weights:  # before anything is written: a topic the run lacks is refused
        mixture = topic_mixture(stats.tables["topics"], args.topic_weights, args.mixture_tokens)
        stats.tables["topic_mixture"] = mixture
    write_stats(stats)
    if args.json:
        print(strict_dumps(stats_document(stats)))
    else:
        print("\n".join(terminal_lines(stats)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    _, path = produce_report(Path(args.output))
    print(f"report: {path}")
    return 0
