"""The fixtures are real: s3fs round trips through the S3 server, the proxy forwards signed requests
unchanged and injects its faults, and the Ray cluster has two nodes that run tasks and can lose one.

The fault tests also pin down what s3fs (with aiobotocore and aiohttp under it) does by itself, which
the code that writes OUT to object storage relies on:

- a 503 SlowDown is retried by botocore (legacy mode: 5 attempts) and, when its XML body names
  SlowDown, again by s3fs (5 tries of those): only a persisting one reaches the caller, as
  OSError(errno.EBUSY) whose __cause__ is the ClientError. A 503 to a HEAD has no body: botocore's
  5 attempts only, then the same OSError(EBUSY, "Service Unavailable").
- a connection closed without a response is retried by aiohttp once (idempotent methods), by
  botocore and by s3fs: a persisting one reaches the caller as botocore's ConnectionClosedError,
  which is no OSError.
- an endpoint that refuses connections: botocore's attempts only, then EndpointConnectionError, no
  OSError either. And fs.exists("bucket") answers False to any error, the store being down included.

The tests of persisting faults shrink the retries (2 botocore attempts, 2 s3fs tries) to stay fast; the
layers and the exceptions are those of the defaults.
"""

from __future__ import annotations

import errno
import http.client
import os
import socket
import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

from tests.services import FaultyProxy, RayCluster, S3Server, free_port

# ------------------------------------------------------------------------------------------------
# the S3 server


def test_s3fs_writes_reads_lists_and_deletes(s3_server: S3Server, bucket: str) -> None:
    fs = s3_server.filesystem()
    fs.pipe(f"{bucket}/run/a.txt", b"hello")
    big = os.urandom(6 * 2**20)
    with fs.open(f"{bucket}/run/big.bin", "wb", block_size=5 * 2**20) as f:  # a multipart upload
        f.write(big)
    assert sorted(fs.ls(f"{bucket}/run", detail=False)) == [
        f"{bucket[5:]}/run/a.txt",
        f"{bucket[5:]}/run/big.bin",
    ]
    assert fs.cat(f"{bucket}/run/a.txt") == b"hello"
    assert fs.info(f"{bucket}/run/big.bin")["size"] == len(big)
    assert fs.cat(f"{bucket}/run/big.bin") == big
    fs.rm(f"{bucket}/run", recursive=True)
    fs.invalidate_cache()
    assert fs.find(bucket) == []


