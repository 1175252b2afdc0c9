"""The errors table: what was booked as an error (extraction timeouts, steps that raised, damaged
records), by stage and reason, with the documents, bytes and inputs it hit, from the ledgers; and
inputs that failed as a whole, from the run record (nothing of them is in the ledgers). With a few
examples of each: URL, exception and message, from the error logs (OUT/stats/errors/)."""

from __future__ import annotations

import polars as pl

from curate.statistics.sources import RunOutputs

EXAMPLES = 3  # per (stage, reason)
FAILED_INPUT = {"stage": "input", "reason": "failed"}  # an input of which nothing was kept
COUNTS_SCHEMA = {
    "stage": pl.String,
    "reason": pl.String,
    "docs": pl.Int64,
    "bytes": pl.Int64,
    "inputs": pl.Int64,
}
EXAMPLE_COLUMNS = {
    "stage": pl.String,
    "reason": pl.String,
    "url": pl.String,
    "error_type": pl.String,
    "message": pl.String,
    "input": pl.String,
}


def error_counts(run: RunOutputs) -> pl.DataFrame:
    """Per (stage, reason): documents and bytes booked as errors, and how many inputs had them;
    inputs that failed as a whole last (their documents were never counted)."""
    booked = (
        run.ledger.filter(pl.col("outcome") == "error")
        .group_by("stage", "reason")
        .agg(pl.col("docs").sum(), pl.col("bytes").sum(), pl.col("input").n_unique().alias("inputs"))
        .sort("docs", "stage", "reason", descending=[True, False, False])
    )
    failed = [{**FAILED_INPUT, "inputs": len(run.failed_inputs)}] if run.failed_inputs else []
    return pl.concat([booked.cast(COUNTS_SCHEMA), pl.DataFrame(failed, schema=COUNTS_SCHEMA)])


def _first(log: pl.DataFrame) -> pl.DataFrame:
    return log.group_by("stage", "reason", maintain_order=True).head(EXAMPLES)


def error_examples(run: RunOutputs) -> pl.DataFrame:
    """The first EXAMPLES error records of each (stage, reason), task by task, and the inputs that
    failed with why. One error log is read at a time."""
    pieces = [pl.DataFrame(schema=EXAMPLE_COLUMNS)]
    for task in sorted(run.ledger["task"].unique()):
        path = run.layout.error_log(task)
        if path.exists():
            pieces.append(_first(pl.read_parquet(path, columns=list(EXAMPLE_COLUMNS))))
    failed = [{**FAILED_INPUT, "input": i, "message": why} for i, why in run.failed_inputs.items()]
    pieces.append(pl.DataFrame(failed, schema=EXAMPLE_COLUMNS))
    return _first(pl.concat(pieces))
