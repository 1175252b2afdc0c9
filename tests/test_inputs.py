"""Input expansion over generated paths: paths-file lines never leave their base, one file is one
input however it is named, and OUT's own files are never inputs."""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.cli import main
from curate.errors import UsageError
from curate.inputs import expand_inputs, read_paths_file, without_outputs

EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
BASE = "https://data.commoncrawl.org/"
SEGMENT = st.text(
    st.characters(categories=["L", "N"], include_characters="-_."), min_size=1, max_size=8
).filter(lambda s: s not in (".", ".."))
LINE = st.lists(SEGMENT, min_size=1, max_size=4).map("/".join)
CONTROL = st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x85", "\t"])


def write_paths(path: Path, lines: list[str]) -> Path:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write("".join(f"{line}\n" for line in lines))
    return path


@EXAMPLES
@given(lines=st.lists(st.tuples(st.booleans(), LINE), min_size=1, max_size=6), gz=st.booleans())
def test_paths_file_lines_stay_under_the_base_even_when_absolute(lines, gz, tmp_path):
    texts = [("/" if absolute else "") + line for absolute, line in lines]
    paths = write_paths(tmp_path / ("x.paths.gz" if gz else "x.paths"), texts)
    assert read_paths_file(str(paths), BASE) == [BASE + line for _, line in lines]


def test_an_absolute_local_path_is_read_under_the_base_not_from_disk(tmp_path):
    paths = write_paths(tmp_path / "x.paths", ["/etc/passwd"])
    assert expand_inputs([str(paths)], BASE) == [BASE + "etc/passwd"]
    local_base = tmp_path / "crawl"
    assert expand_inputs([str(paths)], str(local_base)) == [f"{local_base}/etc/passwd"]


@EXAMPLES
@given(
    before=st.lists(LINE, max_size=4),
    bad=st.one_of(
        st.tuples(LINE, LINE).map(lambda p: f"{p[0]}/../{p[1]}"),
        LINE.map(lambda p: f"../{p}"),
        LINE.map(lambda p: f"/{p}/.."),
        LINE.map(lambda p: f"{p}/%2e%2e/x"),
        st.tuples(LINE, CONTROL, LINE).map("".join),
    ),
)
def test_dot_dot_and_control_characters_are_refused_naming_the_line(before, bad, tmp_path):
    paths = write_paths(tmp_path / "x.paths", [*before, "", bad])  # a blank line is counted too
    with pytest.raises(UsageError, match=rf"x\.paths: line {len(before) + 2}: ") as error:
        read_paths_file(str(paths), BASE)
    assert "\n" not in str(error.value)


def test_paths_file_needs_a_base(tmp_path):
    with pytest.raises(UsageError, match="needs a base URL"):
        read_paths_file(str(write_paths(tmp_path / "x.paths", ["a.warc.gz"])), "")


def spellings(root: Path, name: str) -> list[str]:
    """Ways to name the file root/data/name: absolute, relative with ./, through a symlinked
    directory, a symlink, a hard link, its directory, a glob."""
    target = root / "data" / name
    links = root / "links"
    os.symlink(target, links / f"sym-{name}")
    os.link(target, links / f"hard-{name}")
    return [
        str(target),
        f"./data/{name}",
        f"data/../data/{name}",
        str(root / "alias" / name),
        str(links / f"sym-{name}"),
        str(links / f"hard-{name}"),
        str(root / "data" / f"{name[0]}*"),
    ]


@pytest.fixture
def named_twice(tmp_path, monkeypatch):
    """Three input files in tmp_path/data, each with many spellings; the cwd is tmp_path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "links").mkdir()
    os.symlink(tmp_path / "data", tmp_path / "alias")
    names = ["a.warc.gz", "b.jsonl", "c.parquet"]
    for name in names:
        (tmp_path / "data" / name).write_bytes(name.encode())
    return {name: spellings(tmp_path, name) for name in names}


@EXAMPLES
@given(
    picks=st.lists(
        st.tuples(st.sampled_from(["a.warc.gz", "b.jsonl", "c.parquet"]), st.integers(0, 6)), min_size=1
    )
)
def test_one_file_is_one_input_under_its_first_spelling(picks, named_twice):
    args = [named_twice[name][k] for name, k in picks]
    found = expand_inputs(args, BASE)
    firsts = list(dict.fromkeys(name for name, _ in picks))
    assert len(found) == len(firsts)
    assert [os.stat(p).st_ino for p in found] == [os.stat(named_twice[name][0]).st_ino for name in firsts]
    first_spelling = {name: named_twice[name][k] for name, k in reversed(picks)}
    assert all(
        p == first_spelling[name] or first_spelling[name].endswith("*") for p, name in zip(found, firsts)
    )


def test_a_directory_and_a_glob_of_it_overlap_into_one_list(named_twice, tmp_path):
    found = expand_inputs(["data", "data/*.warc.gz", str(tmp_path / "alias")], BASE)
    assert found == ["data/a.warc.gz", "data/b.jsonl", "data/c.parquet"]


@EXAMPLES
@given(
    inside=st.lists(LINE, max_size=4),
    outside=st.lists(LINE, max_size=4),
    out_exists=st.booleans(),
    spelled=st.sampled_from(["absolute", "relative", "symlink"]),
)
def test_without_outputs_drops_exactly_the_files_under_out(
    inside, outside, out_exists, spelled, tmp_path, monkeypatch
):
    root = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example: OUT exists or not, as drawn
    monkeypatch.chdir(root)
    out = root / "out"
    if out_exists:
        out.mkdir()
    os.symlink(out, root / "out-link")  # dangling while OUT does not exist
    spell = {
        "absolute": lambda line: str(out / line),
        "relative": lambda line: f"./out/{line}",
        "symlink": lambda line: str(root / "out-link" / line),
    }[spelled]
    # a sibling whose name starts like OUT's is not under it
    kept = [str(root / "out-old" / line) for line in outside] + ["https://host/out/x.warc.gz"]
    dropped = [spell(line) for line in inside]
    inputs = [*dropped, *kept]
    assert without_outputs(inputs, out) == kept
    assert without_outputs(inputs, Path("out")) == kept  # OUT spelled relative


@pytest.mark.parametrize(
    "command",
    [
        ["run", "x.warc.gz", "--no-progress"],
        ["demo", "--no-progress"],
        ["dedup", "x.jsonl"],
        ["pretrain", "x"],
    ],
)
@pytest.mark.parametrize("output", ["", " ", "a-file"])
def test_output_must_name_a_directory(command, output, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("mine")
    before = sorted(tmp_path.iterdir())
    assert main([*command, "-o", output]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "-o/--output" in line
    assert sorted(tmp_path.iterdir()) == before and (tmp_path / "a-file").read_text() == "mine"


def test_config_that_is_a_directory_is_one_line(tmp_path, capsys):
    assert main(["run", "x.warc.gz", "-o", str(tmp_path / "out"), "--config", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "is a directory" in line and not (tmp_path / "out").exists()
