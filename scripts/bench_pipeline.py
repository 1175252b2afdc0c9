"""Whole-pipeline benchmarks for scripts/bench.py.

--pipeline: `curate run` (everything: extraction, language ID, the filters, dedup, shards and the
report) against datatrove's FineWeb first stage (WarcReader -> URLFilter -> Trafilatura ->
LanguageFilter -> Gopher repetition -> Gopher quality -> C4 -> FineWeb -> JSONL writer), one worker
each, on the same replayed WARC; and curate with trafilatura too, so that the extractor's share of
the difference shows; and the bare warcio + resiliparse loop, the floor, on the same input. Each
variant also runs on the input's first quarter, for the marginal cost of a record.
--workers: `curate run` over 20 files with one and with two worker processes.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench_extract import measure_baseline  # noqa: E402 - scripts/ is on sys.path
from bench_measure import VariantSummary, run_rounds, run_rounds_on  # noqa: E402
from bench_replay import LDNOOBW, REPLAY_NAME, build_replay_warc, collect_pages  # noqa: E402

WORKER_FILES = 20


def _curate_config(extractor: str = "resiliparse", new_steps: bool = True):
    """The default config; without `new_steps`, less the steps of issues #24 and #25 (topics,
    Unicode repair, PII masking), to measure what they cost in the same run."""
    from curate.config import Config

    config = Config()
    config.extract.extractor = extractor
    if not new_steps:
        config.topics.enabled = config.unicode.enabled = False
        config.filters.order = [name for name in config.filters.order if name != "pii"]
    config.filters.badwords_dir = str(LDNOOBW)
    return config.validate()


def _run_curate(
    inputs: list[str],
    out_dir: Path | str,
    extractor: str,
    workers: int,
    report: bool,
    new_steps: bool = True,
    **options: Any,
) -> int:
    """`curate run` as the command does it; `options`: run_pipeline's (executor, storage_options);
    into an object store the run writes its report itself."""
    from curate.pipeline.run import run_pipeline
    from curate.statistics.report import produce_report

    config = _curate_config(extractor, new_steps)
    result = run_pipeline(inputs, out_dir, config, show_progress=False, workers=workers, **options)
    if result.failed:
        raise RuntimeError("; ".join(t.failure or "" for t in result.failed))
    if report and isinstance(out_dir, Path):
        produce_report(out_dir)
    return sum(t.totals["read"] for t in result.tasks)


def measure_pipeline_curate(path: Path, out_dir: Path) -> int:
    return _run_curate([str(path)], out_dir, "resiliparse", 1, report=True)


def measure_pipeline_curate_without_new_steps(path: Path, out_dir: Path) -> int:
    return _run_curate([str(path)], out_dir, "resiliparse", 1, report=True, new_steps=False)


def measure_pipeline_curate_trafilatura(path: Path, out_dir: Path) -> int:
    return _run_curate([str(path)], out_dir, "trafilatura", 1, report=True)


def _datatrove_language_filter():
    """datatrove's LanguageFilter with lid.176 from the same file curate uses (it cannot download
    here). datatrove asks for the `fasttext-numpy2-wheel` distribution and predicts one string at a
    time, which the real `fasttext` refuses under NumPy 2; the model is wrapped to predict a
    one-element list instead: the same C++ call."""
    from datatrove.pipeline.filters import LanguageFilter
    from datatrove.utils.lid import FT176LID
    from fasttext.FastText import _FastText

    from langid.model import find_model

    class OneTextPredict:
        def __init__(self, model) -> None:
            self.model = model

        def predict(self, text: str, k: int = -1):
            labels, scores = self.model.predict([text], k=k)
            return labels[0], scores[0]

    class SharedLid176(FT176LID):
        @property
        def model(self):
            if self._model is None:
                self._model = OneTextPredict(_FastText(str(find_model())))
            return self._model

    LanguageFilter._requires_dependencies = ["fasteners"]
    language_filter = LanguageFilter()
    language_filter.model = SharedLid176(None)
    return language_filter


def measure_pipeline_datatrove(path: Path, out_dir: Path) -> int:
    """datatrove's FineWeb first stage, as in its examples/fineweb.py, one task, one worker."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        URLFilter,
    )
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    pipeline = [
        WarcReader(str(path.parent), glob_pattern=path.name),
        URLFilter(),
        Trafilatura(favour_precision=True),
        _datatrove_language_filter(),
        GopherRepetitionFilter(),
        GopherQualityFilter(),
        C4QualityFilter(filter_no_terminal_punct=False),
        FineWebQualityFilter(),
        JsonlWriter(str(out_dir / "output")),
    ]
    executor = LocalPipelineExecutor(pipeline=pipeline, tasks=1, workers=1, logging_dir=str(out_dir / "logs"))
    stats = executor.run()
    return int(stats.stats[0].stats["documents"].total)  # what its reader read