def test_a_bare_s3filesystem_in_a_subprocess_reaches_the_server_through_env(
    s3_server: S3Server, bucket: str
) -> None:
    s3_server.filesystem().pipe(f"{bucket}/in.txt", b"from the parent")
    code = textwrap.dedent(
        f"""
        import s3fs
        fs = s3fs.S3FileSystem()  # no arguments: AWS_ENDPOINT_URL and the keys come from env
        assert fs.cat("{bucket}/in.txt") == b"from the parent"
        fs.pipe("{bucket}/out.txt", b"from the child")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=s3_server.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert s3_server.filesystem().cat(f"{bucket}/out.txt") == b"from the child"


def test_seaweedfs_checks_signatures(s3_server: S3Server, bucket: str) -> None:
    if s3_server.kind != "seaweedfs":
        pytest.skip(f"{s3_server.kind} accepts any credentials")
    wrong = s3_server.filesystem(secret="not-the-secret")
    with pytest.raises(PermissionError):
        wrong.ls(bucket)


# ------------------------------------------------------------------------------------------------
# the proxy, without faults


def test_signed_requests_pass_the_proxy_on_kept_alive_connections(
    s3_server: S3Server, bucket: str, faulty_proxy: FaultyProxy
) -> None:
    # the client signs for the proxy's host:port, which reaches the server unchanged
    fs = s3_server.filesystem(faulty_proxy.endpoint_url)
    fs.pipe(f"{bucket}/p/x.txt", b"through the proxy")
    for _ in range(5):
        assert fs.cat_file(f"{bucket}/p/x.txt") == b"through the proxy"
    with fs.open(f"{bucket}/p/big.bin", "wb", block_size=5 * 2**20) as f:
        f.write(b"x" * (6 * 2**20))
    assert fs.ls(f"{bucket}/p", detail=False, refresh=True) == [
        f"{bucket[5:]}/p/big.bin",
        f"{bucket[5:]}/p/x.txt",
    ]
    assert faulty_proxy.injected == 0
    assert faulty_proxy.forwarded == faulty_proxy.requests >= 10
    assert faulty_proxy.connections < faulty_proxy.requests
    if s3_server.kind == "seaweedfs":
        with pytest.raises(PermissionError):
            s3_server.filesystem(faulty_proxy.endpoint_url, secret="not-the-secret").ls(bucket)


class _RawUpstream:
    """A one-connection upstream that records the bytes it receives and answers `ok` to each request
    once `expected` bytes per request arrived."""

    def __init__(self, expected: list[bytes]) -> None:
        self.expected = expected
        self.received: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        for want in self.expected:  # the proxy opens one upstream connection per request
            conn, _ = self.listener.accept()
            with conn:
                conn.settimeout(10)
                got = b""
                while len(got) < len(want):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                self.received.append(got)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Upstream: yes\r\n\r\nok")
        self.listener.close()


def test_the_proxy_forwards_request_bytes_unchanged() -> None:
    requests = [
        b"PUT /bkt/a%2Fb.txt?x-id=PutObject&partNumber=1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n"
        b"Transfer-Encoding: chunked\r\nX-Amz-Date: 20260101T000000Z\r\n\r\n"
        b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        b"POST /bkt?delete HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: 4\r\n\r\nbody",
    ]
    upstream = _RawUpstream(requests)
    with FaultyProxy(upstream.url) as proxy, socket.create_connection(("127.0.0.1", proxy.port)) as s:
        for request in requests:  # both on one client connection: keep-alive
            s.sendall(request)
            response = http.client.HTTPResponse(s)
            response.begin()
            assert (response.status, response.read(), response.getheader("X-Upstream")) == (200, b"ok", "yes")
    upstream.thread.join(timeout=10)
    assert upstream.received == requests
    assert (proxy.requests, proxy.forwarded, proxy.connections) == (2, 2, 1)


# ------------------------------------------------------------------------------------------------
# the proxy's faults, raw


def _get(proxy: FaultyProxy, path: str = "/") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_fail_next_answers_503_slowdown_then_forwards(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.fail_next(2)
    for _ in range(2):
        status, body = _get(faulty_proxy)
        assert status == 503
        assert b"<Code>SlowDown</Code>" in body and b"Please reduce your request rate." in body
    status, body = _get(faulty_proxy)  # unsigned: the server's own answer (403 from weed, 200 from moto)
    assert status != 503
    assert (faulty_proxy.requests, faulty_proxy.injected, faulty_proxy.forwarded) == (3, 2, 1)


def test_drop_and_down_close_the_connection_without_a_response(faulty_proxy: FaultyProxy) -> None:
    faulty_proxy.fail_next(1, kind="drop")
    with pytest.raises(http.client.RemoteDisconnected):
        _get(faulty_proxy)
    assert _get(faulty_proxy)[0] != 503
    faulty_proxy.set_down(True)
    for _ in range(3):
        with pytest.raises(http.client.RemoteDisconnected):
            _get(faulty_proxy)
    faulty_proxy.set_down(False)
    assert _get(faulty_proxy)[0] != 503
    assert (faulty_proxy.requests, faulty_proxy.injected, faulty_proxy.forwarded) == (6, 4, 2)


# ------------------------------------------------------------------------------------------------
# what s3fs does with the faults


def test_s3fs_rides_out_a_few_faults_by_itself(
    s3_server: S3Server, bucket: str, faulty_proxy: FaultyProxy
) -> None:
    fs = s3_server.filesystem(faulty_proxy.endpoint_url)  # s3fs's and botocore's default retries
    fs.pipe_file(f"{bucket}/x.txt", b"hello")

    # cat_file asks for the size first (HEAD), then GETs: botocore retried the HEAD twice
    faulty_proxy.reset()
    faulty_proxy.fail_next(2)
    assert fs.cat_file(f"{bucket}/x.txt") == b"hello"
    assert _outcomes(faulty_proxy) == [
        ("HEAD", "slowdown"),
        ("HEAD", "slowdown"),
        ("HEAD", "200"),
        ("GET", "200"),
    ]

    faulty_proxy.reset()
    faulty_proxy.fail_next(2)
    fs.pipe_file(f"{bucket}/y.txt", b"written")
    assert _outcomes(faulty_proxy) == [("PUT", "slowdown"), ("PUT", "slowdown"), ("PUT", "200")]

    faulty_proxy.reset()
    faulty_proxy.fail_next(2, kind="drop")
    assert fs.cat_file(f"{bucket}/y.txt") == b"written"
    assert _outcomes(faulty_proxy) == [("HEAD", "drop"), ("HEAD", "drop"), ("HEAD", "200"), ("GET", "200")]


def _outcomes(proxy: FaultyProxy) -> list[tuple[str, str]]:
    return [(method, outcome) for method, _, outcome in proxy.history]


def _impatient(s3_server: S3Server, proxy: FaultyProxy, **options: Any) -> Any:
    """s3fs through the proxy with 2 botocore attempts per call and 2 s3fs tries."""
    fs = s3_server.filesystem(
        proxy.endpoint_url, config_kwargs={"retries": {"total_max_attempts": 2}}, **options
    )
    fs.retries = 2  # a class attribute of s3fs, not a constructor argument
    return fs


def test_s3fs_raises_oserror_ebusy_for_a_persisting_slowdown(
    s3_server: S3Server, bucket: str, faulty_proxy: FaultyProxy
) -> None:
    import botocore.exceptions

    s3_server.filesystem().pipe_file(f"{bucket}/x.txt", b"hello")
    fs = _impatient(s3_server, faulty_proxy)
    get_only = _impatient(s3_server, faulty_proxy, max_concurrency=1)  # cat_file without its HEAD
    faulty_proxy.fail_next(1000)

    with pytest.raises(OSError) as raised:
        get_only.cat_file(f"{bucket}/x.txt")
    assert raised.value.errno == errno.EBUSY
    cause = raised.value.__cause__
    assert isinstance(cause, botocore.exceptions.ClientError)
    assert cause.response["Error"]["Code"] == "SlowDown"
    assert _outcomes(faulty_proxy) == [("GET", "slowdown")] * 4  # 2 s3fs tries x 2 botocore attempts

    faulty_proxy.reset()
    faulty_proxy.fail_next(1000)
    with pytest.raises(OSError) as raised:
        fs.pipe_file(f"{bucket}/y.txt", b"data")
    assert raised.value.errno == errno.EBUSY
    assert _outcomes(faulty_proxy) == [("PUT", "slowdown")] * 4

    # HEAD (info, and cat_file's size first): the 503 comes without its body, so s3fs does not
    # see "SlowDown" and does not retry
    for op in (lambda: fs.info(f"{bucket}/x.txt"), lambda: fs.cat_file(f"{bucket}/x.txt")):
        faulty_proxy.reset()
        faulty_proxy.fail_next(1000)
        with pytest.raises(OSError) as raised:
            op()
        assert raised.value.errno == errno.EBUSY
        assert isinstance(raised.value.__cause__, botocore.exceptions.ClientError)
        assert raised.value.__cause__.response["Error"]["Code"] == "503"
        assert _outcomes(faulty_proxy) == [("HEAD", "slowdown")] * 2  # botocore's 2 attempts only


def test_s3fs_raises_connection_closed_for_a_store_that_drops_connections(
    s3_server: S3Server, bucket: str, faulty_proxy: FaultyProxy
) -> None:
    import botocore.exceptions

    s3_server.filesystem().pipe_file(f"{bucket}/x.txt", b"hello")
    fs = _impatient(s3_server, faulty_proxy)
    faulty_proxy.set_down(True)

    for op in (lambda: fs.cat_file(f"{bucket}/x.txt"), lambda: fs.pipe_file(f"{bucket}/y.txt", b"data")):
        faulty_proxy.reset()
        faulty_proxy.set_down(True)
        with pytest.raises(botocore.exceptions.ConnectionClosedError) as raised:
            op()
        assert not isinstance(raised.value, OSError)
        # 2 s3fs tries x 2 botocore attempts x 2 aiohttp sends
        assert len(faulty_proxy.history) == 8, faulty_proxy.history

    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        fs.exists(f"{bucket}/x.txt")
    # a bucket's existence is probed, and every error taken for "no such bucket"
    assert fs.exists(bucket) is False


def test_s3fs_raises_endpoint_connection_error_for_an_unreachable_store(
    s3_server: S3Server, bucket: str
) -> None:
    import botocore.exceptions

    fs = s3_server.filesystem(
        f"http://127.0.0.1:{free_port()}", config_kwargs={"retries": {"total_max_attempts": 2}}
    )
    with pytest.raises(botocore.exceptions.EndpointConnectionError) as raised:
        fs.cat_file(f"{bucket}/x.txt")
    assert not isinstance(raised.value, OSError)


# ------------------------------------------------------------------------------------------------
# the Ray cluster


def test_the_cluster_has_two_nodes_of_one_cpu(ray_cluster: RayCluster) -> None:
    table = ray_cluster.node_table()
    assert sorted(r["name"] for r in table if r["alive"]) == ["head", ray_cluster.worker_nodes[0].name]
    assert all(r["resources"].get("CPU") == 1.0 for r in table if r["alive"])
    temp_dirs = {n.temp_dir for n in ray_cluster.nodes if not n.killed}
    assert len(temp_dirs) == 2
    assert ray_cluster.raylet_pid("head") is not None
    assert ray_cluster.worker_node_pids()[0] == ray_cluster.raylet_pid(ray_cluster.worker_nodes[0].name)


def test_a_task_runs_on_each_node(ray_cluster: RayCluster) -> None:
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    def where() -> dict[str, Any]:
        # defined here, so cloudpickle ships it by value: the nodes cannot import tests/
        import os

        import ray

        import curate

        return {
            "node_id": ray.get_runtime_context().get_node_id(),
            "node": os.environ.get("CURATE_TEST_RAY_NODE"),
            "cwd": os.getcwd(),
            "home": os.environ.get("HOME"),
            "aws": sorted(k for k in os.environ if k.startswith("AWS_")),
            "curate": curate.__name__,
        }

    ids = ray_cluster.node_ids()
    with ray_cluster.connect():
        remote = ray.remote(num_cpus=1)(where)
        results = ray.get(
            [
                remote.options(
                    scheduling_strategy=NodeAffinitySchedulingStrategy(node_id, soft=False)
                ).remote()
                for node_id in ids.values()
            ],
            timeout=120,
        )
    for (name, node_id), result in zip(ids.items(), results):
        node = ray_cluster.node(name)
        assert result["node_id"] == node_id
        assert result["node"] == name
        assert result["cwd"] == str(node.cwd)  # the node's own working directory, not the driver's
        assert result["home"] == str(node.home)
        assert result["aws"] == []  # nothing of this machine's AWS setup
        assert result["curate"] == "curate"  # the installed package, not a shared checkout


def test_killing_the_worker_node_leaves_one_alive_node(ray_cluster: RayCluster) -> None:
    worker = ray_cluster.worker_nodes[0]
    pids = ray_cluster.worker_node_pids()
    node_id = ray_cluster.kill_worker_node()
    assert node_id == ray_cluster.node_ids(alive_only=False)[worker.name]
    ray_cluster.wait_nodes(1, timeout=60)
    assert ray_cluster.alive_nodes() == 1
    assert ray_cluster.processes(worker.name) == []
    assert not any(os.path.exists(f"/proc/{pid}/cmdline") and _running(pid) for pid in pids)
    assert ray_cluster.raylet_pid("head") is not None


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False
