"""A CPU-time bound per document for the filters, so that one pathological text cannot stall a task.

SIGPROF (ITIMER_PROF: this process's CPU time) interrupts the Python code of the filter at the
bound. CPU time, not wall time: a page gets the same verdict whether or not other processes load
the machine. Two limits, both said in the README:
the check happens between Python operations, so a single long C call (one regex match) finishes
first, which the size cap (`filters.max_text_chars`) keeps short; and signals work in the main
thread only, so elsewhere (a Ray actor thread) the filters run unbounded.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class OutOfTime(BaseException):
    """Raised inside the bounded call; a BaseException so that no `except Exception` swallows it."""


def _out_of_time(signum: int, frame: object) -> None:
    raise OutOfTime


class TimeBound:
    """`with TimeBound(seconds) as bound: bound.run(f, x)` -> f(x), or None when it ran out of time.

    Zero seconds, or no main thread, means no bound.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = (
            seconds > 0
            and hasattr(signal, "ITIMER_PROF")
            and threading.current_thread() is threading.main_thread()
        )
        self._previous: object = None

    def __enter__(self) -> TimeBound:
        if self.active:
            self._previous = signal.signal(signal.SIGPROF, _out_of_time)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, self._previous)

    def run(self, function: Callable[..., T], *args: object) -> T | None:
        if not self.active:
            return function(*args)
        try:
            signal.setitimer(signal.ITIMER_PROF, self.seconds)
            try:
                return function(*args)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
        except OutOfTime:  # also when the alarm lands just as the call returns: it took the bound
            return None


NO_BOUND = TimeBound(0)
