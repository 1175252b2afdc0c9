"""An extraction child whose extractor misbehaves on marked pages, for the sandbox tests: started
by the sandbox in place of curate.extract.child (`sandbox.CHILD_MODULE`).

A page holding CRASH kills the child with SIGSEGV (as a crash in C code would), RAISE raises,
SPIN spins until the CPU limit ends the child, and ONCE:<path> crashes the child only while the
file <path> does not exist (it creates it first), so that a retry on a fresh child succeeds.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path

import curate.extract.extractors as extractors
from curate.extract import child


def faulty_extractor(name: str, main_content: bool = True) -> extractors.HtmlToText:
    def extract(html: bytes, charset: str | None) -> str:
        if b"CRASH" in html:
            os.kill(os.getpid(), signal.SIGSEGV)
        if b"RAISE" in html:
            raise ValueError("this page raises")
        if b"SPIN" in html:
            while True:
                pass
        once = re.search(rb"ONCE:(\S+?)<", html)
        if once and not (marker := Path(once.group(1).decode())).exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGSEGV)
        return html.decode("utf-8", "replace").replace("<p>", "").replace("</p>", "")

    return extract


if __name__ == "__main__":
    extractors.make_extractor = faulty_extractor
    child.main(sys.argv[1:])
