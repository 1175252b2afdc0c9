"""Run the extractor in a child process so one pathological page cannot stall a task.

Resiliparse's main-content pass is C code and is quadratic in nesting depth (20,000 nested <div>s
take over 20 s); a signal cannot interrupt it, so the only hard bound is a process we can kill.
The child is started with the sandbox and reused; it is replaced after a timeout or a crash.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection

from curate.extract.extractors import make_extractor

TIMEOUT = "timeout"
CRASHED = "extractor_crashed"
FAILED = "extract_failed"


def _serve(conn: Connection, extractor: str, main_content: bool) -> None:
    extract = make_extractor(extractor, main_content)
    while True:
        try:
            html, charset = conn.recv()
        except EOFError:  # parent went away
            return
        try:
            conn.send((extract(html, charset), None))
        except Exception as exc:  # report, keep serving: one bad page must not end the child
            conn.send((None, f"{FAILED}: {type(exc).__name__}"))


class ExtractorSandbox:
    """`extract(html, charset)` -> (text, None) or (None, reason): TIMEOUT, CRASHED or FAILED."""

    def __init__(self, extractor: str, main_content: bool, timeout_s: float):
        make_extractor(extractor, main_content)  # fail here, with a clear error, if unavailable
        self.extractor = extractor
        self.main_content = main_content
        self.timeout_s = timeout_s
        self._process: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._start()  # now: the child imports its extractor while the caller loads its models

    def _start(self) -> Connection:
        context = mp.get_context("spawn")  # no fork: the parent may hold threads (pyarrow, fsspec)
        parent, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, self.extractor, self.main_content), daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent
        return parent

    def extract(self, html: bytes, charset: str | None) -> tuple[str | None, str | None]:
        conn = self._conn or self._start()
        try:
            conn.send((html, charset))
            if not conn.poll(self.timeout_s):
                self.close()
                return None, TIMEOUT
            text, error = conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self.close()
            return None, CRASHED
        return text, error.split(":")[0] if error else None

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def __del__(self) -> None:
        self.close()
