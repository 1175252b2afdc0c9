"""Fault isolation for batch steps: an exception in a step costs the documents it fails on, never
the batch, the task or the run.

A batch step that raises is run again one document at a time on a fresh copy of its columns; a
document it still raises on becomes a `StepFailure`, booked as an error `<step>_failed` with the
exception in the error log. The batch attempt works on a copy, so a step that changed some
documents before it raised (C4 rewrites text) never applies twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class StepFailure:
    """A document that step `stage` raised on."""

    stage: str
    error: BaseException

    @property
    def reason(self) -> str:
        return failed_reason(self.stage)


def failed_reason(stage: str) -> str:
    return f"{stage}_failed"


def copy_columns(columns: dict[str, list]) -> dict[str, list]:
    return {name: list(values) for name, values in columns.items()}


def run_isolated(
    step: str, columns: dict[str, list], apply: Callable[[dict[str, list]], list[T]]
) -> list[T | StepFailure]:
    """`apply(columns)` (which fills columns in place and returns one result per document) over
    the batch, else per document; `columns` gets the filled values of every document that passed."""
    attempt = copy_columns(columns)
    try:
        results: list[T | StepFailure] = list(apply(attempt))
    except Exception:
        results = [_apply_one(step, columns, i, apply) for i in range(len(columns["id"]))]
    else:
        columns.update(attempt)
    return results


def _apply_one(
    step: str, columns: dict[str, list], index: int, apply: Callable[[dict[str, list]], list[T]]
) -> T | StepFailure:
    single = {name: values[index : index + 1] for name, values in columns.items()}
    try:
        result = apply(single)[0]
    except Exception as exc:
        return StepFailure(step, exc)
    for name, values in single.items():
        columns[name][index] = values[0]
    return result
