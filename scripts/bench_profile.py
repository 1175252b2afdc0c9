"""Where the time goes: one `curate run` (default configuration, one worker, extraction in process)
over the replayed benchmark WARC, with a timer around each step, for scripts/bench.py --profile.

Each timer counts its own time only (exclusive: a step's time leaves out the timers nested in it),
so the rows add up to the run's wall time. `bookkeeping` is what the task does outside every step
(record ids, the ledger, the batch's columns); `read` is the reader's (warcio's parsing and
decompression, curate's capped header lines, charsets). The sandbox's round trip is the
difference between the default run (sandboxed extraction) and this one, printed under the table.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property, wraps
from pathlib import Path
from typing import Any

from bench_replay import LDNOOBW, REPLAY_NAME, build_replay_warc, collect_pages  # noqa: E402


class ExclusiveTimers:
    """Seconds per label, each timer's nested timers subtracted from it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list] = []  # [label, started, nested seconds]

    @contextmanager
    def timing(self, label: str) -> Iterator[None]:
        frame = [label, time.perf_counter(), 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.perf_counter() - frame[1]
            self.seconds[label] += elapsed - frame[2]
            self.calls[label] += 1
            if self._stack:
                self._stack[-1][2] += elapsed

    def wrap(self, owner: Any, attribute: str, label: str | Callable[[Any], str]) -> None:
        """Time every call of `owner.attribute`; a callable label is given the call's `self`."""
        original = getattr(owner, attribute)

        @wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.timing(label(args[0]) if callable(label) else label):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)

    def wrap_reader(self, module: Any, label: str) -> None:
        """Time each record `module.read_input`'s records iterator yields."""
        original = module.read_input

        def timed_records(records: Iterator[Any]) -> Iterator[Any]:
            while True:
                with self.timing(label):
                    record = next(records, None)
                if record is None:
                    return
                yield record

        @contextmanager
        def timed_read_input(*args: Any, **kwargs: Any) -> Iterator[Any]:
            with original(*args, **kwargs) as opened:
                opened.records = timed_records(opened.records)
                yield opened

        module.read_input = timed_read_input

    def wrap_cached_property(self, owner: type, attribute: str, label: str) -> None:
        function = owner.__dict__[attribute].func

        def timed(instance: Any) -> Any:
            with self.timing(label):
                return function(instance)

        prop = cached_property(timed)
        prop.__set_name__(owner, attribute)
        setattr(owner, attribute, prop)


def instrument(timers: ExclusiveTimers) -> None:
    """Timers around every step of a run (patched on the classes: the run is in this process)."""
    import curate.pipeline.run as run
    import curate.pipeline.task as task
    import curate.pipeline.worker as worker
    from curate.dedup.signatures import SignatureWriter
    from curate.pipeline.batch import Batch
    from curate.pipeline.removed import RemovedWriter
    from curate.pipeline.steps.decontaminate import DecontaminateStep
    from curate.pipeline.steps.language import LanguageStep
    from curate.pipeline.steps.record import ExtractStep, UrlStep
    from curate.pipeline.steps.repair import RepairStep
    from curate.pipeline.steps.topics import TopicStep
    from curate.shards import ShardWriter
    from filters import BatchFilter, TextFeatures

    timers.wrap(worker, "run_task", "bookkeeping (ids, ledger, columns)")
    timers.wrap_reader(task, "read (warcio, capped lines, charset)")
    timers.wrap(UrlStep, "apply", "URL filter")
    timers.wrap(ExtractStep, "apply_many", "extract (resiliparse)")
    timers.wrap(RepairStep, "apply", "Unicode repair")
    timers.wrap(TopicStep, "apply", "topics (tagging)")
    timers.wrap(LanguageStep, "apply", "language ID")
    for prop in ("words", "lines", "newline_lines", "paragraphs", "lower"):
        timers.wrap_cached_property(TextFeatures, prop, "filters: words, lines (shared)")
    for method in ("compute_rewriting", "decide"):
        timers.wrap(BatchFilter, method, lambda self: f"filter: {self.name}")
    timers.wrap(DecontaminateStep, "apply", "decontamination")
    timers.wrap(Batch, "_to_table", "Arrow table")
    timers.wrap(Batch, "_sign", "dedup signatures")
    timers.wrap(SignatureWriter, "close", "dedup signatures")
    for method in ("write", "close"):
        timers.wrap(ShardWriter, method, "staging (Parquet)")
        timers.wrap(RemovedWriter, method, "removed-document record")
    timers.wrap(run, "fit_run_clusters", "topic clusters (fit, per run)")
    timers.wrap(run, "deduplicate_if_enabled", "dedup (per run)")
    timers.wrap(run, "with_shards", "final shards + report (per run)")


def profile_run(path: Path, out_dir: Path) -> tuple[ExclusiveTimers, float, int]:
    """(timers, wall seconds, documents extracted) of one instrumented default run."""
    from curate.config import Config
    from curate.pipeline.run import run_pipeline

    timers = ExclusiveTimers()
    instrument(timers)
    config = Config()
    config.filters.badwords_dir = str(LDNOOBW)
    config.extract.timeout_s = 0  # in process: the extractor's time is timed, not a pipe's wait
    shutil.rmtree(out_dir, ignore_errors=True)
    started = time.perf_counter()
    with timers.timing("run set-up (lock, models, workers)"):
        result = run_pipeline([str(path)], out_dir, config.validate(), show_progress=False, workers=1)
    wall = time.perf_counter() - started
    if result.failed:
        raise RuntimeError("; ".join(t.failure or "" for t in result.failed))
    return timers, wall, sum(t.totals["kept"] + t.totals["removed"] for t in result.tasks)


def bench_profile(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Where the time of a default run goes, per step, against extraction's own time."""
    import curate.pipeline.run  # noqa: F401 - imports before the clock, as the other benchmarks do

    pages = collect_pages(args.data)
    built = build_replay_warc(pages, workdir / REPLAY_NAME, args.records, args.target_mb)
    timers, wall, docs = profile_run(built.path, workdir / "out")
    extract_s = timers.seconds["extract (resiliparse)"]
    print(f"input: {built.path.name}: {built.records} records, {docs} documents; run {wall:.2f} s\n")
    print("| step | calls | s | ms/doc | share | vs extraction |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = sorted(timers.seconds.items(), key=lambda item: -item[1])
    for label, seconds in rows:
        print(
            f"| {label} | {timers.calls[label]} | {seconds:.2f} | {1000 * seconds / docs:.3f} | "
            f"{seconds / wall:.1%} | {seconds / extract_s:.2f}x |"
        )
    after = wall - extract_s - timers.seconds["read (warcio, capped lines, charset)"]
    print(
        f"\neverything but reading and extraction: {after:.2f} s = {after / extract_s:.2f}x extraction "
        f"({1000 * after / docs:.2f} ms/doc)"
    )
    return {
        "docs": docs,
        "wall_s": wall,
        "steps": {label: {"seconds": s, "calls": timers.calls[label]} for label, s in rows},
    }
