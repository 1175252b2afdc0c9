"""`curate stats OUT` (tables in the terminal, or --json) and `curate report OUT` (the HTML)."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from curate.atomic import strict_dumps
from curate.cli.options import finished_run
from curate.stats import Stats, compute_stats, stats_document, write_stats
from curate.stats.audit import FAIR_RATIO, MIN_REACHED, reference_note
from curate.stats.report import produce_report
from curate.stats.tables import ALL


def add_stats_parsers(commands: argparse._SubParsersAction) -> None:
    stats = commands.add_parser(
        "stats",
        help="print a run's statistics: languages, funnel, removals, errors, the filter audit",
        description=(
            "Print the main tables of the statistics of the run in OUT, computed from its ledgers, "
            "shards, removed-documents record, error logs and dedup clusters (and write them to "
            "OUT/report/)."
        ),
    )
    stats.add_argument(
        "output", type=finished_run, metavar="OUT", help="the output directory of `curate run`"
    )
    stats.add_argument("--json", action="store_true", help="print every table as JSON instead")
    report = commands.add_parser(
        "report",
        help="write the HTML audit report of a run",
        description=(
            "Write OUT/report/report.html: one self-contained file (charts inlined) with language "
            "shares, the funnel, the removal matrix, the errors, domains, signal histograms, the "
            "filter audit and the data size in Chinchilla terms; plus the tables as Parquet and JSON. "
            "`curate run` writes it at the end of every run."
        ),
    )
    report.add_argument(
        "output", type=finished_run, metavar="OUT", help="the output directory of `curate run`"
    )


def _print_tables(stats: Stats) -> None:
    t = stats.tables
    with pl.Config(
        tbl_rows=40, tbl_cols=20, tbl_hide_dataframe_shape=True, fmt_str_lengths=50, tbl_width_chars=140
    ):
        print("kept data per language")
        print(t["languages"])
        print("\ndocuments left after each step")
        print(t["funnel"].pivot(on="lang", index="step", values="docs", sort_columns=False))
        print("\nremovals by language and reason")
        print(t["removals"])
        print("\nerrors by stage and reason")
        print(t["errors"] if t["errors"].height else "no errors")
        if t["error_examples"].height:
            print(t["error_examples"].drop("input"))
        print("\nfilter audit: flagged (rate >= 2x the stage's overall rate, >= 3 documents)")
        flagged = pl.concat(
            [
                t["audit_languages"]
                .filter("flagged")
                .select("stage", pl.col("lang").alias("where"), "removed", "rate", "overall_rate"),
                t["audit_domains"]
                .filter("flagged")
                .select("stage", pl.col("domain").alias("where"), "removed", "rate", "overall_rate"),
            ],
            how="vertical_relaxed",
        )
        print(flagged if flagged.height else "nothing flagged")
        fairness = t["language_fairness"]
        print(
            f"\nevery language {reference_note(fairness)}: flagged (keep rate < {FAIR_RATIO:g}x the "
            f"reference's at the same step, >= {MIN_REACHED} documents)"
        )
        unfair = fairness.filter("flagged").select(
            "step", "lang", "reached", "kept", "keep_rate", "reference_keep_rate", "ratio"
        )
        print(unfair if unfair.height else "nothing flagged")
        print("\ntop domains")
        print(t["domains"].filter(pl.col("lang") == ALL).drop("lang").head(10))
    print(f"\nthresholds: {stats.summary['thresholds']}")
    print(
        f"\n{stats.summary['tokens']:,} tokens ({stats.summary['token_source']}); "
        f"Chinchilla-optimal model: ~{stats.summary['chinchilla_params']:,} parameters"
    )


def cmd_stats(args: argparse.Namespace) -> int:
    stats = compute_stats(Path(args.output))
    write_stats(stats)
    if args.json:
        print(strict_dumps(stats_document(stats)))
    else:
        _print_tables(stats)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    _, path = produce_report(Path(args.output))
    print(f"report: {path}")
    return 0
