"""A run started from a folder that holds a directory named `curate` (a checkout, a user's own
package) still imports the installed curate in every process it starts: the extraction sandbox and
Ray's workers. A relative input is named by its absolute path in the shards' `source`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import WARC_DIR

CURATE = Path(sys.executable).parent / "curate"  # the console script: `-m` would import the shadow


@pytest.mark.parametrize("executor", ["local", "ray"])
def test_a_folder_named_curate_in_the_cwd_shadows_nothing(executor, tmp_path):
    if executor == "ray":
        pytest.importorskip("ray")
    shadow = tmp_path / "curate"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise ImportError('the shadow was imported')\n")
    shutil.copy(WARC_DIR / "cc.warc.gz", tmp_path / "cc.warc.gz")
    done = subprocess.run(
        [str(CURATE), "run", "cc.warc.gz", "-o", "out", "--executor", executor, "--workers", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "shadow" not in done.stderr and "Traceback" not in done.stderr
    assert "Ray" not in done.stderr  # no banner, no notice
    sources = pl.read_parquet(tmp_path / "out" / "stats" / "removed" / "*.parquet")["source"]
    assert set(sources) == {str(tmp_path / "cc.warc.gz")}
