"""An object store that throttles (503 SlowDown), drops connections, or is unreachable for a while,
injected by a proxy in front of a real S3 server: the run retries and loses nothing, and a run cut
off by an outage resumes once the store is back. In this process, with the local executor."""

from __future__ import annotations

import itertools
import threading
import time

import polars as pl
import pytest

from curate.config import Config
from curate.errors import CurateError
from curate.pipeline.run import run_pipeline
from curate.storage import lease
from curate.storage import store as store_module
from tests.conftest import WARC_DIR, shards
from tests.storage.test_store_cluster import bucket_shards

# Four of the real crawl files: WARC, ARC, and one with kept documents from each language found.
INPUTS = [
    str(WARC_DIR / name)
    for name in (
        "sample-0000.warc.gz",
        "cc.warc.gz",
        "whirlwind.warc.gz",
        "crawl-002_2009_09_17_12_1253241189984_12-4827319.arc.gz",
    )
]


@pytest.fixture(scope="module")
def local_shards(tmp_path_factory) -> pl.DataFrame:
    out = tmp_path_factory.mktemp("local") / "out"
    run_pipeline(INPUTS, out, Config().validate(), show_progress=False)
    return shards(out).select("id", "text").sort("id")


def test_throttling_and_dropped_connections_are_retried(
    s3_server, bucket, faulty_proxy, local_shards, caplog
):
    # The client's own retries cut to one, so that bursts of faults reach curate's retries too.
    options = s3_server.storage_options(
        faulty_proxy.endpoint_url, config_kwargs={"retries": {"max_attempts": 1}}
    )
    stop = threading.Event()

    def inject() -> None:  # every 0.3 s, the next 3 requests fail: throttled, or dropped, in turn
        kinds = itertools.cycle(["slowdown", "drop"])
        while not stop.wait(0.3):
            if not faulty_proxy.pending_faults:
                faulty_proxy.fail_next(3, next(kinds))

    injector = threading.Thread(target=inject, daemon=True)
    injector.start()
    try:
        result = run_pipeline(
            INPUTS, f"{bucket}/throttled", Config().validate(), show_progress=False, storage_options=options
        )
    finally:
        stop.set()
        injector.join()
    assert not result.failed
    assert faulty_proxy.injected >= 10
    # curate's retries are logged (a warning each) under the `curate` logger
    retried = [record for record in caplog.records if "; retry 1/" in record.getMessage()]
    assert retried, "no fault got past the client's retries to curate's"
    assert bucket_shards(s3_server, f"{bucket}/throttled").equals(local_shards)


def test_a_run_cut_off_by_an_outage_resumes_when_the_store_is_back(
    s3_server, bucket, faulty_proxy, local_shards, monkeypatch
):
    monkeypatch.setattr(store_module, "RETRIES", 1)  # fail fast while the store is down
    monkeypatch.setattr(store_module, "WAIT_S", 0.01)
    monkeypatch.setattr(lease, "LEASE_S", 1.0)  # the lease the cut-off run could not release
    monkeypatch.setattr(lease, "RENEW_S", 0.25)
    url = f"{bucket}/outage"
    options = s3_server.storage_options(
        faulty_proxy.endpoint_url, config_kwargs={"retries": {"max_attempts": 1}}
    )
    direct = s3_server.filesystem()
    markers = f"{url.removeprefix('s3://')}/markers"
    stop = threading.Event()

    def cut_off_after_the_first_task() -> None:
        while not stop.wait(0.05):
            direct.invalidate_cache()
            if direct.exists(markers) and direct.ls(markers):
                faulty_proxy.set_down(True)
                return

    watcher = threading.Thread(target=cut_off_after_the_first_task, daemon=True)
    watcher.start()
    config = Config().validate()
    try:
        first = run_pipeline(INPUTS, url, config, show_progress=False, storage_options=options)
        assert first.failed  # the tasks after the outage could not publish
    except CurateError as exc:
        assert "StoreError" in str(exc)  # or the finish could not read the store
    finally:
        stop.set()
        watcher.join()
    assert faulty_proxy.injected > 0
    faulty_proxy.set_down(False)
    time.sleep(lease.LEASE_S)
    again = run_pipeline(INPUTS, url, config, show_progress=False, storage_options=options)
    assert not again.failed and any(t.resumed for t in again.tasks)
    assert bucket_shards(s3_server, url).equals(local_shards)
