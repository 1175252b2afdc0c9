"""`curate demo`: a sample crawl made by curate itself, run through the whole pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

from curate.config import Config
from curate.demo.crawl import write_demo_crawl
from curate.errors import UsageError
from curate.run import RUN_RECORD, run_pipeline
from filters.badwords import BadwordsUnavailableError, find_lists_dir

SAMPLE_NAME = "sample/demo-crawl.warc.gz"


def run_demo(directory: Path, config: Config, show_progress: bool | None = None) -> int:
    from curate.cli import report_run  # the CLI owns printing

    out = directory / "out"
    if directory.exists() and not (out / RUN_RECORD).exists() and any(directory.iterdir()):
        raise UsageError(f"-o {directory}: directory is not empty and holds no curate demo; choose another")
    shutil.rmtree(out, ignore_errors=True)
    if "badwords" in config.filters.order:
        try:
            find_lists_dir(config.filters.badwords_dir or None)
        except BadwordsUnavailableError as exc:
            # The demo must run offline; a real run stops instead (see `curate run --help`).
            print(f"note: badwords filter left out of the demo: {exc}")
            config.filters.order = [name for name in config.filters.order if name != "badwords"]
    crawl = write_demo_crawl(directory / SAMPLE_NAME)
    print(f"sample crawl: {crawl}")
    result = run_pipeline([str(crawl)], out, config, show_progress)
    code = report_run(result)
    print(f"\nread the shards: polars.read_parquet('{out}/shards/**/*.parquet')")
    return code
