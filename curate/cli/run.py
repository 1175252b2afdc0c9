"""`curate run`: crawl files -> Parquet shards, with a ledger of every record."""

from __future__ import annotations

import argparse

from curate.cli.options import (
    add_executor_options,
    add_run_options,
    add_store_options,
    config_from_args,
    output_location,
    positive_int,
    run_options,
    seconds,
    start_logging,
    status_codes,
    store_options,
)
from curate.cli.summary import report_run
from curate.inputs import expand_inputs
from curate.pipeline.progress import PROGRESS_EVERY_S
from curate.pipeline.run import run_pipeline


def add_run_parser(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="crawl files -> Parquet shards, with a ledger of every record",
        description=(
            "Read WARC, ARC, WET, JSONL (.gz/.zst) or Parquet inputs, extract text from HTML and "
            "write zstd Parquet shards to OUT/shards/lang-xx/, a ledger per input to OUT/stats/ "
            "and a run record to OUT/run.json. Exit code 1 if an input failed, 2 for bad arguments."
        ),
    )
    run.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="file, directory, glob, http(s)://, s3:// URL, or a Common Crawl *.paths(.gz) file",
    )
    run.add_argument(
        "-o",
        "--output",
        required=True,
        type=output_location,
        metavar="OUT",
        help="output directory, or an object-store URL (s3://bucket/run: pip install 'curate[s3]')",
    )
    run.add_argument("--limit", type=positive_int, metavar="N", help="process only the first N input files")
    run.add_argument(
        "--base-url",
        metavar="URL",
        help="resolve the lines of a paths file against this (default: https://data.commoncrawl.org/)",
    )
    run.add_argument(
        "--http-status",
        type=status_codes,
        metavar="CODES",
        help="HTTP status codes to keep, comma-separated (default: 200)",
    )
    run.add_argument(
        "--progress-every",
        type=seconds,
        default=PROGRESS_EVERY_S,
        metavar="SECONDS",
        help="when stderr is not a terminal (Slurm, nohup, CI): a progress line this often (%(default)g)",
    )
    add_run_options(run)
    add_executor_options(run)
    add_store_options(run)


def cmd_run(args: argparse.Namespace) -> int:
    start_logging(args)
    config = config_from_args(args)
    inputs = expand_inputs(args.inputs, config.read.cc_base_url, args.limit)
    result = run_pipeline(inputs, args.output, config, **run_options(args), **store_options(args))
    return report_run(result)
