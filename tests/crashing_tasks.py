"""Tasks for the executor tests, importable by spawned worker processes."""

from __future__ import annotations

import os
import signal


def square_unless_poison(x: int, poison: int) -> int:
    if x == poison:
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
    return x * x


def square_unless_raises(x: int, poison: int) -> int:
    if x == poison:
        raise ValueError(f"task {x} is poisoned")
    return x * x


def die_the_first_time(marker: str) -> None:
    """A worker setup whose first worker dies while it starts (the marker file says it did)."""
    try:
        with open(marker, "x"):
            pass
    except FileExistsError:
        return
    os.kill(os.getpid(), signal.SIGKILL)