def measure_workers(workers: int, directory: Path, out_dir: Path) -> int:
    return _run_curate(
        [str(p) for p in sorted(directory.glob("*.warc.gz"))], out_dir, "resiliparse", workers, report=False
    )


def measure_workers_1(path: Path, out_dir: Path) -> int:
    return measure_workers(1, path, out_dir)


def measure_workers_2(path: Path, out_dir: Path) -> int:
    return measure_workers(2, path, out_dir)


PIPELINE_VARIANTS = {
    "bare": measure_baseline,
    "datatrove": measure_pipeline_datatrove,
    "curate": measure_pipeline_curate,
    "curate-without-new-steps": measure_pipeline_curate_without_new_steps,
    "curate-trafilatura": measure_pipeline_curate_trafilatura,
}
LABELS = {  # variant -> (table label, extractor)
    "pipeline-bare": ("bare loop: warcio + resiliparse, nothing else", "resiliparse"),
    "pipeline-datatrove": ("datatrove 0.10.1, FineWeb first stage", "trafilatura"),
    "pipeline-curate": ("`curate run`, everything + report", "resiliparse"),
    "pipeline-curate-without-new-steps": ("`curate run` less topics, Unicode repair, PII", "resiliparse"),
    "pipeline-curate-trafilatura": ("`curate run --extractor trafilatura`", "trafilatura"),
}
WORKER_VARIANTS = {"workers-1": measure_workers_1, "workers-2": measure_workers_2}
MEASUREMENTS = {f"pipeline-{k}": v for k, v in PIPELINE_VARIANTS.items()} | WORKER_VARIANTS
# datatrove's modules are imported before its clock starts, as curate's are (bench_measure.child_main).
PRELOAD = {
    "pipeline-bare": ("resiliparse.extract.html2text", "warcio.archiveiterator"),
    "pipeline-datatrove": (
        "datatrove.executor",
        "datatrove.pipeline.extractors",
        "datatrove.pipeline.filters",
        "datatrove.pipeline.readers",
        "datatrove.pipeline.writers.jsonl",
        "datatrove.utils.lid",
    ),
}


