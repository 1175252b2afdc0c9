"""Benchmarks for curate, each printed as a Markdown table.

    python scripts/bench.py                  # the default benchmark: --extract
    python scripts/bench.py --extract --records 5000 --target-mb 200 --repeat 3 --json out.json
    python scripts/bench.py --memory --scales 1,4,16 --memory-records 2000   # peak RSS as input grows

Inputs are built from the shared sample crawls (bench_replay.py); every measurement runs in a fresh
subprocess, so its peak RSS is its own, in interleaved rounds (bench_measure.py); each benchmark
lives in a bench_<name>.py module beside this file and is chosen by its flag.
"""

from __future__ import annotations

# Only the standard library at module level, here and in every bench_*.py module: the extraction
# sandbox is started with `spawn`, which re-imports this file in its child, and the child should not
# pay for (or hold) anything else.
import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench_cluster import CLUSTER_VARIANTS, bench_cluster  # noqa: E402 - scripts/ is on sys.path
from bench_dedup import bench_dedup_scale, bench_minhash  # noqa: E402
from bench_extract import EXTRACT_PRELOAD, EXTRACT_VARIANTS, bench_extract  # noqa: E402
from bench_filters import bench_filters  # noqa: E402
from bench_langid import bench_langid, bench_langid_prefix  # noqa: E402
from bench_languages import bench_languages  # noqa: E402
from bench_measure import child_main  # noqa: E402
from bench_memory import MEASUREMENTS as MEMORY_MEASUREMENTS  # noqa: E402
from bench_memory import PRELOAD as MEMORY_PRELOAD  # noqa: E402
from bench_memory import add_memory_arguments, bench_memory  # noqa: E402
from bench_pipeline import MEASUREMENTS as PIPELINE_MEASUREMENTS  # noqa: E402
from bench_pipeline import PRELOAD as PIPELINE_PRELOAD  # noqa: E402
from bench_pipeline import bench_pipeline, bench_workers  # noqa: E402
from bench_profile import bench_profile  # noqa: E402
from bench_readers import READER_PRELOAD, READER_VARIANTS, bench_readers  # noqa: E402
from bench_replay import DEFAULT_DATA  # noqa: E402
from bench_tokenize import MEASUREMENTS as TOKENIZE_MEASUREMENTS  # noqa: E402
from bench_tokenize import PRELOAD as TOKENIZE_PRELOAD  # noqa: E402
from bench_tokenize import bench_tokenize  # noqa: E402
from bench_topics import bench_topics  # noqa: E402
from bench_train import bench_train  # noqa: E402

# Every measurement a child process can run, by name, and what it imports before its clock starts.
MEASUREMENTS: dict[str, Callable[[Path, Path], int]] = {
    **EXTRACT_VARIANTS,
    **PIPELINE_MEASUREMENTS,
    **MEMORY_MEASUREMENTS,
    **TOKENIZE_MEASUREMENTS,
    **CLUSTER_VARIANTS,
    **READER_VARIANTS,
}
PRELOAD: dict[str, tuple[str, ...]] = {
    **EXTRACT_PRELOAD,
    **PIPELINE_PRELOAD,
    **MEMORY_PRELOAD,
    **TOKENIZE_PRELOAD,
    **READER_PRELOAD,
}
CURATE_PRELOAD = ("curate.pipeline.run",)


# Benchmarks by name, each a flag; the first is the default.
BENCHMARKS: dict[str, Callable[[argparse.Namespace, Path], dict[str, Any]]] = {
    "extract": bench_extract,
    "langid": bench_langid,
    "langid-prefix": bench_langid_prefix,
    "filters": bench_filters,
    "minhash": bench_minhash,
    "dedup-scale": bench_dedup_scale,
    "train": bench_train,
    "pipeline": bench_pipeline,
    "profile": bench_profile,
    "readers": bench_readers,
    "workers": bench_workers,
    "memory": bench_memory,
    "languages": bench_languages,
    "tokenize": bench_tokenize,
    "cluster": bench_cluster,
    "topics": bench_topics,
}


# --- command line ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Progress goes to stderr, the table to stdout.",
    )
    which = parser.add_mutually_exclusive_group()
    for name, bench in BENCHMARKS.items():
        which.add_argument(
            f"--{name}",
            dest="benchmark",
            action="store_const",
            const=name,
            help=(bench.__doc__ or "").splitlines()[0],
        )
    parser.set_defaults(benchmark=next(iter(BENCHMARKS)))
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="directory of sample WARC/ARC files to replay (default: %(default)s)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where the built input and outputs go, kept afterwards (default: a temporary dir)",
    )
    parser.add_argument(
        "--records",
        type=int,
        default=5000,
        help="at least this many HTML records in the built WARC (default: %(default)s)",
    )
    parser.add_argument(
        "--target-mb",
        type=float,
        default=200,
        help="and at least this many MB of HTML payload (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of measurements, variants interleaved; best is kept (default: %(default)s)",
    )
    parser.add_argument(
        "--documents",
        type=int,
        default=2_000_000,
        help="--dedup-scale: generated documents (default: %(default)s)",
    )
    parser.add_argument(
        "--steps", type=int, default=30, help="--train: timed steps per model (default: %(default)s)"
    )
    add_memory_arguments(parser)
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    # Internal: one measurement in a child process (see run_measurement).
    parser.add_argument("--child", choices=sorted(MEASUREMENTS), help=argparse.SUPPRESS)
    parser.add_argument("--child-input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.records < 1 or args.repeat < 1 or args.target_mb < 0:
        parser.error("--records and --repeat must be >= 1, --target-mb >= 0")
    return args


@contextmanager
def _workdir(path: Path | None) -> Iterator[Path]:
    """`path` (created, kept afterwards), or a temporary directory removed at the end."""
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as tmp:
        yield Path(tmp)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        preload = PRELOAD.get(args.child, CURATE_PRELOAD)
        child_main(args.child, MEASUREMENTS[args.child], preload, args.child_input, args.child_out)
        return
    started = time.perf_counter()
    with _workdir(args.workdir) as workdir:
        print(f"benchmark: {args.benchmark}; workdir {workdir}", file=sys.stderr)
        results = BENCHMARKS[args.benchmark](args, workdir)
    wall_s = time.perf_counter() - started
    print(f"wall time: {wall_s:.0f} s")
    if args.json:
        report = {
            "benchmark": args.benchmark,
            "wall_s": wall_s,
            "machine": {"python": platform.python_version(), "platform": platform.platform()},
            **results,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
