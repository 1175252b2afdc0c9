"""Fault isolation for batch steps: an exception in a step costs the documents it fails on, never
the batch, the task or the run.

A batch step that raises is run again one document at a time on a fresh copy of its columns; a
document it still raises on becomes a `failed` Removal, booked as an error `<step>_failed` with the
exception in the error log. The batch attempt works on a copy, so a step that changed some
documents before it raised (C4 rewrites text) never applies twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from curate.pipeline.steps import Removal, failed

T = TypeVar("T")
Item = TypeVar("Item")


def each_or_failure(
    step: str, items: list[Item], judge: Callable[[list[Item]], list[T]]
) -> list[T | Removal]:
    """`judge(items)`, one result per item; if it raises, `judge([item])` for each item, and an
    item it still raises on gets the `failed` Removal of `step` instead of a result."""
    try:
        return list(judge(items))
    except Exception:
        pass
    results: list[T | Removal] = []
    for item in items:
        try:
            results.append(judge([item])[0])
        except Exception as exc:
            results.append(failed(step, exc))
    return results


def run_isolated(
    step: str, columns: dict[str, list], apply: Callable[[dict[str, list]], list[T]]
) -> list[T | Removal]:
    """`apply(columns)` (which fills columns in place and returns one result per document) over
    the batch, else per document; `columns` gets the filled values of every document that passed."""
    count = len(columns["id"])

    def apply_to(rows: list[int]) -> list[T]:
        whole = len(rows) == count
        part = {
            name: list(values) if whole else [values[i] for i in rows] for name, values in columns.items()
        }
        results = apply(part)  # on a copy: what it filled is kept only if it returns
        if whole:
            columns.update(part)
        else:
            for name, values in part.items():
                for i, value in zip(rows, values):
                    columns[name][i] = value
        return results

    return each_or_failure(step, list(range(count)), apply_to)
