"""The CLI's log on stderr, at the verbosity of --quiet / --verbose. The library configures no
logging itself (a Python API user's own applies); its modules log to `logging.getLogger(__name__)`,
all under `curate`. Lines go through tqdm, so that they do not cut through a progress bar."""

from __future__ import annotations

import logging
import sys

from tqdm import tqdm

LOGGER = "curate"
QUIET, NORMAL, VERBOSE = -1, 0, 1
LEVELS = {QUIET: logging.WARNING, NORMAL: logging.INFO, VERBOSE: logging.DEBUG}


class _AboveBars(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:
            self.handleError(record)


def configure_stderr(verbosity: int = NORMAL) -> None:
    """Warnings and errors only (QUIET), progress lines too (NORMAL), or every step (VERBOSE), on
    stderr; the `curate` logger itself passes everything, for the run's log file. Replaces what an
    earlier call installed."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if isinstance(h, _AboveBars)]:
        logger.removeHandler(handler)
    handler = _AboveBars(LEVELS[verbosity])
    handler.setFormatter(logging.Formatter("curate: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
