"""`curate stats OUT` in a terminal: plain tables within 100 columns whose numbers are the stats
tables'; hostile text in a cell stays on its line; --json strict; a closed pipe, Ctrl-C and every
--help quiet and clean."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import unicodedata

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.cli import main
from curate.cli.main import CLOSED_PIPE_EXIT, COMMANDS, build_parser
from curate.cli.stats import TOP_LANGUAGES, terminal_lines
from curate.cli.tables import WIDTH, Column, Kind, format_table, text_width, wrap
from curate.statistics import compute_stats
from curate.statistics.tables import ALL
from tests.test_outputs_readable import strict_loads

HOSTILE = [
    "evil.example\nsecond line",
    "tab\there",
    "\x1b[31mred\x1b[0m.example",
    "\u202eright-to-left.example",
    "https://example.com/" + "very-long-path/" * 30,
    "中文字日本語のテスト" * 12,
    "\x00\r\x85\u2028",
]
UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """`curate demo`'s run: seven languages, removals by several stages, one damaged record."""
    directory = tmp_path_factory.mktemp("stats-terminal")
    assert main(["demo", "-o", str(directory), "--pretrain-steps", "0", "--no-progress", "-q"]) == 0
    return directory / "out"


@pytest.fixture(scope="module")
def stats(out):
    return compute_stats(out)


@pytest.fixture(scope="module")
def printed(out):
    """What `curate stats OUT` prints, from a real process."""
    done = subprocess.run(
        [sys.executable, "-m", "curate.cli", "stats", str(out)], capture_output=True, text=True, check=True
    )
    assert done.stderr == ""
    return done.stdout.splitlines()


def _fits(lines: list[str], width: int = WIDTH) -> None:
    for line in lines:
        assert len(line) <= width and text_width(line) <= width, repr(line)
        assert not any(unicodedata.category(char) in UNSAFE for char in line), repr(line)


def parse_table(lines: list[str], title: str) -> list[dict[str, str]]:
    """The rows under `title` as {header: cell}, the columns read off the rule line's dashes."""
    start = lines.index(title)
    header, rule = lines[start + 1], lines[start + 2]
    spans, position = [], 0
    for dashes in rule.split("  "):
        spans.append((position, position + len(dashes)))
        position += len(dashes) + 2
    rows = []
    for line in lines[start + 3 :]:
        if not line:
            break
        rows.append({header[a:b].strip(): line[a:b].strip() for a, b in spans})
    return rows


def test_output_is_plain_tables_within_100_columns(printed):
    _fits(printed)
    assert not any(line.startswith("shape:") or set(line) & set("┌│╞═┆") for line in printed)
    dtype_rows = [
        line for line in printed if set(line.split()) <= {"str", "i64", "u32", "f64", "---", "bool"}
    ]
    assert dtype_rows == [line for line in printed if not line.strip()]  # only blank lines
    for title in (
        "kept data per language",
        "documents left after each step",
        "removals by language and reason",
    ):
        header = printed[printed.index(title) + 1]
        assert header.split()[:2] in (["lang", "language"], ["step", ALL], ["lang", "stage"])


def test_numbers_are_the_stats_tables(printed, stats):
    shown = parse_table(printed, "kept data per language")
    languages = stats.tables["languages"]
    assert [row["lang"] for row in shown] == languages["lang"].to_list()
    for row, expected in zip(shown, languages.iter_rows(named=True)):
        assert row["docs"] == f"{expected['docs']:,}" and row["chars"] == f"{expected['chars']:,}"
        assert row["docs_share"] == f"{expected['docs_share']:.1%}"
    assert {row["lang"]: row["language"] for row in shown}["fr"] == "French"
    final = next(
        row for row in parse_table(printed, "documents left after each step") if row["step"] == "final"
    )
    funnel = stats.tables["funnel"].filter(pl.col("step") == "final")
    assert {lang: int(final[lang].replace(",", "")) for lang in final if lang != "step"} == dict(
        zip(funnel["lang"], funnel["docs"])
    )
    removals = parse_table(printed, "removals by language and reason")
    assert len(removals) == stats.tables["removals"].height  # fewer than TOP_ROWS: all of them
    domains = parse_table(printed, "top domains (by kept documents)")
    assert all(int(row["kept_docs"]) > 0 for row in domains) and domains


