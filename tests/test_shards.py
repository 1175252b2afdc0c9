"""Shards: zstd; size-bounded; versioned; atomic; one `lang-xx/` folder per language (readers:
test_outputs_readable)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curate import SCHEMA_VERSION
from curate.config import Config
from curate.document import DOCUMENT_SCHEMA
from curate.shards import ShardWriter
from tests.conftest import WARC_DIR, reading_config, run, shards


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, shared_data):
    out = tmp_path_factory.mktemp("shards") / "out"
    run([WARC_DIR / "sample-0000.warc.gz", WARC_DIR / "fragment3.wet.gz"], out)
    return out


def test_shard_layout_metadata_and_compression(sample_run):
    files = sorted((sample_run / "shards").rglob("*.parquet"))
    assert [f.relative_to(sample_run / "shards").as_posix() for f in files] == [
        "lang-und/shard-00000.parquet"
    ]
    parquet = pq.ParquetFile(files[0])
    assert parquet.schema_arrow.metadata[b"curate.schema_version"] == SCHEMA_VERSION.encode()
    assert parquet.schema_arrow.names == DOCUMENT_SCHEMA.names
    assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
    assert not list(sample_run.rglob("*.tmp"))


def test_shards_keep_input_order(sample_run):
    docs = shards(sample_run)
    assert docs.height == 27
    assert (
        docs["source"].to_list()
        == [str(WARC_DIR / "sample-0000.warc.gz")] * 22 + [str(WARC_DIR / "fragment3.wet.gz")] * 5
    )


def test_shards_are_bounded_by_size(tmp_path, shared_data):
    config = reading_config()
    config.output.max_shard_bytes = 1 << 20
    config.output.row_group_bytes = 64 << 10
    out = tmp_path / "out"
    text = shared_data / "text" / "CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
    docs = run([WARC_DIR / "sample-0000.warc.gz", text], out, config)
    files = sorted((out / "shards" / "lang-und").glob("shard-*.parquet"))
    assert len(files) >= 2
    # A shard closes at the first row group that takes it past the bound.
    assert all(f.stat().st_size < (1 << 20) + (256 << 10) for f in files)
    assert sum(pq.ParquetFile(f).metadata.num_rows for f in files) == sum(
        t.totals["kept"] for t in docs.tasks
    )


def test_aborted_writer_leaves_nothing(tmp_path):
    writer = ShardWriter(tmp_path, "part", DOCUMENT_SCHEMA, Config().output)
    writer.write(pa.Table.from_pylist([{"id": "a", "text": "words"}], schema=DOCUMENT_SCHEMA))
    writer._flush_row_group()
    assert list(tmp_path.glob(".*.tmp"))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
