"""Inputs streamed over HTTP from a local server give the same documents as the local files."""

from __future__ import annotations

import functools
import gzip
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import polars as pl
import pytest

from curate.cli import main
from curate.inputs import expand_inputs
from tests.conftest import WARC_DIR, ledger, run, shards


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def warc_server(shared_data):
    handler = functools.partial(_QuietHandler, directory=str(WARC_DIR))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", ["sample-0000.warc.gz", "fragment3.wet.gz"])
def test_http_input_equals_local_file(name, warc_server, tmp_path):
    remote = run([f"{warc_server}/{name}"], tmp_path / "remote")
    local = run([WARC_DIR / name], tmp_path / "local")
    assert remote.tasks[0].totals == local.tasks[0].totals
    columns = ["id", "url", "domain", "crawl_date", "content_type", "text"]
    assert shards(tmp_path / "remote").select(columns).equals(shards(tmp_path / "local").select(columns))


def test_paths_file_resolves_against_base_url_with_limit(warc_server, tmp_path):
    paths = tmp_path / "warc.paths.gz"
    with gzip.open(paths, "wt") as fh:
        fh.write("whirlwind.warc.gz\ncc.warc.gz\nsample-0000.warc.gz\n")
    assert expand_inputs([str(paths)], warc_server, limit=2) == [
        f"{warc_server}/whirlwind.warc.gz",
        f"{warc_server}/cc.warc.gz",
    ]
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(paths),
            "--base-url",
            warc_server,
            "--limit",
            "2",
            "-o",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    read = ledger(out).filter(pl.col("outcome") == "read").group_by("input").agg(pl.col("docs").sum())
    assert dict(read.rows()) == {f"{warc_server}/whirlwind.warc.gz": 4, f"{warc_server}/cc.warc.gz": 1}


def test_missing_remote_file_fails_that_input_only(warc_server, tmp_path):
    result = run([f"{warc_server}/nope.warc.gz", f"{warc_server}/cc.warc.gz"], tmp_path / "out")
    failed, ok = result.tasks
    assert "nope.warc.gz" in failed.failure
    assert ok.failure is None and ok.totals["kept"] == 1
    assert shards(tmp_path / "out").height == 1
