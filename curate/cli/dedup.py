"""`curate dedup`: exact, URL and MinHash near-dedup of documents that already hold text."""

from __future__ import annotations

import argparse
from pathlib import Path

from curate.cli.options import add_executor_options, output_dir, run_options, start_logging
from curate.cli.summary import report_run
from curate.config import load_config
from curate.inputs import expand_inputs
from curate.pipeline.run import run_pipeline


def add_dedup_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "dedup",
        help="remove exact, URL and near duplicates from JSONL/Parquet documents",
        description=(
            "Deduplicate documents that already hold text (JSONL(.gz/.zst) or Parquet, e.g. the "
            "shards of an earlier run) into OUT/shards/lang-xx/. Per language (a `lang` field) "
            "unless --cross-language. The same URL keeps its latest crawl; the same normalized "
            "text and MinHash near duplicates (FineWeb: word 5-grams, 112 hashes, 14 bands x 8 "
            "rows) keep the longest text, ties to the smallest id. Kept documents get "
            "dup_cluster_id and dup_cluster_size; OUT/dedup/clusters.parquet lists every cluster, "
            "removed documents included. Settings: the [dedup] table of --config."
        ),
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="JSONL or Parquet files, dirs or globs")
    parser.add_argument(
        "-o", "--output", required=True, type=output_dir, metavar="OUT", help="output directory"
    )
    parser.add_argument("--config", metavar="TOML", help="settings; its [dedup] table applies (see README)")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="compute the exact Jaccard of every candidate pair; merge none below the threshold",
    )
    parser.add_argument("--threshold", type=float, metavar="J", help="Jaccard threshold for --verify (0.72)")
    parser.add_argument(
        "--cross-language", action="store_true", help="compare documents of different languages too"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_executor_options(parser)


def cmd_dedup(args: argparse.Namespace) -> int:
    start_logging(args)
    config = load_config(args.config)
    config.langid.enabled = config.filters.enabled = False  # the inputs were curated already
    config.dedup.enabled = True
    config.dedup.verify = config.dedup.verify or args.verify
    config.dedup.cross_language = config.dedup.cross_language or args.cross_language
    if args.threshold is not None:
        config.dedup.threshold = args.threshold
    config.validate()
    inputs = expand_inputs(args.inputs, config.read.cc_base_url)
    result = run_pipeline(
        inputs,
        Path(args.output),
        config,
        **run_options(args),
    )
    return report_run(result)
