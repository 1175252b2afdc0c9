"""The extraction child: `python -m curate.extract.child PARENT_PID READ_FD WRITE_FD EXTRACTOR MAIN`.

Started by the sandbox as a fresh interpreter (not a multiprocessing spawn, which would re-import
the caller's main script). It imports its extractor, says `ready`, then answers the pages of
each request one at a time. Each page runs under a CPU-time limit: SIGPROF's default action ends
the process when the page has used `timeout_s` seconds of CPU, even inside C code, and CPU time
does not grow when other processes load the machine, so the same page gets the same verdict on a
busy machine.
"""

from __future__ import annotations

import signal
import sys
from multiprocessing.connection import Connection

from curate.extract.sandbox import READY


def cpu_limit(seconds: float) -> None:
    """End this process once it has used `seconds` more CPU time (0: no limit)."""
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_PROF, seconds)


def serve(requests: Connection, replies: Connection, extractor: str, main_content: bool) -> None:
    from curate.extract.extractors import make_extractor

    extract = make_extractor(extractor, main_content)
    replies.send(READY)
    while True:
        try:
            pages, timeout_s = requests.recv()
        except EOFError:  # the parent went away
            return
        for html, charset in pages:  # a reply per page as it is done: the parent's bound is per page
            cpu_limit(timeout_s)
            try:
                reply = (extract(html, charset), None)
            except Exception as exc:  # report, keep serving: one bad page must not end the child
                reply = (None, type(exc).__name__)
            cpu_limit(0)
            replies.send(reply)


def main(argv: list[str]) -> None:
    from curate.executors.orphans import die_with_parent

    parent, read_fd, write_fd, extractor, main_content = argv
    die_with_parent(int(parent))
    if hasattr(signal, "SIGPROF"):
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
    requests = Connection(int(read_fd), writable=False)
    replies = Connection(int(write_fd), readable=False)
    serve(requests, replies, extractor, main_content == "1")


if __name__ == "__main__":
    main(sys.argv[1:])
