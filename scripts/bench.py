"""Benchmarks for curate, each printed as a Markdown table.

    python scripts/bench.py                  # the default benchmark: --extract
    python scripts/bench.py --extract --records 5000 --target-mb 200 --repeat 3 --json out.json

`--extract` builds a large gzipped WARC by replaying the HTML responses of the shared sample files,
then measures docs/s and peak RSS of a bare warcio + resiliparse loop (`baseline`) next to curate's
read+extract pipeline on the same file (`curate`, with the extraction sandbox; `curate-inprocess`,
without; `curate-full`, with language ID and the filters as well).
Every measurement runs in a fresh subprocess, so its peak RSS is its own; rounds interleave the
variants so that machine noise hits them alike, and the best docs/s of each variant is compared.

Sizes are decimal: 1 MB = 1,000,000 bytes.
"""

from __future__ import annotations

# Only the standard library at module level: the extraction sandbox is started with `spawn`, which
# re-imports this file in its child, and the child should not pay for (or hold) anything else.
import argparse
import gzip
import io
import itertools
import json
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench_dedup import bench_dedup_scale, bench_minhash  # noqa: E402 - scripts/ is on sys.path
from bench_filters import bench_filters  # noqa: E402
from bench_langid import bench_langid, bench_langid_prefix  # noqa: E402
from bench_pipeline import MEASUREMENTS as PIPELINE_MEASUREMENTS  # noqa: E402
from bench_pipeline import bench_pipeline, bench_workers  # noqa: E402
from bench_train import bench_train  # noqa: E402

MB = 1_000_000
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "warc"
HTML_TYPES = ("text/html", "application/xhtml+xml")
RECORD_ID_NAMESPACE = uuid.UUID("6f1c7a52-2f43-4c1e-9a53-4d8c3b0b6e11")  # any fixed UUID will do
REPLAY_NAME = "replay.warc.gz"
WARCINFO_DATE = "2024-01-01T00:00:00Z"
# Budgets from the issue: curate's time overhead vs the bare loop, and its peak RSS.
MAX_OVERHEAD = 0.30
MAX_PEAK_RSS_MB = 500


# --- input: replaying the shared HTML into one large WARC -----------------------------------------


@dataclass
class Page:
    """One HTML response of the shared files: what is needed to write it again."""

    url: str
    date: str
    http_headers: Any  # warcio StatusAndHeaders, without transfer/content encoding
    body: bytes


@dataclass
class BuiltInput:
    """The replayed WARC and its sizes."""

    path: Path
    records: int  # response records (plus one warcinfo record, not counted)
    source_pages: int  # distinct pages replayed round-robin
    html_mb: float  # total HTML payload
    uncompressed_mb: float  # the whole WARC, decompressed
    compressed_mb: float  # the file on disk
    build_s: float


def _warc_files(data_dir: Path) -> list[Path]:
    """WARC/ARC files under `data_dir`; WET/WAT (no HTML) and single-stream fragments left out."""
    files = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        name = path.name.lower()
        if ".wet" in name or ".wat" in name or name.startswith("fragment"):
            continue
        if name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
            files.append(path)
    return files


