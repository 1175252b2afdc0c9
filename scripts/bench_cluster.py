"""--cluster: `curate run` to object storage on a Ray cluster, for scripts/bench.py.

A real S3 server (SeaweedFS, else moto: tests/services.py) and two Ray clusters of this machine,
started with `ray start` before the clock: one of one node, one of two nodes, one CPU per node,
nodes sharing nothing but the bucket. The same 20 replayed WARC files go through four variants, in
interleaved rounds, each in a fresh process:

    folder      local executor, one worker, OUT a local folder (and the report, as the store runs)
    s3          the same, OUT s3://bench/...: the overhead of the store against the folder
    ray-1node   OUT in the store, tasks on the one-node cluster
    ray-2nodes  OUT in the store, tasks on the two-node cluster: the scaling

Each run's rate counts its whole command: imports, connecting to Ray, the tasks, the finish task.
Peak RSS is the measured process's (the driver's; on Ray the tasks run in the nodes' workers).

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench_measure import run_rounds  # noqa: E402 - scripts/ is on sys.path
from bench_pipeline import _run_curate  # noqa: E402
from bench_replay import build_replay_warc, collect_pages  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FILES = 20
SETUP_ENV = "CURATE_BENCH_CLUSTER"  # what the parent started, for the measured children (JSON)


def _setup() -> dict[str, Any]:
    return json.loads(os.environ[SETUP_ENV])


def _inputs(directory: Path) -> list[str]:
    return [str(p) for p in sorted(directory.glob("*.warc.gz"))]


def _to_store(directory: Path, **options: Any) -> int:
    setup = _setup()
    url = f"{setup['bucket']}/{uuid.uuid4().hex[:8]}"  # a fresh OUT: nothing to resume
    return _run_curate(
        _inputs(directory), url, "resiliparse", 1, True, storage_options=setup["storage_options"], **options
    )


def measure_folder(directory: Path, out_dir: Path) -> int:
    return _run_curate(_inputs(directory), out_dir, "resiliparse", 1, report=True)


def measure_s3(directory: Path, out_dir: Path) -> int:
    return _to_store(directory)


def measure_ray_1node(directory: Path, out_dir: Path) -> int:
    return _to_store(directory, executor="ray", ray_address=_setup()["ray-1node"])


def measure_ray_2nodes(directory: Path, out_dir: Path) -> int:
    return _to_store(directory, executor="ray", ray_address=_setup()["ray-2nodes"])


CLUSTER_VARIANTS = {
    "cluster-folder": measure_folder,
    "cluster-s3": measure_s3,
    "cluster-ray-1node": measure_ray_1node,
    "cluster-ray-2nodes": measure_ray_2nodes,
}


def bench_cluster(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """`curate run` to a local S3 server: a folder against the store, a two-node Ray cluster against one."""
    sys.path.insert(0, str(REPO))  # tests/services.py starts the server and the clusters
    from tests.services import RayCluster, S3Server

    directory = workdir / "files"
    directory.mkdir(exist_ok=True)
    pages = collect_pages(args.data)
    per_file = max(1, args.records // FILES)
    for index in range(FILES):
        path = directory / f"part-{index:02d}.warc.gz"
        build_replay_warc(pages, path, per_file, 0, id_prefix=f"{index}-", vary=True)
    records = per_file * FILES
    with ExitStack() as services:
        s3 = services.enter_context(S3Server())
        one = services.enter_context(RayCluster(nodes=1, num_cpus=1))
        two = services.enter_context(RayCluster(nodes=2, num_cpus=1))
        setup = {
            "bucket": s3.make_bucket("bench"),
            "storage_options": s3.storage_options(),
            "ray-1node": one.address,
            "ray-2nodes": two.address,
        }
        os.environ[SETUP_ENV] = json.dumps(setup)
        os.environ["RAY_AUTH_MODE"] = "disabled"  # as the clusters run (tests/services.py)
        print(
            f"input: {FILES} WARC files of {per_file} HTML records (words shuffled, no two alike); "
            f"`curate run` with the report; S3: {s3.kind} on loopback; best of {args.repeat} interleaved "
            "rounds\n"
        )
        summaries = run_rounds(CLUSTER_VARIANTS, directory, workdir, args.repeat, "input records", records)
    rate = {name.removeprefix("cluster-"): records / s.best.seconds for name, s in summaries.items()}
    rss = {name.removeprefix("cluster-"): s.peak_rss_mb for name, s in summaries.items()}
    rows = [
        ("folder", "local, 1 worker", "folder", "1.00x (baseline)"),
        ("s3", "local, 1 worker", "S3", f"{rate['s3'] / rate['folder']:.2f}x of the folder"),
        ("ray-1node", "Ray, 1 node x 1 CPU", "S3", "1.00x (baseline)"),
        (
            "ray-2nodes",
            "Ray, 2 nodes x 1 CPU",
            "S3",
            f"{rate['ray-2nodes'] / rate['ray-1node']:.2f}x of one node",
        ),
    ]
    print("| variant | executor | OUT | records/s | ratio | peak RSS MB (driver) |")
    print("|---|---|---|---:|---:|---:|")
    for name, executor, out, ratio in rows:
        print(f"| {name} | {executor} | {out} | {rate[name]:.1f} | {ratio} | {rss[name]:.0f} |")
    return {
        "records": records,
        "s3_server": s3.kind,
        "records_per_s": rate,
        "store_vs_folder": rate["s3"] / rate["folder"],
        "two_nodes_vs_one": rate["ray-2nodes"] / rate["ray-1node"],
        "peak_rss_mb": rss,
    }
