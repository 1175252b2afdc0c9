"""Reading a WARC: warcio (the card's reader, what curate's hardened reader wraps) against FastWARC
(an optional reader, 1.6x warcio on gzip in its own benchmark), for scripts/bench.py --readers.

Three ways to read the replayed benchmark WARC, each in its own process: warcio's and FastWARC's
bare iterators (every response record's payload read), and curate's reader (`read_input`: header
lines capped, damage booked and skipped, charsets, record ids); then the bare extraction loop over
each bare reader, to show what reading is worth beside extraction.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_extract import bare_extract, measure_baseline  # noqa: E402 - scripts/ is on sys.path
from bench_measure import run_rounds  # noqa: E402
from bench_replay import REPLAY_NAME, build_replay_warc, collect_pages  # noqa: E402


def _warcio_payloads(path: Path) -> Any:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                yield record.content_stream().read()


def _fastwarc_payloads(path: Path) -> Any:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
            yield record.reader.read()


def measure_read_warcio(path: Path, out_dir: Path) -> int:
    return sum(1 for _ in _warcio_payloads(path))


def measure_read_fastwarc(path: Path, out_dir: Path) -> int:
    return sum(1 for _ in _fastwarc_payloads(path))


def measure_read_curate(path: Path, out_dir: Path) -> int:
    from curate.config import ReadConfig
    from curate.readers import read_input

    with read_input(str(path), ReadConfig()) as opened:
        return sum(1 for record in opened.records if record.html is not None)


def measure_extract_fastwarc(path: Path, out_dir: Path) -> int:
    """The bare loop of bench_extract.measure_baseline, reading with FastWARC."""
    return sum(bare_extract(payload) for payload in _fastwarc_payloads(path))


READER_VARIANTS: dict[str, Callable[[Path, Path], int]] = {
    "read-warcio": measure_read_warcio,
    "read-fastwarc": measure_read_fastwarc,
    "read-curate": measure_read_curate,
    "extract-warcio": measure_baseline,
    "extract-fastwarc": measure_extract_fastwarc,
}
READER_PRELOAD = {
    "read-warcio": ("warcio.archiveiterator",),
    "read-fastwarc": ("fastwarc.warc",),
    "read-curate": ("curate.readers",),
    "extract-warcio": ("warcio.archiveiterator", "resiliparse.extract.html2text"),
    "extract-fastwarc": ("fastwarc.warc", "resiliparse.extract.html2text"),
}


def bench_readers(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Reading: warcio, FastWARC and curate's reader; the bare extraction loop over each reader."""
    try:
        import fastwarc  # noqa: F401
    except ImportError:
        raise SystemExit("--readers needs FastWARC: pip install fastwarc") from None
    built = build_replay_warc(collect_pages(args.data), workdir / REPLAY_NAME, args.records, args.target_mb)
    summaries = run_rounds(READER_VARIANTS, built.path, workdir, args.repeat, "records", built.records)
    rate = {name: built.records / summary.best.seconds for name, summary in summaries.items()}
    print(f"\ninput: {built.records} records, {built.compressed_mb:.1f} MB gzipped; best of {args.repeat}\n")
    print("| variant | records/s | ms/record | vs warcio |")
    print("|---|---:|---:|---:|")
    for name in READER_VARIANTS:
        base = rate["extract-warcio" if name.startswith("extract") else "read-warcio"]
        print(f"| {name} | {rate[name]:,.0f} | {1000 / rate[name]:.3f} | {rate[name] / base:.2f}x |")
    return {"records": built.records, "records_per_s": rate}
