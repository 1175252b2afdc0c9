"""The output layout: every file a run writes is one of its paths, and each task's files map back
to that task, whatever characters its input's name holds."""

from __future__ import annotations

from pathlib import Path

from curate.config import Config
from curate.layout import OutputLayout, checksum_path
from curate.pipeline.task import task_id_for
from tests.conftest import WARC_DIR, run


def test_every_file_of_a_run_is_a_task_file_or_a_run_file(shared_data, tmp_path):
    inputs = sorted(str(p) for p in WARC_DIR.glob("*.warc.gz"))
    config = Config()
    config.filters.enabled = False  # language ID and dedup on: staged, removed, signatures, clusters
    run(inputs, tmp_path / "out", config)
    layout = OutputLayout(tmp_path / "out")
    tasks = {task_id_for(location) for location in inputs}
    owned = {path: task for task, path in layout.task_files()}
    assert {task for task in owned.values()} == tasks | {"dedup"}  # dedup's ledger: stats/dedup.parquet
    assert owned[layout.ledger("dedup")] == "dedup"
    for task in tasks:
        outputs = layout.task_outputs(task)
        assert outputs and all(owned[path] == task for path in outputs)
        assert owned[layout.marker(task)] == task
    run_files = {
        layout.run_record,
        layout.lock,
        layout.log_file,
        layout.clusters,
        checksum_path(layout.clusters),
        layout.topic_clusters,
        layout.topic_sample,
        layout.topic_sample_texts,
    }
    under_run_dirs = (layout.shards_dir, layout.report_dir, layout.pairs_dir)
    for path in (p for p in layout.root.rglob("*") if p.is_file()):
        assert path in owned or path in run_files or any(d in path.parents for d in under_run_dirs), path


def test_task_files_map_back_names_with_dots_dashes_and_digits(tmp_path):
    layout = OutputLayout(tmp_path)
    task = task_id_for("s3://bucket/CC-MAIN-2024-10.warc.gz-00001.warc.gz")
    paths = [
        layout.staged_dir / "lang=en" / f"{layout.staged_prefix(task)}-00000.parquet",
        layout.removed_dir / f"{task}-00003.parquet",
        layout.ledger(task),
        layout.error_log(task),
        layout.signatures(task),
        checksum_path(layout.signatures(task)),
        layout.marker(task),
    ]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    assert sorted(layout.task_files()) == sorted((task, path) for path in paths)
    assert set(layout.task_outputs(task)) == set(paths) - {layout.marker(task)}
    assert layout.staged_parts("en", [task]) == [paths[0]]
    assert layout.removed_files(task) == [paths[1]]
    assert isinstance(layout.run_record, Path)
