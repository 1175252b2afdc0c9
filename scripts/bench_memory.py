"""--memory: peak RSS of a whole `curate run` as its input grows, for scripts/bench.py (issue #18:
under 1 GB whatever the input size).

Input: at scale s, s times a base of --memory-records HTML records replayed from the shared crawls
(bench_replay.py), over round(--memory-files * sqrt(s)) WARC files, so that a larger input has both
more tasks and longer ones. Every record is a page of its own: its URL gets a query parameter and,
after the first copy of each page, the words of its text nodes are shuffled
(bench_replay.shuffled_text); otherwise URL and exact dedup would keep one copy of each of the few
shared pages, and dedup, the shards and the report would see almost nothing.

Each point is the command itself, `curate run FILES -o OUT --workers N` with the default config
(the tasks, dedup, the shards, the summary and the HTML report), run from a fresh wrapper process
(bench_measure.run_measurement) that imports nothing but the standard library, with curate's stdout
and stderr on a pseudo-terminal so that it prints its progress bars as in a shell. The wrapper
samples curate's process tree every 0.2 s:

- per process, /proc/<pid>/status VmHWM: the kernel's high-water mark of that process's RSS. It is
  exact, not sampled, so reading it while the process lives gives its peak (only growth in its last
  0.2 s could be missed). The extraction child (subprocess) and the workers (multiprocessing spawn)
  are exec'd, so their VmHWM is their own, not a copy of their parent's.
- the total: VmRSS summed over the tree at each sample (shared pages counted once per process, so
  an upper bound of the memory in use) and PSS likewise (shared pages split between their users);
  its peak is sampled, so a spike shorter than 0.2 s can be missed.
- a check on the sampling: the wrapper's getrusage(RUSAGE_CHILDREN).ru_maxrss once curate has been
  waited for, the largest peak RSS of any one process of the tree that exited (Linux keeps the
  maximum, not the sum), exact even for a process that lived between two samples. An exec'd
  process's ru_maxrss starts at its parent's RSS when it forked: for curate's children that is at
  most the main process's peak, which is in the maximum anyway; for the main process, the wrapper's
  own few MB (which is why the wrapper imports nothing).
- the phase: from the progress curate prints (the `inputs` and `dedup pairs` bars, the summary's
  last line, `report:`), refined by what it has written to OUT (the dedup clusters, the shards).

One run per point (--repeat is not used): peak RSS hardly varies between runs, and wall time is
not what this benchmark is for. The default (1x, 4x, 16x of 2,000 records, and 16x with 2 workers)
takes about 7 minutes on 2 cores, a third of it building the inputs; `--scales 1,2
--memory-records 100` is a quick check that it works.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import pty
import re
import resource
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench_measure import run_measurement  # noqa: E402 - scripts/ is on sys.path
from bench_replay import LDNOOBW, MB, Page, build_replay_warc, collect_pages, shuffled_text  # noqa: E402

SAMPLE_S = 0.2
GB_MB = 1000  # the bound, in MB (decimal, as everywhere in these benchmarks)
MAX_WORKERS = 2  # the largest scale is also run with this many workers
VARIANTS = {"memory-w1": 1, f"memory-w{MAX_WORKERS}": MAX_WORKERS}
PHASES = ("start", "tasks", "dedup", "dedup pairs", "dedup clusters", "shards", "summary", "report", "exit")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COUNTED_BAR = re.compile(r"^\s*(?P<desc>[^:]+): .*?(?P<n>\d+)/(?P<total>\d+) \[")
ANY_BAR = re.compile(r"^\s*(?P<desc>[^:]+): .*(?:\d+%\||\[\d\d:\d\d)")
OUTPUT_TAIL_LINES = 40


# --- command line ---------------------------------------------------------------------------------


def _scales(value: str) -> list[int]:
    try:
        scales = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {value!r}") from None
    if not scales or scales[0] < 1:
        raise argparse.ArgumentTypeError("scales must be integers >= 1")
    return scales


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {number}")
    return number


def add_memory_arguments(parser: argparse.ArgumentParser) -> None:
    """The --memory benchmark's own options."""
    parser.add_argument(
        "--scales",
        type=_scales,
        default=[1, 4, 16],
        help="--memory: input sizes, multiples of the base (default: 1,4,16)",
    )
    parser.add_argument(
        "--memory-records",
        type=_positive,
        default=2000,
        help="--memory: HTML records at scale 1, about 38 KB of HTML each (default: %(default)s)",
    )
    parser.add_argument(
        "--memory-files",
        type=_positive,
        default=4,
        help="--memory: WARC files at scale 1; scale s has round(files * sqrt(s)) (default: %(default)s)",
    )


