"""The `curate` command: the root parser, one subcommand per module of curate.cli."""

from __future__ import annotations

import argparse
import os
import select
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
from curate.cli.topics import add_topics_parser, cmd_topics
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
    add_topics_parser(commands)
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
    "topics": cmd_topics,
    "pretrain": cmd_pretrain,
    "sample": cmd_sample,
    "budget": cmd_budget,
    "ablate": cmd_ablate,
}


CLOSED_PIPE_EXIT = 141  # what a shell reports for a command killed by SIGPIPE (128 + 13)


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (`curate stats OUT | head`): poll() reports an
    error on it. A broken pipe of anything else, or with a stdout that is no file, is a real error."""
    if not hasattr(select, "poll"):  # Windows: no way to tell; stdout is the likeliest
        return True
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
    except (OSError, ValueError):
        return False
    return any(events & select.POLLERR for _, events in poller.poll(0))


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, where a closed pipe is handled, not at exit, where it is not
        return code
    except CurateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        if not _stdout_closed():
            raise
        # Python's recipe (see "Note on SIGPIPE" in the signal module's docs): what is left in
        # stdout's buffer goes to devnull at exit instead of raising again there.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return CLOSED_PIPE_EXIT