def bench_pipeline(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Whole pipeline against datatrove's FineWeb first stage, one worker each, same input."""
    pages = collect_pages(args.data)
    built = build_replay_warc(pages, workdir / REPLAY_NAME, args.records, 0, vary=True)
    # The same input's first quarter (the same records: the replay is deterministic), for the
    # marginal cost of a record: what it costs beyond a run's fixed start-up, models, topic fit
    # (on up to 500 documents: all in the quarter from 2,000 records) and report.
    quarter = build_replay_warc(pages, workdir / f"quarter-{REPLAY_NAME}", args.records // 4, 0, vary=True)
    records = built.records
    print(
        f"input: {records} HTML records replayed from {built.source_pages} pages (later copies: words "
        "shuffled in each text node), "
        f"{built.compressed_mb:.1f} MB gzipped, {built.html_mb:.1f} MB of HTML; and its first "
        f"{quarter.records} records; best of {args.repeat} interleaved rounds, one worker each\n"
    )
    variants = [f"pipeline-{v}" for v in PIPELINE_VARIANTS]
    inputs = {"all": built.path, "quarter": quarter.path}
    counts = {"all": records, "quarter": quarter.records}
    by_input = run_rounds_on(inputs, variants, workdir, args.repeat, "input records", counts)
    summaries = by_input["all"]
    rate = {name: records / summary.best.seconds for name, summary in summaries.items()}
    base, bare = rate["pipeline-datatrove"], rate["pipeline-bare"]
    print(
        "| pipeline (one worker) | extractor | records/s | vs datatrove | vs the bare loop | peak RSS MB |\n"
        "|---|---|---:|---:|---:|---:|"
    )
    for name, summary in summaries.items():
        label, extractor = LABELS[name]
        print(
            f"| {label} | {extractor} | {rate[name]:.1f} | {rate[name] / base:.1f}x "
            f"| {rate[name] / bare:.2f}x | {summary.peak_rss_mb:.0f} |"
        )
    # The ratio within each round as well: on a shared machine the best-of ratio can hide a bad round.
    datatrove_runs = summaries["pipeline-datatrove"].runs
    round_ratios = {
        name: [base_run.seconds / run.seconds for run, base_run in zip(summary.runs, datatrove_runs)]
        for name, summary in summaries.items()
    }
    print()
    for name, ratios in round_ratios.items():
        if name not in ("pipeline-datatrove", "pipeline-bare"):
            print(f"{LABELS[name][0]}: vs datatrove per round " + " ".join(f"{r:.1f}x" for r in ratios))
    marginal = _marginal_table(by_input, records - quarter.records, quarter.records)
    return {
        name: {
            "records_per_s": rate[name],
            "vs_datatrove": rate[name] / base,
            "vs_bare_loop": rate[name] / bare,
            "round_ratios": round_ratios[name],
            "peak_rss_mb": summaries[name].peak_rss_mb,
            **marginal[name],
        }
        for name in summaries
    }


def _marginal_table(
    by_input: dict[str, dict[str, VariantSummary]], extra_records: int, quarter_records: int
) -> dict[str, dict[str, Any]]:
    """Per round, (seconds on all records - seconds on the quarter) / the records between: a
    record's marginal cost, each round's two runs of a variant one after the other. Printed as the
    best round's rate, against datatrove's best, with the per-round ratios and the fixed seconds
    per run that the quarter's run leaves (its seconds less its records at the marginal cost)."""
    per_record = {
        name: [
            (full.seconds - part.seconds) / extra_records
            for full, part in zip(summary.runs, by_input["quarter"][name].runs)
        ]
        for name, summary in by_input["all"].items()
    }
    datatrove = per_record["pipeline-datatrove"]
    print(
        f"\nmarginal cost of a record (each round: the run on all records less the run on the first "
        f"{quarter_records}, over the {extra_records} records between):\n\n"
        "| pipeline (one worker) | marginal records/s | vs datatrove | fixed s per run |\n"
        "|---|---:|---:|---:|"
    )
    results = {}
    for name, costs in per_record.items():
        best = min(costs)
        if best <= 0:  # noise larger than the difference: no marginal rate to show
            print(f"| {LABELS[name][0]} | n/a | n/a | n/a |")
            results[name] = {}
            continue
        best_round = costs.index(best)
        fixed_s = by_input["quarter"][name].runs[best_round].seconds - quarter_records * best
        print(f"| {LABELS[name][0]} | {1 / best:.1f} | {min(datatrove) / best:.1f}x | {fixed_s:.2f} |")
        results[name] = {
            "marginal_records_per_s": 1 / best,
            "marginal_vs_datatrove": min(datatrove) / best,
            "marginal_round_ratios": [d / c if c > 0 else None for d, c in zip(datatrove, costs)],
            "fixed_s": fixed_s,
        }
    print()
    for name, result in results.items():
        if name not in ("pipeline-datatrove", "pipeline-bare") and result:
            ratios = " ".join(f"{r:.1f}x" if r else "n/a" for r in result["marginal_round_ratios"])
            print(f"{LABELS[name][0]}: marginal, vs datatrove per round {ratios}")
    return results


def bench_workers(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """`curate run` over 20 files: two worker processes against one."""
    directory = workdir / "files"
    directory.mkdir(exist_ok=True)
    pages = collect_pages(args.data)
    per_file = max(1, args.records // WORKER_FILES)
    for index in range(WORKER_FILES):
        build_replay_warc(pages, directory / f"part-{index:02d}.warc.gz", per_file, 0, id_prefix=f"{index}-")
    records = per_file * WORKER_FILES
    print(
        f"input: {WORKER_FILES} WARC files of {per_file} HTML records; `curate run` without the report, "
        f"best of {args.repeat} interleaved rounds\n"
    )
    summaries = run_rounds(WORKER_VARIANTS, directory, workdir, args.repeat, "input records", records)
    rate = {name: records / summary.best.seconds for name, summary in summaries.items()}
    print("| workers | records/s | vs one worker | peak RSS MB (largest process) |\n|---:|---:|---:|---:|")
    for name, summary in summaries.items():
        print(
            f"| {name.split('-')[1]} | {rate[name]:.1f} | {rate[name] / rate['workers-1']:.2f}x | "
            f"{summary.peak_rss_mb:.0f} |"
        )
    return {
        name: {"records_per_s": rate[name], "vs_one": rate[name] / rate["workers-1"]} for name in summaries
    }
