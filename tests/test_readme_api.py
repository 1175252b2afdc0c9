"""The README's "Python API" examples: each ```python block runs as a plain script (no main guard),
in order, in one folder, as a reader following the section would run them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

# What each example prints that shows it did its work (a pattern), in the order of the blocks.
EXPECTED = [
    r"1 input\(s\), 0 failed, [1-9]\d* shard",  # curate.run over the sample crawl
    r"read [1-9]\d* records, kept [1-9]\d* documents",  # curate.stats of that run
    r"top_2gram",  # filter_texts and filter_frame: the repeated text removed
    r"off_topic\s*┆ about_bread",  # the registered filter's removals on two workers, in the stats
]


def api_examples() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_python_api_examples_run_as_plain_scripts(tmp_path: Path) -> None:
    examples = api_examples()
    assert len(examples) == len(EXPECTED)
    for number, (code, expected) in enumerate(zip(examples, EXPECTED)):
        assert "__main__" not in code
        script = tmp_path / f"example_{number}.py"
        script.write_text(code, encoding="utf-8")
        done = subprocess.run([sys.executable, script.name], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, f"example {number}:\n{done.stderr}"
        assert re.search(expected, done.stdout), f"example {number}:\n{done.stdout}"
