"""Command line: clear one-line errors, exit codes, and no partial output on bad input."""

from __future__ import annotations

import os

import pytest

from curate.cli import main
from tests.conftest import READING_TOML, WARC_DIR, shards


def _error_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_missing_path_exits_2_with_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "nothere.warc.gz"), "-o", str(out)]) == 2
    (line,) = _error_lines(capsys)
    assert "no such file or directory" in line and "nothere.warc.gz" in line
    assert not out.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty"),
        (
            b"\x00" + os.urandom(4095).replace(b"\x1f", b"x"),  # \x00 first: never sniffed as a format
            "not a WARC, ARC, WET, JSONL or Parquet",
        ),
        (b"\x1f\x8b\x08\x00" + os.urandom(2048), "not a WARC, ARC, WET, JSONL or Parquet"),
    ],
    ids=["empty", "garbage", "garbage-gzip"],
)
def test_bad_file_gives_one_error_line_and_no_output(content, message, tmp_path, capsys):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(content)
    out = tmp_path / "out"
    assert main(["run", str(bad), "-o", str(out), "--no-progress"]) == 1
    (line,) = _error_lines(capsys)
    assert message in line and "bad.warc.gz" in line
    assert not out.exists()


def test_bad_file_beside_good_ones_fails_alone(tmp_path, capsys, shared_data):
    bad = tmp_path / "bad.warc"
    bad.write_bytes(b"this is not a crawl file\n")
    out = tmp_path / "out"
    config = tmp_path / "c.toml"
    config.write_text(READING_TOML)
    code = main(
        [
            "run",
            str(WARC_DIR / "cc.warc.gz"),
            str(bad),
            "-o",
            str(out),
            "--no-progress",
            "--config",
            str(config),
        ]
    )
    assert code == 1
    captured = capsys.readouterr()
    assert "FAILED" in captured.out and "bad.warc" in captured.err
    assert shards(out).height == 1
    assert not list(out.rglob("*bad.warc*"))


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["run", "x.warc"], "-o/--output"),
        (["run", "x.warc", "-o", "o", "--limit", "0"], "--limit"),
        (["run", "x.warc", "-o", "o", "--extractor", "lynx"], "--extractor"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2(argv, fragment, capsys):
    assert main(argv) == 2
    (line,) = _error_lines(capsys)
    assert fragment in line


@pytest.mark.parametrize(
    "toml, fragment",
    [
        ("[read]\nfoo = 1\n", "unknown key read.foo"),
        ("[nope]\n", "unknown section [nope]"),
        ("[extract]\ntimeout_s = 'soon'\n", "extract.timeout_s must be float"),
        ("[output]\ncompression_level = 99\n", "output.compression_level is out of range"),
        ("[read\n", "not valid TOML"),
    ],
)
def test_bad_config_exits_2_and_writes_nothing(toml, fragment, tmp_path, capsys, shared_data):
    config = tmp_path / "c.toml"
    config.write_text(toml)
    out = tmp_path / "out"
    assert main(["run", str(WARC_DIR / "cc.warc.gz"), "-o", str(out), "--config", str(config)]) == 2
    (line,) = _error_lines(capsys)
    assert fragment in line
    assert not out.exists()


def test_refuses_foreign_non_empty_output_dir(tmp_path, capsys, shared_data):
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("mine")
    assert main(["run", str(WARC_DIR / "cc.warc.gz"), "-o", str(out)]) == 2
    assert (out / "precious.txt").read_text() == "mine"


def test_rerun_over_other_inputs_is_refused_unless_forced(tmp_path, shared_data, capsys):
    out = tmp_path / "out"
    config = tmp_path / "c.toml"
    config.write_text(READING_TOML)
    options = ["-o", str(out), "--no-progress", "--config", str(config)]
    assert main(["run", str(WARC_DIR / "sample-0000.warc.gz"), *options]) == 0
    kept = shards(out).height
    assert main(["run", str(WARC_DIR / "cc.warc.gz"), *options]) == 2
    assert "holds a run over other inputs" in capsys.readouterr().err
    assert shards(out).height == kept  # the first run's shards are untouched
    assert main(["run", str(WARC_DIR / "cc.warc.gz"), *options, "--force"]) == 0
    assert shards(out)["url"].to_list() == ["http://commoncrawl.org/"]
    assert len(list((out / "stats").glob("*.parquet"))) == 1


def test_help_explains_every_command(capsys):
    commands = (["--help"], ["run", "--help"], ["demo", "--help"], ["dedup", "--help"], ["stats", "--help"])
    for command in (*commands, ["report", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(command)
        assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "paths(.gz)" in text and "--limit" in text and "sample crawl" in text
    assert "--verify" in text and "--cross-language" in text and "--keep-removed" in text
    assert "Chinchilla" in text and "--json" in text
