"""No orphans: a worker or extraction child ends when the process that started it does.

A SIGKILLed `curate run` cannot stop its children itself; left alone, they would go on writing
into OUT while a rerun starts. On Linux the kernel kills the child when its parent dies
(PR_SET_PDEATHSIG); elsewhere, and as a backstop, a thread polls the parent's pid.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_S = 0.5


def die_with_parent(parent: int | None = None) -> None:
    """Call first thing in a child process; `parent`: the pid of the process that started it,
    when known (it tells a parent that died before this call)."""
    parent = parent or os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="curate-parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_S)
    os._exit(1)
