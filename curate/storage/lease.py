"""OUT's lock on an object store: a lease. A store has no flock that the kernel releases when
its holder dies, so the holder writes `OUT/.curate.lock` with a token and renews it while it
runs; another run refuses while the lease is fresh, and takes over one not renewed for LEASE_S
(its holder was killed). After writing its own lease a run reads it back, so that of two runs
starting at once the one whose write the store kept goes on and the other refuses."""

from __future__ import annotations

import contextlib
import json
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator

from curate.errors import UsageError
from curate.storage.store import Store

LOCK_KEY = ".curate.lock"
LEASE_S = 60.0  # a lease not renewed for this long was left by a killed run
RENEW_S = LEASE_S / 4
SETTLE_S = 1.0  # between writing the lease and reading it back: a rival's write lands first


class Lease:
    """The lease a run holds. Before each renewal it is read: one that another run took over
    (this run's renewals failed for longer than LEASE_S, the store down) is not overwritten, and
    `check()` then stops this run before it publishes the run record."""

    def __init__(self, store: Store, token: str) -> None:
        self.store, self.token = store, token
        self.lost_to: dict | None = None

    def check(self) -> None:
        if self.lost_to is not None:
            raise UsageError(
                f"-o {self.store.url}: this run lost OUT's lease to another run ({_who(self.lost_to)}) "
                "while the store was unreachable; it stops before publishing its run record"
            )


@contextlib.contextmanager
def store_lock(store: Store) -> Iterator[Lease]:
    """Hold OUT's lease for the body; UsageError naming the holder while another run holds it."""
    _refuse_if_held(store)
    token = uuid.uuid4().hex
    holder = {"token": token, "pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    store.write_bytes(LOCK_KEY, _lease(holder))
    time.sleep(SETTLE_S)
    kept = store.read_json(LOCK_KEY)
    kept = kept if isinstance(kept, dict) else {}  # a rival's write may be any JSON
    if kept.get("token") != token:
        raise UsageError(f"-o {store.url}: another curate run took OUT at the same time ({_who(kept)})")
    lease = Lease(store, token)
    stop = threading.Event()
    renewer = threading.Thread(target=_renew, args=(lease, holder, stop), daemon=True)
    renewer.start()
    try:
        yield lease
    finally:
        stop.set()
        renewer.join()
        with contextlib.suppress(Exception):  # a lease left behind expires by itself
            held = store.read_json(LOCK_KEY)
            if isinstance(held, dict) and held.get("token") == token:
                store.delete([LOCK_KEY])


def _refuse_if_held(store: Store) -> None:
    held = store.read_json(LOCK_KEY)
    if not isinstance(held, dict):
        return  # none, or not ours to read: a damaged lease protects nothing
    renewed = held.get("renewed")
    if not isinstance(renewed, int | float) or isinstance(renewed, bool) or not math.isfinite(renewed):
        return  # a damaged lease (a string, NaN): as above, not a traceback
    age = time.time() - renewed
    # Held while renewed less than LEASE_S ago, or less than LEASE_S ahead: the holder's clock may
    # run ahead of this one's. A lease further ahead is damaged: it must not lock OUT for ever.
    if abs(age) < LEASE_S:
        raise UsageError(
            f"-o {store.url}: another curate run is writing here ({_who(held)}, lease renewed "
            f"{max(age, 0):.0f} s ago); wait for it to finish, or, if it was killed, {LEASE_S - age:.0f} s "
            "for its lease to expire"
        )


def _lease(holder: dict) -> bytes:
    return json.dumps({**holder, "renewed": time.time()}).encode()


def _renew(lease: Lease, holder: dict, stop: threading.Event) -> None:
    while not stop.wait(RENEW_S):
        with contextlib.suppress(Exception):  # a store down for a while: the next renewal may land
            held = lease.store.read_json(LOCK_KEY)
            if isinstance(held, dict) and held.get("token") not in (None, lease.token):
                lease.lost_to = held  # taken over: stop renewing, and let the run stop
                return
            lease.store.write_bytes(LOCK_KEY, _lease(holder))


def _who(holder: dict) -> str:
    return f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}"
