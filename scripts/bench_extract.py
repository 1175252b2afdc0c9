"""Read + extract benchmark for scripts/bench.py: a bare warcio + resiliparse loop (`baseline`) next
to curate's read+extract pipeline on the same replayed WARC (`curate`, with the extraction sandbox;
`curate-inprocess`, without; `curate-full`, the default run with every batch step).

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench_measure import run_rounds  # noqa: E402 - scripts/ is on sys.path
from bench_replay import HTML_TYPES, LDNOOBW, REPLAY_NAME, build_replay_warc, collect_pages  # noqa: E402

# Budgets from the issue: curate's time overhead vs the bare loop, and its peak RSS.
MAX_OVERHEAD = 0.30
MAX_PEAK_RSS_MB = 500


def bare_extract(payload: bytes) -> bool:
    """What the bare loop does with a page: its charset detected, its main content extracted.
    Whether the page had text."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    html = bytes_to_str(payload, detect_encoding(payload))
    return bool(extract_plain_text(html, main_content=True, alt_texts=False).strip())


def measure_baseline(path: Path, out_dir: Path) -> int:
    """The bare loop curate is compared with: warcio + resiliparse, nothing else. Returns docs."""
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
            docs += bare_extract(record.content_stream().read())
    return docs


def _measure_curate(path: Path, out_dir: Path, in_process: bool = False, full: bool = False) -> int:
    """curate's pipeline: read, extract, staged Parquet, ledger, shards; with `full`, the default
    run (Unicode repair, topics, language ID, the filters). Returns the documents extracted (kept
    + removed by later stages)."""
    from curate.config import Config
    from curate.pipeline.run import run_pipeline

    config = Config()
    # Read + extract: none of the batch steps (as when issue #2 set the budget); `full`: all of them.
    config.langid.enabled = config.filters.enabled = config.topics.enabled = config.unicode.enabled = full
    config.filters.badwords_dir = str(LDNOOBW)
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
# What a variant imports before its clock starts, where that is not curate (bench_measure.child_main).
EXTRACT_PRELOAD = {"baseline": ("resiliparse.extract.html2text", "warcio.archiveiterator")}


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
    summaries = run_rounds(EXTRACT_VARIANTS, built.path, workdir, args.repeat, "docs")

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
