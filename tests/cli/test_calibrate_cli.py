"""`curate calibrate`: its help, the table it prints and the overrides file it writes."""

from __future__ import annotations

import pytest

from curate.cli import main
from curate.config import Config, load_config
from tests.conftest import run
from tests.stats.test_calibrate import generate


def test_help_explains_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["calibrate", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in ("OUT", "--reference", "--min-docs", "quantile", "looser", "reached", "curate run --config"):
        assert words in text
    with pytest.raises(SystemExit):  # the root help lists it
        main(["--help"])
    assert "calibrate" in capsys.readouterr().out


def test_writes_the_overrides_file(tmp_path, capsys):
    out = tmp_path / "out"
    run([generate(tmp_path / "docs.jsonl", docs=120)], out, Config())
    path = tmp_path / "x.toml"
    assert main(["calibrate", str(out), "-o", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "reference: en" in printed and "de    120   gopher_quality.max_ellipsis_lines_ratio" in printed
    assert f"written to {path}" in printed
    config = load_config(path)
    assert set(config.filters.per_language) == {"de"}
    assert config.filters.per_language["de"]["gopher_quality"]["max_ellipsis_lines_ratio"] > 0.3
    # Too few documents: nothing proposed, said so; a folder without a run: exit 2.
    assert main(["calibrate", str(out), "--min-docs", "500"]) == 0
    assert "fewer than --min-docs 500" in capsys.readouterr().out
    assert main(["calibrate", str(tmp_path / "nothing")]) == 2
    assert main(["calibrate", str(out), "--reference", "fr"]) == 2
    assert main(["calibrate", str(out), "-o", str(tmp_path)]) == 2  # a directory
