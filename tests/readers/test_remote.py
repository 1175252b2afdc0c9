"""Remote inputs: streamed over HTTP they give the same documents as the local files; a dropped
connection is resumed at the same byte, and an input out of retries fails alone."""

from __future__ import annotations

import functools
import gzip
import io
import re
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import polars as pl
import pytest

from curate.cli import main
from curate.inputs import expand_inputs
from curate.readers import remote
from tests.conftest import READING_TOML, WARC_DIR, ledger, reading_config, run, shards


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


class _DroppingHandler(_QuietHandler):
    """Serves the files, but the next `server.drops[path]` responses of a path stop halfway: the
    headers promise the whole file, half is sent, the connection closes."""

    def do_GET(self) -> None:
        drops = self.server.drops
        if drops.get(self.path, 0) == 0:
            super().do_GET()
            return
        drops[self.path] -= 1
        data = (WARC_DIR / self.path.lstrip("/")).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        time.sleep(0.2)  # let the client take in what was sent: the drop comes mid-file
        self.close_connection = True


@pytest.fixture()
def dropping_server(shared_data):
    handler = functools.partial(_DroppingHandler, directory=str(WARC_DIR))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.drops = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


FLAKY = "sample-0000.warc.gz"
STEADY = "cc.warc.gz"


def test_a_dropped_connection_is_resumed_at_the_same_byte(dropping_server, tmp_path, caplog):
    server, url = dropping_server
    server.drops[f"/{FLAKY}"] = 2
    config = reading_config()
    config.read.retry_wait_s = 0.01
    remote = run([f"{url}/{FLAKY}"], tmp_path / "remote", config)
    local = run([WARC_DIR / FLAKY], tmp_path / "local")
    err = caplog.text  # run() as a library: its warnings reach logging, not a stderr handler
    assert server.drops[f"/{FLAKY}"] == 0 and "retry 2/3" in err
    assert re.search(r"read failed at byte [1-9]", err)  # resumed mid-file, not restarted
    assert remote.tasks[0].failure is None and remote.tasks[0].totals == local.tasks[0].totals
    assert "read_error" not in set(ledger(tmp_path / "remote")["reason"])
    columns = ["id", "url", "text"]
    assert shards(tmp_path / "remote").select(columns).equals(shards(tmp_path / "local").select(columns))


def test_a_remote_input_out_of_retries_fails_alone_and_a_rerun_completes_it(
    dropping_server, tmp_path, capsys
):
    server, url = dropping_server
    server.drops[f"/{FLAKY}"] = 4  # one more than the 3 retries
    config_file = tmp_path / "curate.toml"
    # topics off: the driver's topic sample reads the input too, and would take the drops first
    config_file.write_text(READING_TOML + "[read]\nretry_wait_s = 0.01\n[topics]\nenabled = false\n")
    out = tmp_path / "out"
    command = ["run", f"{url}/{FLAKY}", f"{url}/{STEADY}", "-o", str(out), "--config", str(config_file)]
    assert main([*command, "--no-progress", "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert f"{url}/{FLAKY}" in err and "after 3 retries" in err
    assert set(shards(out)["source"]) == {f"{url}/{STEADY}"}  # nothing of the failed input
    assert main([*command, "--no-progress", "--workers", "1"]) == 0  # the server is fine again
    assert "1 of 2 inputs done by an earlier run" in capsys.readouterr().out
    whole = run([WARC_DIR / FLAKY, WARC_DIR / STEADY], tmp_path / "whole")
    assert shards(out).height == shards(tmp_path / "whole").height
    assert sorted(shards(out)["id"]) == sorted(shards(tmp_path / "whole")["id"])
    read = ledger(out).filter(pl.col("outcome") == "read")["docs"].sum()
    assert read == sum(task.totals["read"] for task in whole.tasks)  # each record read once


class _ShortFile(io.BytesIO):
    """A remote file that knows its size but whose first connection ends early without an error."""

    def __init__(self, data: bytes, cut: int | None):
        super().__init__(data[:cut] if cut else data)
        self.size = len(data)


def test_a_stream_that_ends_before_its_size_is_resumed(monkeypatch):
    data = bytes(range(256)) * 400
    connections = iter([_ShortFile(data, 30_000), _ShortFile(data, None)])
    opener = SimpleNamespace(open=lambda: next(connections))
    monkeypatch.setattr(remote.fsspec, "open", lambda *args, **kwargs: opener)
    with remote.ResumingRemoteFile("http://x.example/f.warc.gz", retries=1, wait_s=0) as file:
        assert io.BufferedReader(file).read() == data  # the second connection skipped 30,000 bytes