def test_hostile_cells_and_many_languages_keep_the_layout(stats):
    tables = dict(stats.tables)
    domains = tables["domains"].filter(pl.col("lang") == ALL).head(len(HOSTILE))
    tables["domains"] = domains.with_columns(pl.Series("domain", HOSTILE[: domains.height]), kept_docs=1)
    audit = tables["audit_domains"]
    tables["audit_domains"] = pl.concat([audit.head(1)] * len(HOSTILE)).with_columns(
        pl.Series("domain", HOSTILE), flagged=True
    )
    codes = [f"x{i:02d}" for i in range(54)]
    many = tables["funnel"].filter(pl.col("lang") == "fr")
    tables["funnel"] = pl.concat([tables["funnel"], *(many.with_columns(lang=pl.lit(c)) for c in codes)])
    lines = terminal_lines(dataclasses.replace(stats, tables=tables))
    _fits(lines)
    start = lines.index(next(line for line in lines if line.startswith("filter audit"))) + 3
    rows = lines[start : start + len(HOSTILE)]
    assert lines[start + len(HOSTILE)].startswith("ci_low, ci_high")  # the note: one line per row
    assert [row.split()[0] for row in rows] == [audit["stage"][0]] * len(HOSTILE)
    assert any("�[31mred�[0m.example" in row for row in rows)
    funnel_header = lines[lines.index("documents left after each step") + 1].split()
    assert len(funnel_header) == 2 + TOP_LANGUAGES
    languages = stats.tables["funnel"].filter(pl.col("lang") != ALL)["lang"].n_unique() + len(codes)
    text = " ".join(lines)
    assert f"{languages - TOP_LANGUAGES} more in {stats.out_dir}/report/funnel.parquet" in text


def test_json_is_strict(out, capsys):
    assert main(["stats", str(out), "--json"]) == 0
    document = strict_loads(capsys.readouterr().out)
    assert {"summary", "languages", "funnel", "audit_languages"} <= set(document)


def test_closed_pipe_exits_quietly(out):
    command = f"{sys.executable} -m curate.cli stats {out} | head -3"
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True)
    assert (done.returncode, done.stderr, len(done.stdout.splitlines())) == (0, "", 3)
    # A reader gone before the first line: every write fails, and still nothing on stderr.
    process = subprocess.Popen(
        [sys.executable, "-m", "curate.cli", "stats", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    error = process.stderr.read()
    assert (process.wait(), error) == (CLOSED_PIPE_EXIT, b"")


@pytest.mark.parametrize("exception", [KeyboardInterrupt, BrokenPipeError])
def test_interrupt_is_one_line_and_other_broken_pipes_raise(exception, out, monkeypatch, capsys):
    def command(args):
        raise exception

    monkeypatch.setitem(COMMANDS, "stats", command)
    if exception is KeyboardInterrupt:
        assert main(["stats", str(out)]) == 130
        assert capsys.readouterr().err == "interrupted\n"
    else:  # stdout is pytest's capture, no pipe: the broken pipe is something else's
        with pytest.raises(BrokenPipeError):
            main(["stats", str(out)])


def _parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _parsers(child)


def test_no_help_shows_a_doubled_percent_sign():
    helps = {parser.prog: parser.format_help() for parser in _parsers(build_parser())}
    assert {"curate quality", "curate quality train", "curate stats"} <= set(helps)
    assert [prog for prog, text in helps.items() if "%%" in text] == []
    assert "10% of each side" in " ".join(helps["curate quality"].split())


VALUES = {
    Kind.TEXT: st.none() | st.text(max_size=200) | st.sampled_from(HOSTILE),
    Kind.NUMBER: st.none() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=True, allow_infinity=True),
    Kind.PERCENT: st.none() | st.floats(min_value=0, max_value=1),
}
TABLES = st.lists(
    st.tuples(st.text(max_size=30), st.sampled_from(list(Kind))), min_size=1, max_size=40
).flatmap(
    lambda columns: st.tuples(
        st.just([Column(header, kind) for header, kind in columns]),
        st.lists(st.tuples(*(VALUES[kind] for _, kind in columns)), max_size=8),
    )
)


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=300),
    table=TABLES,
    notes=st.lists(st.text(max_size=300), max_size=2),
    width=st.integers(20, 160),
)
def test_formatter_fits_any_text_and_numbers(title, table, notes, width):
    columns, rows = table
    lines = format_table(title, columns, rows, notes=notes, width=width)
    _fits(lines, width)
    fixed = len(wrap(title, width)) + sum(len(wrap(note, width)) for note in notes)
    body = len(lines) - fixed
    if not rows:
        assert body == 1  # the `empty` line
    else:  # per group of columns: a header, a rule and one line per row; blank lines between groups
        groups, left = divmod(body + 1, len(rows) + 3)
        assert groups >= 1 and left == 0
        assert groups == 1 or len(columns) > 2


def test_cells_are_formatted_by_kind():
    columns = [Column("url"), Column("docs", Kind.NUMBER), Column("rate", Kind.PERCENT)]
    rows = [(HOSTILE[2], 1234567, 0.1234), (HOSTILE[5], None, 0.0001), ("short", 2.5, None)]
    title, header, rule, *cells = format_table("t", columns, rows, width=60)
    assert header.split() == ["url", "docs", "rate"] and set(rule) == {"-", " "}
    assert cells[0].startswith("�[31mred�[0m.example") and cells[0].endswith("1,234,567  12.3%")
    assert cells[1].split()[1:] == ["-", "<0.1%"] and "…" in cells[1] and text_width(cells[1]) == 60
    assert cells[2].split() == ["short", "2.50", "-"]
