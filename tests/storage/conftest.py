"""Fixtures of real services for the tests of OUT on object storage and of Ray clusters that share no
filesystem: an S3 server (SeaweedFS, else moto), a fault-injecting proxy in front of it, and a
two-node Ray cluster. See tests/services.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.services import FaultyProxy, RayCluster, S3Server, ray_skip_reason, s3_skip_reason


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One S3 server for the session; skips when neither weed nor moto_server (or s3fs) is installed.
    A server that is installed but fails to start is an error, not a skip. CURATE_TEST_S3_SERVER=moto
    tries moto first (SeaweedFS is the default)."""
    reason = s3_skip_reason()
    if reason:
        pytest.skip(reason)
    prefer = "moto" if os.environ.get("CURATE_TEST_S3_SERVER") == "moto" else "seaweedfs"
    with S3Server(prefer=prefer) as server:
        yield server


@pytest.fixture
def bucket(s3_server: S3Server) -> Iterator[str]:
    """A fresh, empty bucket per test: "s3://<name>"; removed with its contents afterwards."""
    url = s3_server.make_bucket()
    yield url
    s3_server.remove_bucket(url)


@pytest.fixture
def faulty_proxy(s3_server: S3Server) -> Iterator[FaultyProxy]:
    """A FaultyProxy in front of s3_server, per test (fresh counters, no pending faults). Point a
    client at it with s3_server.storage_options(faulty_proxy.endpoint_url)."""
    with FaultyProxy(s3_server.endpoint_url) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def ray_cluster_session() -> Iterator[RayCluster]:
    reason = ray_skip_reason()
    if reason:
        pytest.skip(reason)
    with RayCluster(nodes=2, num_cpus=1) as cluster:
        yield cluster


@pytest.fixture
def ray_cluster(ray_cluster_session: RayCluster) -> RayCluster:
    """The session's two-node cluster (a head and a worker node, 1 CPU each), back at two alive nodes
    for every test: a worker node killed by an earlier test is replaced by a fresh one first."""
    ray_cluster_session.ensure_nodes()
    return ray_cluster_session
