"""One measurement in a fresh Python process, and interleaved rounds of them, for scripts/bench.py.

A measurement is a function (input path, output dir) -> count (documents or records). bench.py
runs it in a child process (`bench.py --child NAME`), so that its peak RSS is its own; rounds
interleave the variants so that machine noise hits them alike, and the best of each is compared.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import importlib
import json
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench_replay import MB  # noqa: E402 - scripts/ is on sys.path

BENCH_SCRIPT = Path(__file__).resolve().with_name("bench.py")


def _peak_rss_mb() -> tuple[float, float]:
    """(this process, its largest waited-for child) peak RSS in MB."""
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return own / MB, children / MB


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and its waited-for children so far."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def child_main(
    variant: str,
    measure: Callable[[Path, Path], int],
    preload: Iterable[str],
    input_path: Path,
    out_dir: Path,
) -> None:
    """Run one measurement and print it as one JSON line: docs, seconds, CPU seconds, peak RSS.
    The `preload` modules are imported before the clock starts: import time is not throughput."""
    for module in preload:
        importlib.import_module(module)
    started, cpu_started = time.perf_counter(), _cpu_s()
    docs = measure(input_path, out_dir)
    seconds = time.perf_counter() - started
    # CPU time counts the sandbox too (joined by now); it varies less than wall time on a busy
    # machine, but misses waiting (e.g. on the sandbox's pipe), so wall time is the headline.
    cpu_s = _cpu_s() - cpu_started
    own_mb, children_mb = _peak_rss_mb()
    # curate's extraction sandbox is a child process whose memory RUSAGE_SELF does not see; it has
    # been killed and joined by now, so RUSAGE_CHILDREN holds its peak. The reported peak RSS is the
    # larger of the two: the peak of the largest process (their sum would overstate the total, as
    # the peaks need not coincide). On Linux a spawned child's ru_maxrss starts at the parent's RSS
    # when it forked (kept across exec), so rss_children_mb is an upper bound on the sandbox's own
    # peak, but never above this process's peak unless the sandbox really grew larger.
    line = {
        "variant": variant,
        "docs": docs,
        "seconds": seconds,
        "cpu_s": cpu_s,
        "rss_self_mb": own_mb,
        "rss_children_mb": children_mb,
        "peak_rss_mb": max(own_mb, children_mb),
    }
    print(json.dumps(line))


@dataclass
class Run:
    """One measurement, as reported by its child process."""

    variant: str
    docs: int
    seconds: float
    cpu_s: float
    rss_self_mb: float
    rss_children_mb: float
    peak_rss_mb: float

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds > 0 else 0.0

    @property
    def docs_per_cpu_s(self) -> float:
        return self.docs / self.cpu_s if self.cpu_s > 0 else 0.0


def run_measurement(variant: str, input_path: Path, workdir: Path) -> Run:
    """Run `variant` on `input_path` in a fresh Python process; its outputs are removed after."""
    out_dir = workdir / f"out-{variant}"
    shutil.rmtree(out_dir, ignore_errors=True)
    command = [
        sys.executable,
        str(BENCH_SCRIPT),
        "--child", variant,
        "--child-input", str(input_path),
        "--child-out", str(out_dir),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"{variant}: measurement failed (exit {done.returncode}):\n{done.stderr}")
    return Run(**json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass
class VariantSummary:
    """The runs of one variant and what the tables show of them."""

    variant: str
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> Run:
        return max(self.runs, key=lambda run: run.docs_per_s)

    @property
    def peak_rss_mb(self) -> float:
        return max(run.peak_rss_mb for run in self.runs)

    @property
    def best_docs_per_cpu_s(self) -> float:
        return max(run.docs_per_cpu_s for run in self.runs)


def run_rounds(
    variants: Iterable[str], input_path: Path, workdir: Path, repeat: int, unit: str, count: int | None = None
) -> dict[str, VariantSummary]:
    """`repeat` rounds, each running every variant once in its own process; progress on stderr:
    each run's rate of `count` `unit` (when given: the input's size, the same for every variant),
    else of what its measurement counted."""
    counts = None if count is None else {"": count}
    return run_rounds_on({"": input_path}, variants, workdir, repeat, unit, counts)[""]


def run_rounds_on(
    inputs: dict[str, Path],
    variants: Iterable[str],
    workdir: Path,
    repeat: int,
    unit: str,
    counts: dict[str, int] | None = None,
) -> dict[str, dict[str, VariantSummary]]:
    """`run_rounds` over several inputs (label -> path): in each round every variant runs on each
    input in turn, so that the runs of one variant on two inputs see the same machine. Returns
    label -> variant -> summary."""
    variants = list(variants)
    summaries = {label: {variant: VariantSummary(variant) for variant in variants} for label in inputs}
    for round_number in range(1, repeat + 1):
        for variant in variants:
            for label, input_path in inputs.items():
                run = run_measurement(variant, input_path, workdir)
                summaries[label][variant].runs.append(run)
                counted = run.docs if counts is None else counts[label]
                print(
                    f"  round {round_number}/{repeat} {variant:<30} {label + ' ' if label else ''}{counted} "
                    f"{unit} in {run.seconds:6.2f} s = {counted / run.seconds:7.1f}/s "
                    f"(CPU {run.cpu_s:6.2f} s), peak RSS {run.peak_rss_mb:.0f} MB",
                    file=sys.stderr,
                    flush=True,
                )
    return summaries
