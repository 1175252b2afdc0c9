"""Command-line options shared by several commands."""

from __future__ import annotations

import argparse
import os

from curate.executors import EXECUTORS


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return number


def _output_name(value: str, kind: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(f"needs a {kind} name, got an empty one")
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise argparse.ArgumentTypeError(f"control character in the {kind} name {value!r}")
    return value


def output_dir(value: str) -> str:
    """An -o directory: named (an empty name would write into the working directory), with no
    control characters, and not an existing file."""
    if os.path.lexists(_output_name(value, "directory")) and not os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{value} exists and is not a directory")
    return value


def output_file(value: str) -> str:
    """An -o file: named, with no control characters, and not an existing directory."""
    if os.path.isdir(_output_name(value, "file")):
        raise argparse.ArgumentTypeError(f"{value} is a directory, not a file name")
    return value


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local: a process pool on this machine (default); ray: a Ray cluster (the ray extra)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes (local) or CPUs of a local Ray (default: the CPU count)",
    )
    parser.add_argument(
        "--ray-address", metavar="ADDR", help="join this Ray cluster (default: start a local one for the run)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=(
            "redo every input, and replace what OUT holds from a run over other inputs "
            "(default: skip inputs whose completion marker matches the input and config)"
        ),
    )
    parser.add_argument(
        "--add",
        action="store_true",
        help="add these inputs to the run OUT holds (its earlier inputs stay; the shards cover all)",
    )


def run_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of `run_pipeline` that come from the executor and progress options."""
    return {
        "show_progress": False if args.no_progress else None,
        "workers": args.workers,
        "executor": args.executor,
        "ray_address": args.ray_address,
        "force": args.force,
        "add": args.add,
    }
