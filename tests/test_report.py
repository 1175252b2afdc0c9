"""Statistics and the HTML report: numbers equal counts made independently from the shards and
ledgers of a run over every shared WARC file; the report renders in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess

import polars as pl
import pytest

from curate.cli import main
from curate.config import Config
from curate.error_log import ErrorLog, read_error_logs
from curate.ledger import Ledger, write_ledger_table
from curate.stats import REPORT_DIR, STATS_JSON
from curate.stats.audit import mask_badwords
from curate.stats.errors import EXAMPLES
from curate.stats.tables import ALL
from curate.task import STATS_DIR
from tests.conftest import WARC_DIR, ledger, run, shards
from tests.test_outputs_readable import strict_loads

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """All of ../shared/data/warc through the default pipeline, removed texts kept, via the CLI."""
    out = tmp_path_factory.mktemp("report") / "out"
    assert main(["run", str(WARC_DIR), "-o", str(out), "--no-progress", "--keep-removed"]) in (0, 1)
    return out


def _stats(out):
    return strict_loads((out / REPORT_DIR / STATS_JSON).read_text())


def test_report_numbers_equal_independent_counts(full_run):
    out = full_run
    stats = _stats(out)
    docs = shards(out)
    books = ledger(out)
    # Kept documents and characters per language, straight from the shards' text.
    expected = docs.group_by("lang").agg(
        pl.len().alias("docs"), pl.col("text").str.len_chars().sum().alias("chars")
    )
    reported = {row["lang"]: (row["docs"], row["chars"]) for row in stats["languages"]}
    assert reported == {r["lang"]: (r["docs"], r["chars"]) for r in expected.iter_rows(named=True)}
    final = {r["lang"]: r["docs"] for r in stats["funnel"] if r["step"] == "final" and r["lang"] != ALL}
    assert final == dict(zip(expected["lang"], expected["docs"]))
    # Removed documents and characters per (language, reason), from the ledgers.
    removed = (
        books.filter(pl.col("outcome") == "removed")
        .group_by("lang", "reason")
        .agg(pl.col("docs", "chars").sum())
    )
    matrix = {(r["lang"], r["reason"]): (r["docs"], r["chars"]) for r in stats["removals"]}
    assert matrix == {
        (r["lang"], r["reason"]): (r["docs"], r["chars"]) for r in removed.iter_rows(named=True)
    }
    # ... and from the removed-documents record, which holds the texts with --keep-removed.
    excluded = pl.read_parquet(out / "excluded" / "**" / "*.parquet", hive_partitioning=False)
    from_texts = excluded.group_by("lang", "reason").agg(pl.len(), pl.col("text").str.len_chars().sum())
    with_text = {
        k: v for k, v in matrix.items() if books.filter(pl.col("reason") == k[1])["stage"][0] != "url"
    }
    assert with_text == {
        (r["lang"], r["reason"]): (r["len"], r["text"]) for r in from_texts.iter_rows(named=True)
    }
    # The funnel starts at every record read and ends at the shards.
    read = books.filter(pl.col("outcome") == "read")["docs"].sum()
    steps = {r["step"]: r["docs"] for r in stats["funnel"] if r["lang"] == ALL}
    assert steps["read"] == read and steps["final"] == docs.height
    assert steps["extracted"] >= steps["langid"] >= steps["final"] > 0
    # Domains: kept documents per domain equal the shards'.
    per_domain = {
        r["domain"]: r["kept_docs"] for r in stats["domains"] if r["lang"] == ALL and r["kept_docs"]
    }
    assert per_domain == dict(docs.group_by("domain").len().iter_rows())
    assert stats["summary"]["kept_docs"] == docs.height


def test_audit_flags_a_stage_that_hits_one_language(full_run):
    audit = pl.DataFrame(_stats(full_run)["audit_languages"])
    # Russian pages fail Gopher's alpha-word ratio (digits and symbols of shop listings): 4 of 4.
    flagged = audit.filter(pl.col("flagged"))
    assert ("gopher_quality", "ru") in set(zip(flagged["stage"], flagged["lang"]))
    assert (audit["rate"] <= 1).all() and (audit["removed"] <= audit["entering"]).all()


def test_badwords_are_masked_in_examples():
    assert mask_badwords("Some Sex and more sex.", ["sex"]) == "Some S** and more s**."


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is installed by .ci/run")
def test_report_renders_in_headless_chromium(full_run, tmp_path):
    report = full_run / REPORT_DIR / "report.html"
    html = report.read_text()
    assert (
        "http://" not in re.sub(r"<td[^>]*>.*?</td>", "", html, flags=re.S).split("<body>")[0]
    )  # nothing fetched
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            "chromium",
            *CHROMIUM_FLAGS,
            *profile,
            "--window-size=1200,3000",
            f"--screenshot={shot}",
            report.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 20_000  # a page with charts, not a blank one
    dom = subprocess.run(
        ["chromium", *CHROMIUM_FLAGS, *profile, "--dump-dom", "--virtual-time-budget=5000", report.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    images = int(re.search(r'data-images="(\d+)"', dom).group(1))
    assert images >= 4 and 'data-broken-images="0"' in dom
    assert dom.count("<table") >= 8
    for heading in ("Languages", "Funnel", "Filter audit", "Domains", "Signal distributions", "Chinchilla"):
        assert heading in dom


def test_stats_command_prints_tables_and_json(full_run, capsys):
    assert main(["stats", str(full_run)]) == 0
    printed = capsys.readouterr().out
    assert "kept data per language" in printed and "documents left after each step" in printed
    assert main(["stats", str(full_run), "--json"]) == 0
    document = strict_loads(capsys.readouterr().out)
    assert document["summary"]["chinchilla_params"] == round(document["summary"]["estimated_tokens"] / 20)
    assert main(["stats", str(full_run.parent / "nothing")]) == 2


def test_report_without_filters_or_dedup(tmp_path):
    config = Config()
    config.langid.enabled = config.filters.enabled = config.dedup.enabled = False
    run([WARC_DIR / "cc.warc.gz"], tmp_path / "out", config)
    assert main(["report", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / REPORT_DIR / "report.html").is_file()


def test_errors_table_counts_every_error_of_the_ledgers(full_run):
    stats = _stats(full_run)
    books = ledger(full_run).filter(pl.col("outcome") == "error")
    expected = books.group_by("stage", "reason").agg(pl.col("docs").sum())
    assert {(r["stage"], r["reason"]): r["docs"] for r in stats["errors"]} == dict(
        ((r["stage"], r["reason"]), r["docs"]) for r in expected.iter_rows(named=True)
    )
    assert ("read", "truncated") in {(r["stage"], r["reason"]) for r in stats["errors"]}  # the cut WET
    logged = read_error_logs(full_run / STATS_DIR)
    shown = {(r["stage"], r["reason"], r["url"]) for r in stats["error_examples"]}
    assert shown and shown <= set(logged.select("stage", "reason", "url").iter_rows())
    assert stats["summary"]["error_records"] == books["docs"].sum()
    html = (full_run / REPORT_DIR / "report.html").read_text()
    assert "<h2>Errors</h2>" in html and next(iter(shown))[2] in html


def test_errors_table_shows_timeouts_crashes_and_failed_inputs(tmp_path, capsys):
    out = tmp_path / "out"
    missing = tmp_path / "missing.warc.gz"
    run([WARC_DIR / "cc.warc.gz", missing], out)
    # A task whose pages timed out and whose extractor raised, booked as the pipeline books them.
    task, location = "slow.warc.gz-00000000", "slow.warc.gz"
    books, log = Ledger(task, location), ErrorLog(task, location)
    for i in range(5):
        books.read(100)
        reason, error = (
            ("timeout", TimeoutError("over 2 s")) if i < 4 else ("extract_failed", ValueError("bad"))
        )
        books.book("extract", "error", reason, 100)
        log.add("extract", reason, f"id-{i}", f"https://slow.example/{i}", error)
    write_ledger_table(out / STATS_DIR, task, books.to_table())
    log.write(out / STATS_DIR)
    assert main(["stats", str(out), "--json"]) == 0
    stats = strict_loads(capsys.readouterr().out)
    counts = {(r["stage"], r["reason"]): (r["docs"], r["inputs"]) for r in stats["errors"]}
    assert counts[("extract", "timeout")] == (4, 1) and counts[("extract", "extract_failed")] == (1, 1)
    assert counts[("input", "failed")] == (None, 1)
    examples = pl.DataFrame(stats["error_examples"])
    timeouts = examples.filter(pl.col("reason") == "timeout")
    assert timeouts["url"].to_list() == [f"https://slow.example/{i}" for i in range(EXAMPLES)]
    assert set(timeouts["error_type"]) == {"TimeoutError"} and set(timeouts["message"]) == {"over 2 s"}
    failed = examples.filter(pl.col("stage") == "input").row(0, named=True)
    assert failed["input"] == str(missing) and "no such file" in failed["message"]
    assert main(["stats", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "errors by stage and reason" in printed and "timeout" in printed and "extract_failed" in printed
    assert main(["report", str(out)]) == 0
    html = (out / REPORT_DIR / "report.html").read_text()
    assert "https://slow.example/0" in html and "TimeoutError" in html and str(missing) in html


def test_stats_refuse_shards_of_the_old_layout(tmp_path, capsys):
    out = tmp_path / "out"
    run([WARC_DIR / "cc.warc.gz"], out)
    (out / "shards" / "lang-und").rename(out / "shards" / "lang=und")  # as curate wrote them before
    assert main(["stats", str(out)]) == 2
    assert "rerun the same `curate run`" in capsys.readouterr().err
