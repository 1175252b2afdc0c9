"""Shared fixtures: the real crawl files in ../shared/data and a helper to run the pipeline."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import polars as pl
import pytest

from curate.config import Config
from curate.pipeline.run import RunResult, run_pipeline

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
WARC_DIR = SHARED_DATA / "warc"
SAMPLE = WARC_DIR / "sample-0000.warc.gz"
# Common Crawl text in Dolma's JSONL format
CC_TEXT = SHARED_DATA / "text" / "CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
# A sentence in Cyrillic, for the charset tests
RUSSIAN = "Съёмка города ночью требует штатива и терпения."
# Offline, the badwords filter needs the LDNOOBW lists on disk: the shared copy.
os.environ.setdefault("CURATE_BADWORDS_DIR", str(SHARED_DATA / "ldnoobw"))


@pytest.fixture(autouse=True)
def curate_logger_as_a_library_leaves_it():
    """`main([...])` in-process configures the `curate` logger as the command does (its own stderr
    handler, no propagation), also from module-scoped fixtures: each test starts with the logger as
    a library user finds it, so that caplog sees its lines."""
    logger = logging.getLogger("curate")
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
    yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not WARC_DIR.is_dir():
        pytest.fail(f"the shared real data is missing: {WARC_DIR}")
    return SHARED_DATA


def reading_config() -> Config:
    """Defaults without language ID, filters and dedup: for tests of the reading layer, which keep
    every document."""
    config = langid_config()
    config.langid.enabled = False
    return config


def langid_config() -> Config:
    """Defaults without the filters and dedup: for tests of language ID."""
    config = Config()
    config.filters.enabled = False
    config.dedup.enabled = False
    return config


READING_TOML = "[langid]\nenabled = false\n[filters]\nenabled = false\n[dedup]\nenabled = false\n"


def run(inputs: list[str | Path], out: Path, config: Config | None = None) -> RunResult:
    """Run the pipeline; without `config`, the reading layer only (see reading_config)."""
    config = (config or reading_config()).validate()
    return run_pipeline([str(i) for i in inputs], out, config, show_progress=False)


def shards(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "shards" / "**" / "*.parquet", hive_partitioning=False)


def ledger(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "stats" / "*.parquet")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        help="tests/pipeline/test_fuzz.py: the long mode, 500 random examples per property, shrunk on "
        "failure (same as CURATE_FUZZ_EXAMPLES=500)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--fuzz-long", default=False):
        os.environ.setdefault("CURATE_FUZZ_EXAMPLES", "500")  # read by tests/pipeline/test_fuzz.py at import
