"""`curate run` to a real S3 server (SeaweedFS; moto when it cannot start) on a two-node Ray
cluster of this machine whose nodes share nothing but the bucket: each node has its own temp dir,
working directory and HOME, and the driver runs in a third directory. The shards (ids and texts)
must be those of a local run to a folder; a worker node killed mid-run (SIGKILL of its raylet)
loses nothing, and a rerun completes. The throttled or unreachable store is in test_store_faults.py."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from curate.config import Config
from curate.inputs import expand_inputs
from curate.pipeline.run import run_pipeline
from tests.conftest import REPO, SHARED_DATA, WARC_DIR, shards
from tests.services import RayCluster, ray_skip_reason

pytestmark = pytest.mark.skipif(ray_skip_reason() is not None, reason=ray_skip_reason() or "")

# Every worker node finds the badword lists where the driver does (on a real cluster: in the image).
NODE_ENV = {"CURATE_BADWORDS_DIR": str(SHARED_DATA / "ldnoobw")}


@pytest.fixture(scope="module")
def local_shards(tmp_path_factory) -> pl.DataFrame:
    out = tmp_path_factory.mktemp("local") / "out"
    config = Config().validate()
    run_pipeline(expand_inputs([str(WARC_DIR)], config.read.cc_base_url), out, config, show_progress=False)
    return shards(out).select("id", "text").sort("id")


def curate_run(s3, url: str, cluster: RayCluster, cwd: Path, *extra: str, wait: bool = True):
    """`curate run` over the shared crawl files into `url` on `cluster`, from `cwd`, with the
    endpoint and credentials as --storage-option (the nodes' environment has none)."""
    options = s3.storage_options()
    command = [
        sys.executable, "-m", "curate.cli", "run", str(WARC_DIR), "-o", url, "--no-progress",
        "--executor", "ray", "--ray-address", cluster.address,
        f"--storage-option=key={options['key']}",
        f"--storage-option=secret={options['secret']}",
        f"--storage-option=client_kwargs.endpoint_url={s3.endpoint_url}",
        f"--storage-option=client_kwargs.region_name={s3.region}",
        *extra,
    ]  # fmt: skip
    env = {**s3.subprocess_env(), "PYTHONPATH": str(REPO), "RAY_AUTH_MODE": "disabled", **NODE_ENV}
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(name)  # only what the command line says reaches the store
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if not wait:
        return process
    out, err = process.communicate(timeout=600)
    return process.returncode, out, err


def bucket_shards(s3, url: str) -> pl.DataFrame:
    fs = s3.filesystem()
    root = url.removeprefix("s3://")
    paths = sorted(p for p in fs.find(f"{root}/shards") if p.endswith(".parquet"))
    return (
        pl.concat([pl.from_arrow(pq.read_table(p, filesystem=fs)) for p in paths])
        .select("id", "text")
        .sort("id")
    )


def test_a_two_node_run_to_s3_writes_the_shards_of_a_local_run(s3_server, bucket, local_shards, tmp_path):
    with RayCluster(nodes=2, env=NODE_ENV) as cluster:
        code, out, err = curate_run(s3_server, f"{bucket}/run", cluster, tmp_path)
        assert code == 0, err[-3000:]
        assert f"report: {bucket}/run/report/report.html" in out
        got = bucket_shards(s3_server, f"{bucket}/run")
        assert got.equals(local_shards)
        # both nodes ran tasks: each wrote a scratch folder under its own temp dir, none shared
        code, out, err = curate_run(s3_server, f"{bucket}/run", cluster, tmp_path)
        assert code == 0 and "12 of 12 inputs done by an earlier run" in out, err[-3000:]
        assert bucket_shards(s3_server, f"{bucket}/run").equals(local_shards)


def test_a_worker_node_killed_mid_run_loses_nothing_and_a_rerun_completes(
    s3_server, bucket, local_shards, tmp_path
):
    url = f"{bucket}/killed"
    fs = s3_server.filesystem()
    with RayCluster(nodes=2, env=NODE_ENV) as cluster:
        # Tasks wait up to 4 s before they start: the run lasts long enough to be killed mid-way.
        process = curate_run(s3_server, url, cluster, tmp_path, "--randomize-start", "4", wait=False)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            fs.invalidate_cache()
            if fs.exists(f"{url.removeprefix('s3://')}/markers") and fs.ls(
                f"{url.removeprefix('s3://')}/markers"
            ):
                break
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before a task was published"
        cluster.kill_worker_node()
        out, err = process.communicate(timeout=600)
        # the run either finished on the head node (Ray retries the lost tasks) or said which failed
        assert process.returncode in (0, 1), err[-3000:]
        code, out, err = curate_run(s3_server, url, cluster, tmp_path)
        assert code == 0, err[-3000:]
        assert bucket_shards(s3_server, url).equals(local_shards)
