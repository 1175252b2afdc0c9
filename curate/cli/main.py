"""The `curate` command: the root parser, one subcommand per module of curate.cli."""

from __future__ import annotations

import argparse
import sys

from curate import __version__
from curate.cli.calibrate import add_calibrate_parser, cmd_calibrate
from curate.cli.dedup import add_dedup_parser, cmd_dedup
from curate.cli.demo import add_demo_parser, cmd_demo
from curate.cli.langid import add_langid_parser, cmd_langid
from curate.cli.quality import add_quality_parser, cmd_quality
from curate.cli.run import add_run_parser, cmd_run
from curate.cli.stats import add_stats_parsers, cmd_report, cmd_stats
from curate.cli.tokenize import add_tokenize_parser, cmd_tokenize
from curate.cli.train import add_train_parsers, cmd_ablate, cmd_budget, cmd_pretrain, cmd_sample
from curate.errors import CurateError, UsageError


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line naming the problem, exit code 2 (argparse prints the whole usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="curate", description="Turn raw web crawls into audited pretraining shards.")
    parser.add_argument("--version", action="version", version=f"curate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_run_parser(commands)
    add_demo_parser(commands)
    add_langid_parser(commands)
    add_quality_parser(commands)
    add_dedup_parser(commands)
    add_stats_parsers(commands)
    add_calibrate_parser(commands)
    add_tokenize_parser(commands)
    add_train_parsers(commands)
    return parser


COMMANDS = {
    "run": cmd_run,
    "demo": cmd_demo,
    "langid": cmd_langid,
    "quality": cmd_quality,
    "dedup": cmd_dedup,
    "stats": cmd_stats,
    "report": cmd_report,
    "calibrate": cmd_calibrate,
    "tokenize": cmd_tokenize,
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
