"""What a run prints at its end: per input, then per (stage, outcome, reason), per language, and
where the shards and the report are."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from curate.layout import OutputLayout
from curate.ledger import read_ledgers
from curate.pipeline.run import RunResult
from curate.pipeline.task import TaskResult
from curate.statistics.report import produce_report

COLUMNS = ("read", "kept", "removed", "skipped", "error")


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = [
        "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _short(location: str, width: int = 60) -> str:
    return location if len(location) <= width else "..." + location[-(width - 3) :]


def format_inputs(results: list[TaskResult]) -> str:
    rows = []
    for result in results:
        if result.failure:
            rows.append([_short(result.input), *["-"] * len(COLUMNS), "FAILED"])
        else:
            rows.append([_short(result.input), *[f"{result.totals.get(c, 0):,}" for c in COLUMNS], "ok"])
    ok = [r for r in results if not r.failure]
    if len(results) > 1:
        rows.append(["total", *[f"{sum(r.totals.get(c, 0) for r in ok):,}" for c in COLUMNS], ""])
    return _table(["input", *COLUMNS, "status"], rows)


def format_reasons(ledger: pl.DataFrame) -> str:
    # Dedup books a transfer (-n kept at stage dedup): show the net kept count on one row.
    net_kept = pl.col("outcome") == "kept"
    booked = (
        ledger.filter(pl.col("outcome") != "read")
        .with_columns(
            pl.when(net_kept).then(pl.lit("write")).otherwise(pl.col("stage")).alias("stage"),
            pl.when(net_kept).then(pl.lit("kept")).otherwise(pl.col("reason")).alias("reason"),
        )
        .group_by("stage", "outcome", "reason")
        .agg(pl.col("docs").sum(), pl.col("bytes").sum())
        .sort("docs", "stage", "reason", descending=[True, False, False])
    )
    rows = [
        [r["stage"], r["outcome"], r["reason"], f"{r['docs']:,}", f"{r['bytes']:,}"]
        for r in booked.iter_rows(named=True)
    ]
    return _table(["stage", "outcome", "reason", "docs", "bytes"], rows)


def format_failures(results: list[TaskResult]) -> str:
    return "\n".join(f"error: {r.failure}" for r in results if r.failure)


def format_languages(ledger: pl.DataFrame) -> str:
    """Kept and removed documents per language, most kept first."""
    per_language = (
        ledger.filter(pl.col("outcome").is_in(["kept", "removed"]))
        .pivot(on="outcome", index="lang", values="docs", aggregate_function="sum")
        .fill_null(0)
    )
    for outcome in ("kept", "removed"):
        if outcome not in per_language.columns:
            per_language = per_language.with_columns(pl.lit(0).alias(outcome))
    per_language = per_language.sort(["kept", "lang"], descending=[True, False])
    rows = [[r["lang"], f"{r['kept']:,}", f"{r['removed']:,}"] for r in per_language.iter_rows(named=True)]
    return _table(["lang", "kept", "removed"], rows)


def report_run(result: RunResult) -> int:
    """Print the summary; exit code 0, or 1 when some input failed."""
    if result.tasks and len(result.failed) == len(result.tasks):
        print(format_failures(result.tasks), file=sys.stderr)  # one line per input, nothing else
        return 1
    print(format_inputs(result.tasks))
    resumed = sum(t.resumed for t in result.tasks)
    if resumed:
        print(
            f"{resumed} of {len(result.tasks)} inputs done by an earlier run: skipped (--force redoes them)"
        )
    in_store = result.ledger is not None  # OUT in an object store: the finish task wrote the report
    layout = OutputLayout(Path(result.out_dir))
    ledger = result.ledger if in_store else read_ledgers(layout)
    if ledger.height:
        print()
        print(format_reasons(ledger))
        print()
        print(format_languages(ledger))
    if result.shards:
        shards_dir = f"{result.out_dir}/shards" if in_store else layout.shards_dir
        print(f"\n{len(result.shards)} shard(s) in {shards_dir} ({result.seconds:.1f} s)")
    print(f"report: {result.report if in_store else produce_report(layout.root)[1]}")
    if result.failed:
        print(format_failures(result.tasks), file=sys.stderr)
        return 1
    return 0