# --- the input ------------------------------------------------------------------------------------


@dataclass
class ScaledInput:
    """One scale's WARC files and their sizes."""

    scale: int
    directory: Path
    files: int
    records: int
    compressed_mb: float
    html_mb: float
    build_s: float


def records_per_file(scale: int, base_records: int, base_files: int) -> list[int]:
    """scale * base_records records over round(base_files * sqrt(scale)) files, as even as can be."""
    files = max(1, round(base_files * math.sqrt(scale)))
    total = scale * base_records
    return [total // files + (index < total % files) for index in range(files)]


def distinct_page(pages: list[Page], number: int) -> Page:
    """Record `number` of a scale: the shared pages round-robin, each one a page of its own (its
    URL, and after a page's first copy its text nodes' words in a seeded order)."""
    from warcio.statusandheaders import StatusAndHeaders

    page = pages[number % len(pages)]
    separator = "&" if "?" in page.url else "?"
    url = f"{page.url}{separator}curate-bench={number}"
    if number < len(pages):
        return Page(url, page.date, page.http_headers, page.body)
    body = shuffled_text(page.body, number)
    old = page.http_headers
    headers = StatusAndHeaders(old.statusline, list(old.headers), old.protocol)
    headers.replace_header("Content-Length", str(len(body)))
    return Page(url, page.date, headers, body)


def build_scaled_input(
    pages: list[Page], directory: Path, scale: int, args: argparse.Namespace
) -> ScaledInput:
    """Write one scale's WARC files into `directory` (each file's records built in memory, then
    written: up to ~38 KB times a file's records, in this process, never in the measured one)."""
    started = time.perf_counter()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    counts = records_per_file(scale, args.memory_records, args.memory_files)
    compressed_mb = html_mb = 0.0
    first = 0
    for index, count in enumerate(counts):
        file_pages = [distinct_page(pages, number) for number in range(first, first + count)]
        built = build_replay_warc(
            file_pages, directory / f"part-{index:03d}.warc.gz", count, 0, id_prefix=f"{scale}x-{index}-"
        )
        compressed_mb += built.compressed_mb
        html_mb += built.html_mb
        first += count
    return ScaledInput(
        scale, directory, len(counts), first, compressed_mb, html_mb, time.perf_counter() - started
    )


# --- the process tree, sampled ----------------------------------------------------------------------


@dataclass
class Sample:
    """The tree's memory at one moment, in MB."""

    t: float
    phase: str
    main_mb: float
    children_mb: float  # VmRSS summed over every process but the main one
    total_mb: float  # VmRSS summed over the tree
    total_pss_mb: float
    processes: int


@dataclass
class Process:
    """One process of the tree: what it is, its peak RSS (VmHWM) and when it was seen."""

    pid: int
    role: str
    peak_mb: float = 0.0
    first_s: float = 0.0
    last_s: float = 0.0


def _children_by_parent() -> dict[int, list[int]]:
    """Every process's children, from /proc/<pid>/stat (this kernel has no /proc/.../children)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name in parentheses may hold spaces
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    """`root` and its descendants, root first."""
    children, tree, stack = _children_by_parent(), [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


def _status_kb(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (kB) of `pid`, and Pss from smaps_rollup; {} once it has gone."""
    values: dict[str, int] = {}
    try:
        for name in ("status", "smaps_rollup"):
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Pss"):
                    values[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return values


def process_role(pid: int, root: int) -> str:
    """What a process of curate's tree is, from its command line."""
    if pid == root:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    if "curate.extract.child" in command:
        return "extraction child"
    if "resource_tracker" in command:
        return "resource tracker"
    if "multiprocessing" in command:
        return "worker"
    return Path(command.split(" ", 1)[0]).name or "?"


class TreeSampler:
    """Samples the tree under `root`: each process's VmHWM, and the tree's sums over time."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.processes: dict[int, Process] = {}
        self.samples: list[Sample] = []

    def sample(self, t: float, phase: str) -> None:
        main_kb = children_kb = pss_kb = 0
        count = 0
        for pid in process_tree(self.root):
            values = _status_kb(pid)
            if "VmRSS" not in values:  # gone, or a zombie (no memory any more)
                continue
            count += 1
            process = self.processes.get(pid) or self._new(pid, t)
            process.peak_mb = max(process.peak_mb, values.get("VmHWM", 0) * 1024 / MB)
            process.last_s = t
            pss_kb += values.get("Pss", values["VmRSS"])
            if pid == self.root:
                main_kb += values["VmRSS"]
            else:
                children_kb += values["VmRSS"]
        to_mb = 1024 / MB
        self.samples.append(
            Sample(
                round(t, 2),
                phase,
                main_kb * to_mb,
                children_kb * to_mb,
                (main_kb + children_kb) * to_mb,
                pss_kb * to_mb,
                count,
            )
        )

    def _new(self, pid: int, t: float) -> Process:
        process = Process(pid, process_role(pid, self.root), first_s=t)
        self.processes[pid] = process
        return process


# --- the phase, from what curate prints and writes -----------------------------------------------


class PhaseTracker:
    """The phase of a `curate run`: from its progress bars and last lines (printed on a terminal),
    refined by OUT's files for the steps that print nothing. Phases only move forward."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.index = 0
        self._pending = ""
        self.lines: deque[str] = deque(maxlen=OUTPUT_TAIL_LINES)

    @property
    def phase(self) -> str:
        return PHASES[self.index]

    def _advance(self, phase: str) -> None:
        self.index = max(self.index, PHASES.index(phase))

    def feed(self, text: str) -> None:
        """Text curate wrote to its terminal: bars are redrawn after `\\r`, lines end with `\\n`.
        A bar stays on the screen without either until its next update, so the unfinished last
        fragment is read too (a bar cut short matches no counted bar: its ` [` is missing)."""
        *fragments, self._pending = re.split(r"[\r\n]", self._pending + ANSI_ESCAPE.sub("", text))
        for fragment in fragments:
            if fragment.strip() and not self._read_bar(fragment):
                self._read_line(fragment)
        self._read_bar(self._pending)

    def _read_bar(self, fragment: str) -> bool:
        """Advance on a progress bar; False if `fragment` is none."""
        counted = COUNTED_BAR.match(fragment)
        if counted:
            done = int(counted["n"]) >= int(counted["total"])
            if counted["desc"] == "inputs":
                self._advance("dedup" if done else "tasks")
            elif counted["desc"] == "dedup pairs":
                self._advance("dedup clusters" if done else "dedup pairs")
            return True
        if ANY_BAR.match(fragment):  # a file's bytes (one worker)
            self._advance("tasks")
            return True
        return False

    def _read_line(self, line: str) -> None:
        self.lines.append(line)
        if "shard(s) in" in line:  # the summary's last line, printed before the report
            self._advance("report")
        elif line.startswith("report: "):
            self._advance("exit")

    def current(self) -> str:
        """The phase now, looking at OUT: the shards are built under .shards.building."""
        if self.phase in ("dedup clusters", "shards") and (self.out_dir / ".shards.building").exists():
            self._advance("shards")
        elif self.phase in ("dedup clusters", "shards") and (self.out_dir / "shards").is_dir():
            self._advance("summary")
        return self.phase


# --- one run of the command, in the wrapper process ----------------------------------------------


def _pseudo_terminal() -> tuple[int, int]:
    """(master, slave) of a new pseudo-terminal, 200 columns wide: tqdm draws its bars on a TTY."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    return master, slave


def _read_terminal(master: int, timeout: float, phases: PhaseTracker) -> bool:
    """Feed what curate printed within `timeout` s to `phases`; False once the terminal is closed."""
    ready, _, _ = select.select([master], [], [], timeout)
    if not ready:
        return True
    try:
        data = os.read(master, 1 << 16)
    except OSError:  # EIO: every process holding the terminal has closed it
        return False
    phases.feed(data.decode(errors="replace"))
    return bool(data)


@dataclass
class SampledRun:
    """What the wrapper saw of one command."""

    returncode: int
    seconds: float
    samples: list[Sample]
    processes: list[Process]
    output_tail: list[str]
    largest_process_rusage_mb: float


def run_sampled(command: list[str], out_dir: Path) -> SampledRun:
    """Run `command` on a pseudo-terminal, sampling its process tree every SAMPLE_S seconds."""
    master, slave = _pseudo_terminal()
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    sampler, phases = TreeSampler(process.pid), PhaseTracker(out_dir)
    next_sample = started
    try:
        while process.poll() is None:
            _read_terminal(master, max(0.0, next_sample - time.monotonic()), phases)
            now = time.monotonic()
            if now >= next_sample:
                sampler.sample(now - started, phases.current())
                next_sample = max(next_sample + SAMPLE_S, now)
        seconds = time.monotonic() - started
        while _read_terminal(master, 0.5, phases):  # what it printed last
            pass
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return SampledRun(
        process.returncode,
        seconds,
        sampler.samples,
        list(sampler.processes.values()),
        list(phases.lines),
        _rusage_children_mb(),
    )


def _rusage_children_mb() -> float:
    """The largest peak RSS of any waited-for descendant of this process (ru_maxrss: KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / MB


def _run_totals(out_dir: Path) -> dict[str, int]:
    """Records read and documents kept, from the run record curate wrote."""
    record = json.loads((out_dir / "run.json").read_text())
    totals = [task["totals"] for task in record["tasks"]]
    return {key: sum(t.get(key, 0) for t in totals) for key in ("read", "kept")}


def sidecar_path(out_dir: Path) -> Path:
    """Where the wrapper leaves its details for the benchmark (run_measurement removes OUT)."""
    return out_dir.with_name(f"{out_dir.name}.memory.json")


def measure_memory(workers: int, input_dir: Path, out_dir: Path) -> int:
    """In the wrapper: `curate run` over the WARC files in `input_dir`, sampled; documents kept."""
    files = [str(path) for path in sorted(input_dir.glob("*.warc.gz"))]
    command = [
        sys.executable, "-m", "curate.cli", "run", *files, "-o", str(out_dir),
        "--workers", str(workers), "--badwords-dir", str(LDNOOBW),
    ]  # fmt: skip
    run = run_sampled(command, out_dir)
    if run.returncode != 0:
        raise SystemExit(f"curate run exited {run.returncode}:\n" + "\n".join(run.output_tail))
    totals = _run_totals(out_dir)
    sidecar_path(out_dir).write_text(json.dumps({**asdict(run), **totals}))
    return totals["kept"]


MEASUREMENTS = {name: partial(measure_memory, workers) for name, workers in VARIANTS.items()}
PRELOAD: dict[str, tuple[str, ...]] = {name: () for name in VARIANTS}  # the wrapper stays small


# --- the benchmark ----------------------------------------------------------------------------------


@dataclass
class Point:
    """One row of the table: an input, a worker count, and what its run measured."""

    input: ScaledInput
    workers: int
    read: int
    kept: int
    seconds: float
    main_peak_mb: float
    child_peak_mb: float
    child_role: str
    total_peak_mb: float
    total_pss_peak_mb: float
    largest_process_rusage_mb: float
    samples: list[Sample] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.input.scale}x" + (f", {self.workers} workers" if self.workers > 1 else "")


def measure_point(built: ScaledInput, workers: int, workdir: Path) -> Point:
    """One `curate run` over `built` in a fresh wrapper process, and what it saw."""
    variant = next(name for name, count in VARIANTS.items() if count == workers)
    run_measurement(variant, built.directory, workdir)
    sidecar = sidecar_path(workdir / f"out-{variant}")
    details = json.loads(sidecar.read_text())
    sidecar.unlink()
    samples = [Sample(**sample) for sample in details["samples"]]
    processes = [Process(**process) for process in details["processes"]]
    children = [p for p in processes if p.role != "main"]
    largest_child = max(children, key=lambda p: p.peak_mb, default=Process(0, "none"))
    return Point(
        input=built,
        workers=workers,
        read=details["read"],
        kept=details["kept"],
        seconds=details["seconds"],
        main_peak_mb=max((p.peak_mb for p in processes if p.role == "main"), default=0.0),
        child_peak_mb=largest_child.peak_mb,
        child_role=largest_child.role,
        total_peak_mb=max((s.total_mb for s in samples), default=0.0),
        total_pss_peak_mb=max((s.total_pss_mb for s in samples), default=0.0),
        largest_process_rusage_mb=details["largest_process_rusage_mb"],
        samples=samples,
        processes=processes,
    )


def phase_peaks(point: Point) -> dict[str, tuple[float, float, float]]:
    """Per phase seen: (seconds, peak main RSS, peak total RSS), from the samples."""
    peaks: dict[str, tuple[float, float, float]] = {}
    ends = [sample.t for sample in point.samples[1:]] + [point.seconds]
    for sample, end in zip(point.samples, ends):
        seconds, main_mb, total_mb = peaks.get(sample.phase, (0.0, 0.0, 0.0))
        peaks[sample.phase] = (
            seconds + end - sample.t,
            max(main_mb, sample.main_mb),
            max(total_mb, sample.total_mb),
        )
    return peaks


TABLE_HEADER = (
    "| input | files | HTML records | input MB (gz / HTML) | docs kept | wall s | main peak MB "
    "| largest child peak MB | total peak MB (RSS / PSS) | largest process MB (getrusage) |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def table_row(p: Point) -> str:
    cells = [
        p.label,
        str(p.input.files),
        str(p.input.records),
        f"{p.input.compressed_mb:.0f} / {p.input.html_mb:.0f}",
        str(p.kept),
        f"{p.seconds:.0f}",
        f"{p.main_peak_mb:.0f}",
        f"{p.child_peak_mb:.0f} ({p.child_role})",
        f"{p.total_peak_mb:.0f} / {p.total_pss_peak_mb:.0f}",
        f"{p.largest_process_rusage_mb:.0f}",
    ]
    return "| " + " | ".join(cells) + " |"


def print_table(points: list[Point]) -> None:
    print(TABLE_HEADER)
    for point in points:
        print(table_row(point))


def print_phases(points: list[Point]) -> None:
    """Peak main / total RSS (MB) and seconds per phase, one column per point."""
    peaks = [phase_peaks(point) for point in points]
    print("\n| phase | " + " | ".join(p.label for p in points) + " |")
    print("|---|" + "---:|" * len(points))
    for phase in PHASES:
        if any(phase in by_phase for by_phase in peaks):
            cells = [
                f"{by_phase[phase][1]:.0f} / {by_phase[phase][2]:.0f} MB, {by_phase[phase][0]:.1f} s"
                if phase in by_phase
                else "-"
                for by_phase in peaks
            ]
            print(f"| {phase} | " + " | ".join(cells) + " |")
    print("\n(phase cells: peak RSS of the main process / of the whole tree, and the time in the phase)")


def peak_phase(point: Point) -> str:
    """The phase of the sample where the main process's RSS was highest."""
    return max(point.samples, key=lambda sample: sample.main_mb).phase if point.samples else "-"


def print_verdict(points: list[Point]) -> None:
    """Does the peak grow with the input? In which phase is it, and which phase grows most?"""
    single = [p for p in points if p.workers == 1]
    small, large = single[0], single[-1]
    worst = max(points, key=lambda p: p.total_peak_mb)
    ratio = large.total_peak_mb / small.total_peak_mb if small.total_peak_mb else 0.0
    grown = large.input.scale // small.input.scale
    print(
        f"\npeak total RSS, one worker: {small.total_peak_mb:.0f} MB at {small.label} -> "
        f"{large.total_peak_mb:.0f} MB at {large.label} ({ratio:.2f}x for {grown}x the input); "
        f"highest {worst.total_peak_mb:.0f} MB ({worst.label}): "
        + ("under 1 GB" if worst.total_peak_mb < GB_MB else "OVER 1 GB")
    )
    print(
        "main process at its highest sample in phase: "
        + ", ".join(f"{p.label} {peak_phase(p)}" for p in points)
    )
    small_phases, large_phases = phase_peaks(small), phase_peaks(large)
    growth = {
        phase: large_phases[phase][1] - small_phases[phase][1]
        for phase in large_phases
        if phase in small_phases
    }
    if growth:
        phase = max(growth, key=lambda name: growth[name])
        print(
            f"largest growth of a phase's peak main RSS, {small.label} -> {large.label}: {phase}, "
            f"{small_phases[phase][1]:.0f} -> {large_phases[phase][1]:.0f} MB"
        )


def write_timeline(point: Point, workdir: Path) -> Path:
    """The samples as TSV beside the inputs (kept with --workdir)."""
    path = workdir / f"timeline-{point.input.scale}x-w{point.workers}.tsv"
    fields = list(Sample.__dataclass_fields__)
    rows = ["\t".join(fields)] + ["\t".join(str(getattr(s, f)) for f in fields) for s in point.samples]
    path.write_text("\n".join(rows) + "\n")
    return path


def bench_memory(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Peak RSS of a whole `curate run` at 1x, 4x and 16x input (one worker; two at the largest)."""
    pages = collect_pages(args.data)
    points: list[Point] = []
    for scale in args.scales:
        built = build_scaled_input(pages, workdir / f"input-{scale}x", scale, args)
        print(
            f"  {scale}x: {built.records} records in {built.files} files, "
            f"{built.compressed_mb:.0f} MB gzipped, {built.html_mb:.0f} MB of HTML "
            f"(built in {built.build_s:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        for workers in (1, MAX_WORKERS) if scale == args.scales[-1] else (1,):
            point = measure_point(built, workers, workdir)
            points.append(point)
            print(
                f"  {point.label}: {point.seconds:.0f} s, peak RSS main {point.main_peak_mb:.0f} MB, "
                f"largest child {point.child_peak_mb:.0f} MB, total {point.total_peak_mb:.0f} MB; "
                f"timeline {write_timeline(point, workdir)}",
                file=sys.stderr,
                flush=True,
            )
        if args.workdir is None:
            shutil.rmtree(built.directory)
    print(
        f"input: scale s = s x {args.memory_records} HTML records replayed from {len(pages)} shared pages "
        f"(each a distinct page), over round({args.memory_files} x sqrt(s)) WARC files; "
        f"`curate run FILES -o OUT --workers N`, default config; tree sampled every {SAMPLE_S} s\n"
    )
    print_table(points)
    print_phases(points)
    print_verdict(points)
    return {"points": [point_json(point) for point in points]}


def point_json(point: Point) -> dict[str, Any]:
    """A point for --json: every field, the input's directory as a string, and its label."""
    data = asdict(point) | {"label": point.label}
    data["input"]["directory"] = str(point.input.directory)
    return data
