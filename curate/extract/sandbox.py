"""Run the extractor in a child process so one pathological page cannot stall a task.

Resiliparse's main-content pass is C code and is quadratic in nesting depth (20,000 nested <div>s
take over 20 s); a signal handler cannot interrupt it, so the bound is a process that ends itself
(see child.py: a CPU-time limit per page) or that we kill.

What the bound measures is the page, never the process: the child says `ready` once its imports
are done and only then is a page sent; a timed-out or crashed page is tried once more on a fresh
child before it is booked, so a page is not lost to a hiccup; a wall-clock backstop (generous,
since a loaded machine slows every page) catches a child that stops answering without using CPU.
A child that cannot start at all fails the task with `ExtractorStartError`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

from curate.errors import CurateError
from curate.extract.extractors import make_extractor

TIMEOUT = "timeout"
CRASHED = "extractor_crashed"
FAILED = "extract_failed"
READY = "ready"  # the child's first message, once its imports are done
STARTUP_TIMEOUT_S = 120.0  # imports on a loaded machine; beyond it the child is broken
EXIT_WAIT_S = 5.0  # for the exit code of a child that closed its pipe while starting
BACKSTOP_FACTOR, BACKSTOP_MIN_S = 10, 30.0  # wall clock allowed per page: generous on purpose
ATTEMPTS = 2  # a timed-out or crashed page is retried once on a fresh child
CHILD_MODULE = "curate.extract.child"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
Page = tuple[bytes, str | None]  # HTML and its HTTP charset
Reply = tuple[str | None, str | None]  # (text, None) or (None, reason)


class ExtractorStartError(CurateError):
    """The extraction child process could not start (or never said it was ready)."""


class _Child:
    """One extraction process and its two pipes."""

    def __init__(self, extractor: str, main_content: bool):
        to_child_read, to_child_write = os.pipe()
        from_child_read, from_child_write = os.pipe()
        command = [
            sys.executable, "-m", CHILD_MODULE, str(os.getpid()),
            str(to_child_read), str(from_child_write), extractor, "1" if main_content else "0",
        ]  # fmt: skip
        path = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
        env = dict(os.environ, PYTHONPATH=path)  # curate importable even when not installed
        try:
            # `-m` puts the cwd first on sys.path: a folder named `curate` there would shadow the
            # package, so the child starts in the folder that holds the real one.
            self.process = subprocess.Popen(
                command,
                pass_fds=(to_child_read, from_child_write),
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=_PACKAGE_ROOT,
            )
        except OSError as exc:
            for fd in (to_child_read, to_child_write, from_child_read, from_child_write):
                os.close(fd)
            raise ExtractorStartError(f"cannot start the extraction process: {exc}") from None
        os.close(to_child_read)
        os.close(from_child_write)
        self.requests = Connection(to_child_write, readable=False)
        self.replies = Connection(from_child_read, writable=False)
        self.ready = False

    def wait_ready(self) -> None:
        """Block until the child has imported its extractor; start-up is never a page's time."""
        if self.ready:
            return
        closed = False
        try:
            if self.replies.poll(STARTUP_TIMEOUT_S) and self.replies.recv() == READY:
                self.ready = True
                return
        except (EOFError, OSError):
            closed = True  # the child is exiting: its pipe closes before the kernel reaps it
        try:
            code = self.process.wait(EXIT_WAIT_S) if closed else self.process.poll()
        except subprocess.TimeoutExpired:
            code = None
        self.kill()
        if code is not None:
            why = f" (exit code {code})"
        else:
            why = " (it closed its pipe)" if closed else f" within {STARTUP_TIMEOUT_S:.0f} s"
        raise ExtractorStartError("the extraction process did not start" + why)

    def extract_many(self, pages: list[Page], timeout_s: float) -> list[Reply]:
        """A reply per page, in order, each (text, None) or (None, reason): the child's exception
        name, or TIMEOUT or CRASHED, which end the list (this child is then done)."""
        replies: list[Reply] = []
        backstop_s = max(BACKSTOP_MIN_S, BACKSTOP_FACTOR * timeout_s)
        try:
            self.requests.send((pages, timeout_s))
            for _ in pages:
                if not self.replies.poll(backstop_s):
                    return [*replies, (None, TIMEOUT)]
                text, error = self.replies.recv()
                replies.append((None, FAILED) if error else (text, None))
        except (EOFError, OSError):
            # The child ended: by its own CPU limit (SIGPROF) or a crash in C code.
            returncode = self.process.wait()
            replies.append((None, TIMEOUT if returncode == -signal.SIGPROF else CRASHED))
        return replies

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.requests.close()
        self.replies.close()


class ExtractorSandbox:
    """`extract_many(pages)` -> for each (html, charset), in order, (text, None) or (None, reason):
    TIMEOUT, CRASHED or FAILED; the pages go to the child in one round trip."""

    def __init__(self, extractor: str, main_content: bool, timeout_s: float):
        make_extractor(extractor, main_content)  # fail here, with a clear error, if unavailable
        self.extractor = extractor
        self.main_content = main_content
        self.timeout_s = timeout_s
        self._child: _Child | None = _Child(extractor, main_content)  # imports while models load

    def _ready_child(self) -> _Child:
        if self._child is None:
            self._child = _Child(self.extractor, self.main_content)
        self._child.wait_ready()
        return self._child

    def extract_many(self, pages: list[Page]) -> list[Reply]:
        """A reply per page, in order. A page that timed out or crashed its child is tried once
        more on a fresh child; the pages after it go to that fresh child too."""
        replies: list[Reply] = []
        tries: Counter[int] = Counter()
        while len(replies) < len(pages):
            start = len(replies)
            got = self._ready_child().extract_many(pages[start:], self.timeout_s)
            if got[-1][1] in (TIMEOUT, CRASHED):
                self.close()  # the next attempt, and the next pages, get a fresh child
                failed_at = start + len(got) - 1
                tries[failed_at] += 1
                if tries[failed_at] < ATTEMPTS:
                    got.pop()
            replies.extend(got)
        return replies

    def close(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit, what close needs may be gone
            self.close()
