"""The log file of a run: every line of the `curate` loggers while the run holds OUT, appended to
OUT/logs/curate.log (layout.log_file), timestamped, whatever stderr shows."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

LOGGER = "curate"
FILE_FORMAT = "%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s"


@contextlib.contextmanager
def run_log(path: Path) -> Iterator[None]:
    """Every line the `curate` logger gets while the block runs, appended to `path` too."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:  # a log that cannot be written must not stop the run it would record
        logging.getLogger(LOGGER).warning("no log file: %s", exc)
        yield
        return
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger(LOGGER)
    previous = logger.level
    if previous == logging.NOTSET:  # not configured (a Python API user): the file gets INFO
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(previous)