def collect_pages(data_dir: Path) -> list[Page]:
    """Every non-empty `response` with HTTP 200 and an HTML content type, in file order."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.statusandheaders import StatusAndHeaders

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""  # no warning per ARC record lacking its trailing newline

    pages: list[Page] = []
    for path in _warc_files(data_dir):
        with open(path, "rb") as fh:
            try:
                for record in QuietArchiveIterator(fh, arc2warc=True):
                    http = record.http_headers
                    if record.rec_type != "response" or http is None:
                        continue
                    mime = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
                    if http.get_statuscode() != "200" or mime not in HTML_TYPES:
                        continue
                    body = record.content_stream().read()  # de-chunked and decompressed
                    if not body:
                        continue
                    headers = StatusAndHeaders(http.statusline, list(http.headers), http.protocol)
                    for name in ("Transfer-Encoding", "Content-Encoding", "Content-Length"):
                        headers.remove_header(name)
                    headers.add_header("Content-Length", str(len(body)))
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    date = record.rec_headers.get_header("WARC-Date") or WARCINFO_DATE
                    pages.append(Page(url, date, headers, body))
            except Exception as exc:  # a damaged sample: keep what was read before it
                print(f"warning: {path.name}: stopped reading ({exc})", file=sys.stderr)
    return pages


TEXT_NODE = re.compile(rb">([^<]+)<")


def shuffled_text(body: bytes, seed: int) -> bytes:
    """`body` with the words of each text node in a seeded random order: the same markup, language,
    words and length, but text that no earlier copy had (see build_replay_warc's `vary`)."""
    rng = random.Random(seed)

    def shuffle(match: re.Match) -> bytes:
        words = match.group(1).split()
        rng.shuffle(words)
        return b">" + b" ".join(words) + b"<"

    return TEXT_NODE.sub(shuffle, body)


def build_replay_warc(
    pages: list[Page], path: Path, min_records: int, target_mb: float, id_prefix: str = "", vary: bool = False
) -> BuiltInput:
    """Write `pages` round-robin as a per-record gzip WARC until both `min_records` and `target_mb`
    of HTML are reached. Record ids are uuid5 of `id_prefix` and the record index: unique (give each
    file its own prefix) and deterministic. With `vary`, every copy after a page's first has the
    words of its text nodes shuffled, so that no two records hold the same text: otherwise
    trafilatura's cross-document deduplication (FineWeb's setting) empties the repeated copies and
    every step after extraction sees almost nothing, unlike on a real crawl."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    if not pages:
        raise SystemExit("no HTML responses found in the shared data; see --data")
    started = time.perf_counter()
    records, html_bytes = 0, 0
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        info = b"software: curate scripts/bench.py\r\nformat: WARC File Format 1.0\r\n"
        writer.write_record(
            writer.create_warc_record(
                "",
                "warcinfo",
                payload=io.BytesIO(info),
                length=len(info),
                warc_headers_dict={
                    "WARC-Record-ID": _record_id("warcinfo"),
                    "WARC-Date": WARCINFO_DATE,
                    "WARC-Filename": path.name,
                },
            )
        )
        for index, page in zip(itertools.count(), itertools.cycle(pages)):
            if index >= min_records and html_bytes >= target_mb * MB:
                break
            body, headers = page.body, page.http_headers
            if vary and index >= len(pages):
                body = shuffled_text(page.body, index)
                headers = StatusAndHeaders(headers.statusline, list(headers.headers), headers.protocol)
                headers.replace_header("Content-Length", str(len(body)))
            writer.write_record(
                writer.create_warc_record(
                    page.url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                    warc_headers_dict={
                        "WARC-Record-ID": _record_id(f"{id_prefix}{index}"),
                        "WARC-Date": page.date,
                    },
                )
            )
            records += 1
            html_bytes += len(body)
    return BuiltInput(
        path=path,
        records=records,
        source_pages=len(pages),
        html_mb=html_bytes / MB,
        uncompressed_mb=_gunzipped_size(path) / MB,
        compressed_mb=path.stat().st_size / MB,
        build_s=time.perf_counter() - started,
    )


def _record_id(index: int | str) -> str:
    return f"<urn:uuid:{uuid.uuid5(RECORD_ID_NAMESPACE, f'bench-{index}')}>"


def _gunzipped_size(path: Path) -> int:
    size = 0
    with gzip.open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
    return size


# --- measurements: each one runs in its own subprocess -------------------------------------------


def measure_baseline(path: Path, out_dir: Path) -> int:
    """The bare loop curate is compared with: warcio + resiliparse, nothing else. Returns docs."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from warcio.archiveiterator import ArchiveIterator

    docs = 0
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            http = record.http_headers
            if record.rec_type != "response" or http is None or http.get_statuscode() != "200":
                continue
            mime = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
            if mime not in HTML_TYPES:
                continue
            payload = record.content_stream().read()
            html = bytes_to_str(payload, detect_encoding(payload))
            text = extract_plain_text(html, main_content=True, alt_texts=False)
            if text.strip():
                docs += 1
    return docs


def _measure_curate(path: Path, out_dir: Path, in_process: bool = False, full: bool = False) -> int:
    """curate's pipeline: read, extract, staged Parquet, ledger, shards; with `full`, language ID
    and the filters too. Returns the documents extracted (kept + removed by later stages)."""
    from curate.config import Config
    from curate.run import run_pipeline

    config = Config()
    config.langid.enabled = config.filters.enabled = full
    config.filters.badwords_dir = str(DEFAULT_DATA.parent / "ldnoobw")
    if in_process:
        config.extract.timeout_s = 0  # extractor in this process, no sandbox
    result = run_pipeline([str(path)], out_dir, config.validate(), show_progress=False)
    if result.failed:
        raise RuntimeError("; ".join(t.failure or "" for t in result.failed))
    return sum(t.totals["kept"] + t.totals["removed"] for t in result.tasks)


def measure_curate(path: Path, out_dir: Path) -> int:
    return _measure_curate(path, out_dir)


def measure_curate_inprocess(path: Path, out_dir: Path) -> int:
    return _measure_curate(path, out_dir, in_process=True)


def measure_curate_full(path: Path, out_dir: Path) -> int:
    return _measure_curate(path, out_dir, full=True)


EXTRACT_VARIANTS: dict[str, Callable[[Path, Path], int]] = {
    "baseline": measure_baseline,
    "curate": measure_curate,
    "curate-inprocess": measure_curate_inprocess,
    "curate-full": measure_curate_full,
}
# Every measurement a child process can run, by name; later benchmarks add theirs.
MEASUREMENTS: dict[str, Callable[[Path, Path], int]] = {**EXTRACT_VARIANTS, **PIPELINE_MEASUREMENTS}


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


def child_main(variant: str, input_path: Path, out_dir: Path) -> None:
    """Run one measurement and print it as one JSON line: docs, seconds, CPU seconds, peak RSS."""
    measure = MEASUREMENTS[variant]
    # Import what the measurement needs before the clock starts: import time is not throughput.
    if variant == "baseline":
        import resiliparse.extract.html2text  # noqa: F401
        import warcio.archiveiterator  # noqa: F401
    else:
        import curate.run  # noqa: F401
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
        str(Path(__file__).resolve()),
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


# --- the extract benchmark ------------------------------------------------------------------------


@dataclass
class VariantSummary:
    """The runs of one variant and what the table shows of them."""

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


def bench_extract(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Read + extract throughput and peak RSS: baseline vs curate, on one replayed WARC."""
    pages = collect_pages(args.data)
    built = build_replay_warc(pages, workdir / REPLAY_NAME, args.records, args.target_mb)
    print(
        f"input: {built.path.name}: {built.records} HTML responses replayed from "
        f"{built.source_pages} pages; {built.compressed_mb:.1f} MB gzipped, "
        f"{built.uncompressed_mb:.1f} MB uncompressed ({built.html_mb:.1f} MB of HTML); "
        f"built in {built.build_s:.1f} s",
        flush=True,
    )
    summaries = {variant: VariantSummary(variant) for variant in EXTRACT_VARIANTS}
    for round_number in range(1, args.repeat + 1):
        for variant, summary in summaries.items():
            run = run_measurement(variant, built.path, workdir)
            summary.runs.append(run)
            print(
                f"  round {round_number}/{args.repeat} {variant:<17} {run.docs} docs "
                f"in {run.seconds:6.2f} s = {run.docs_per_s:6.1f} docs/s "
                f"(CPU {run.cpu_s:6.2f} s), "
                f"peak RSS {run.peak_rss_mb:.0f} MB",
                file=sys.stderr,
                flush=True,
            )

    baseline = summaries["baseline"]
    baseline_rate = baseline.best.docs_per_s
    print()
    print("| variant | docs | docs/s (best) | vs baseline | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    results: dict[str, Any] = {}
    for variant, summary in summaries.items():
        best = summary.best
        ratio = best.docs_per_s / baseline_rate if baseline_rate else 0.0
        # Cross-checks against noise: the ratio within each round, and the ratio of CPU time.
        round_ratios = [run.docs_per_s / base.docs_per_s for run, base in zip(summary.runs, baseline.runs)]
        base_cpu_rate = baseline.best_docs_per_cpu_s
        cpu_ratio = summary.best_docs_per_cpu_s / base_cpu_rate if base_cpu_rate else 0.0
        print(
            f"| {variant} | {best.docs} | {best.docs_per_s:.1f} | {ratio:.2f}x | {summary.peak_rss_mb:.0f} |"
        )
        results[variant] = {
            "docs": best.docs,
            "best_docs_per_s": best.docs_per_s,
            "vs_baseline": ratio,
            "peak_rss_mb": summary.peak_rss_mb,
            "round_ratios": round_ratios,
            "median_round_ratio": statistics.median(round_ratios),
            "cpu_vs_baseline": cpu_ratio,
            "runs": [
                {**asdict(run), "docs_per_s": run.docs_per_s, "docs_per_cpu_s": run.docs_per_cpu_s}
                for run in summary.runs
            ],
        }
    print()
    print(
        f"input: {built.compressed_mb:.1f} MB compressed, {built.uncompressed_mb:.1f} MB "
        f"uncompressed, {built.records} records; best of {args.repeat} interleaved rounds"
    )
    for variant, result in results.items():
        if variant != "baseline":
            rounds = " ".join(f"{r:.2f}" for r in result["round_ratios"])
            print(
                f"{variant}: vs baseline per round {rounds} (median {result['median_round_ratio']:.2f}); "
                f"by CPU time {result['cpu_vs_baseline']:.2f}x"
            )
    curate = results["curate"]
    overhead = 1 / curate["vs_baseline"] - 1 if curate["vs_baseline"] else float("inf")
    print(
        f"curate: time overhead vs baseline {overhead:+.0%} (budget {MAX_OVERHEAD:.0%}): "
        f"{'ok' if overhead <= MAX_OVERHEAD else 'OVER'}; peak RSS {curate['peak_rss_mb']:.0f} MB "
        f"(budget {MAX_PEAK_RSS_MB} MB): "
        f"{'ok' if curate['peak_rss_mb'] < MAX_PEAK_RSS_MB else 'OVER'}"
    )
    return {
        "input": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(built).items()},
        "repeat": args.repeat,
        "variants": results,
        "curate_overhead": overhead,
    }


# Benchmarks by name, each a flag; the first is the default. Later: --pipeline.
BENCHMARKS: dict[str, Callable[[argparse.Namespace, Path], dict[str, Any]]] = {
    "extract": bench_extract,
    "langid": bench_langid,
    "langid-prefix": bench_langid_prefix,
    "filters": bench_filters,
    "minhash": bench_minhash,
    "dedup-scale": bench_dedup_scale,
    "train": bench_train,
    "pipeline": bench_pipeline,
    "workers": bench_workers,
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
        child_main(args.child, args.child_input, args.child_out)
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
