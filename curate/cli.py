"""The `curate` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from curate import __version__
from curate.cli_options import add_executor_options, output_dir, positive_int, run_options
from curate.config import Config, load_config
from curate.dedup_cli import add_dedup_parser, cmd_dedup
from curate.demo import DEMO_STEPS
from curate.errors import CurateError, UsageError
from curate.inputs import expand_inputs
from curate.langid_cli import add_langid_parser, cmd_langid
from curate.ledger import read_ledgers
from curate.quality_cli import add_quality_parser, cmd_quality
from curate.run import RunResult, run_pipeline
from curate.stats_cli import add_stats_parsers, cmd_report, cmd_stats, produce_report
from curate.summary import format_failures, format_inputs, format_languages, format_reasons
from curate.task import STATS_DIR
from curate.train_cli import add_train_parsers, cmd_ablate, cmd_budget, cmd_pretrain, cmd_sample


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line naming the problem, exit code 2 (argparse prints the whole usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _status_codes(value: str) -> list[int]:
    try:
        return [int(code) for code in value.split(",") if code.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated HTTP codes, got {value!r}") from None


def _language_list(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="TOML", help="thresholds and settings (see README)")
    parser.add_argument(
        "--extractor",
        choices=["resiliparse", "trafilatura"],
        help="HTML to text (default: resiliparse)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument(
        "--keep-removed",
        action="store_true",
        help="keep removed documents' text: OUT/excluded/reason-xx/ shards and examples in the report",
    )
    parser.add_argument(
        "--lid-model",
        metavar="PATH",
        help="language-ID model: lid.176.bin or GlotLID (default: $CURATE_LID_MODEL, else lid.176.ftz)",
    )
    parser.add_argument(
        "--langs", type=_language_list, metavar="CODES", help="keep only these languages, e.g. en,de"
    )
    parser.add_argument(
        "--badwords-dir",
        metavar="DIR",
        help="LDNOOBW lists, one file per language (default: $CURATE_BADWORDS_DIR, the cache, a download)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="curate", description="Turn raw web crawls into audited pretraining shards.")
    parser.add_argument("--version", action="version", version=f"curate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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
    run.add_argument("-o", "--output", required=True, type=output_dir, metavar="OUT", help="output directory")
    run.add_argument("--limit", type=positive_int, metavar="N", help="process only the first N input files")
    run.add_argument(
        "--base-url",
        metavar="URL",
        help="resolve the lines of a paths file against this (default: https://data.commoncrawl.org/)",
    )
    run.add_argument(
        "--http-status",
        type=_status_codes,
        metavar="CODES",
        help="HTTP status codes to keep, comma-separated (default: 200)",
    )
    add_run_options(run)
    add_executor_options(run)

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
    add_langid_parser(commands)
    add_quality_parser(commands)
    add_dedup_parser(commands)
    add_stats_parsers(commands)
    add_train_parsers(commands)
    return parser


def config_from_args(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    if getattr(args, "extractor", None):
        config.extract.extractor = args.extractor
    if getattr(args, "base_url", None):
        config.read.cc_base_url = args.base_url
    if getattr(args, "http_status", None):
        config.read.http_status = args.http_status
    if args.lid_model:
        config.langid.model = args.lid_model
    if args.langs:
        config.langid.langs = args.langs
    if args.badwords_dir:
        config.filters.badwords_dir = args.badwords_dir
    if args.keep_removed:
        config.output.keep_removed = True
    return config.validate()


def report_run(result: RunResult) -> int:
    """Print the summary; exit code 0, or 1 when some input failed."""
    if result.tasks and len(result.failed) == len(result.tasks):
        print(format_failures(result.tasks), file=sys.stderr)  # one line per input, nothing else
        return 1
    print(format_inputs(result.tasks))
    resumed = sum(t.resumed for t in result.tasks)
    if resumed:
        print(
            f"{resumed} of {len(result.tasks)} inputs done by an earlier run: skipped (--force redoes them)"
        )
    ledger = read_ledgers(result.out_dir / STATS_DIR)
    if ledger.height:
        print()
        print(format_reasons(ledger))
        print()
        print(format_languages(ledger))
    if result.shards:
        print(f"\n{len(result.shards)} shard(s) in {result.out_dir / 'shards'} ({result.seconds:.1f} s)")
    print(f"report: {produce_report(result.out_dir)[1]}")
    if result.failed:
        print(format_failures(result.tasks), file=sys.stderr)
        return 1
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    inputs = expand_inputs(args.inputs, config.read.cc_base_url, args.limit)
    result = run_pipeline(
        inputs,
        Path(args.output),
        config,
        **run_options(args),
    )
    return report_run(result)


def cmd_demo(args: argparse.Namespace) -> int:
    from curate.demo import run_demo

    return run_demo(
        Path(args.output),
        config_from_args(args),
        show_progress=False if args.no_progress else None,
        pretrain_steps=args.pretrain_steps,
    )


COMMANDS = {
    "run": cmd_run,
    "demo": cmd_demo,
    "langid": cmd_langid,
    "quality": cmd_quality,
    "dedup": cmd_dedup,
    "stats": cmd_stats,
    "report": cmd_report,
    "pretrain": cmd_pretrain,
    "sample": cmd_sample,
    "budget": cmd_budget,
    "ablate": cmd_ablate,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except CurateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
