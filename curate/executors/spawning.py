"""How the local pool starts its workers: fresh interpreters, as multiprocessing's spawn, that do not
import the user's main module.

Spawn runs the parent's main script again in every worker (to find what it defined), so a plain
script that calls `curate.run(...)` without an `if __name__ == "__main__":` guard would start the
run again in each worker. loky's start method (joblib's) leaves __main__ alone and pickles the
process's arguments with cloudpickle: what the script defined itself travels by value."""

from __future__ import annotations

from multiprocessing.context import BaseContext

from loky.backend.context import get_context


def worker_context() -> BaseContext:
    """The multiprocessing context of the local pool's workers."""
    return get_context("loky")
