"""Retries with a wait that doubles: for remote inputs (readers/remote.py) and object-store OUT
(storage/store.py), whose transports fail transiently (throttling, dropped connections)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from curate.errors import CurateError

T = TypeVar("T")
log = logging.getLogger(__name__)

# Permanent: retrying cannot help (a missing key, a missing package, a refused credential, an
# option the store's client does not take).
PERMANENT = (
    FileNotFoundError,
    ImportError,
    PermissionError,
    IsADirectoryError,
    NotADirectoryError,
    TypeError,
)


def retrying(
    action: Callable[[], T],
    describe: Callable[[Exception], str],
    retries: int,
    wait_s: float,
    give_up: Callable[[str, int], Exception],
    before_retry: Callable[[], None] | None = None,
    jitter: bool = False,
) -> T:
    """`action()`, retried `retries` times after a transient failure, waiting `wait_s`, then twice
    as long each time (with `jitter`, a random part of that, so that many workers throttled at once
    do not return at once). `describe(exc)` says what failed; when the retries are spent the
    exception `give_up(failure, attempts)` is raised."""
    attempt = 0
    while True:
        try:
            return action()
        except (*PERMANENT, CurateError):  # a CurateError says what is wrong already
            raise
        except Exception as exc:  # the transports raise many types (aiohttp, botocore, OSError)
            failure = describe(exc)
            if attempt == retries:
                raise give_up(failure, attempt) from None
            if before_retry is not None:
                before_retry()
            attempt += 1
            wait = wait_s * 2 ** (attempt - 1)
            wait = random.uniform(wait / 2, wait) if jitter else wait
            # above any progress bar, which print() would garble
            log.warning("%s; retry %d/%d in %.3g s", failure, attempt, retries, wait)
            time.sleep(wait)
