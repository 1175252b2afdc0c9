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
        help="redo every input (default: skip inputs whose completion marker matches the input and config)",
    )


def run_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of `run_pipeline` that come from the executor and progress options."""
    return {
        "show_progress": False if args.no_progress else None,
        "workers": args.workers,
        "executor": args.executor,
        "ray_address": args.ray_address,
        "force": args.force,
    }
