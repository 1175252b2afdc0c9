"""`curate demo`: a sample crawl made by curate itself, through the whole pipeline, then a tiny GPT."""

from __future__ import annotations

import argparse
from pathlib import Path

from curate.cli.options import add_run_options, config_from_args, output_dir, show_progress, start_logging
from curate.cli.summary import report_run
from curate.workflows.demo import DEMO_STEPS, demo_run, pretrain_demo


def add_demo_parser(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo",
        help="generate a small sample crawl and run the pipeline on it",
        description="Write a multilingual sample WARC (made by curate itself) and run `curate run` on it.",
    )
    demo.add_argument(
        "-o",
        "--output",
        default="curate-demo",
        type=output_dir,
        metavar="DIR",
        help="where to put it (default: ./curate-demo)",
    )
    demo.add_argument(
        "--pretrain-steps",
        type=int,
        default=DEMO_STEPS,
        metavar="N",
        help="then train a tiny GPT for N steps and sample it (%(default)s; 0 skips; needs curate[train])",
    )
    add_run_options(demo)


def cmd_demo(args: argparse.Namespace) -> int:
    start_logging(args)
    progress = show_progress(args)
    directory = Path(args.output)
    result = demo_run(directory, config_from_args(args), progress)
    code = report_run(result)
    print(f"\nread the shards: polars.read_parquet('{result.out_dir}/shards/**/*.parquet')")
    if args.pretrain_steps and result.shards:
        pretrain_demo(result.out_dir, directory / "model", args.pretrain_steps, progress is not False)
    return code
