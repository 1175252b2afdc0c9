"""Statistics and the HTML report: numbers equal counts made independently from the shards and
ledgers of a run over every shared WARC file (the streamed histograms and examples equal numpy's
and polars' over every document held at once); the report renders in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curate.cli import main
from curate.config import Config
from curate.layout import OutputLayout
from curate.ledger import ErrorLog, Ledger, read_error_logs, write_ledger_table
from curate.stats import quantiles, scan
from curate.stats.audit import mask_badwords
from curate.stats.errors import EXAMPLES
from curate.stats.signals import BINS
from curate.stats.tables import ALL
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
    return strict_loads(OutputLayout(out).stats_json.read_text())


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


def test_signal_histograms_equal_numpy_over_every_document(full_run):
    signals = pl.DataFrame(_stats(full_run)["signals"])
    removed = pl.read_parquet(OutputLayout(full_run).removed_dir / "*.parquet")
    assert signals["signal"].n_unique() > 10
    for (signal,), table in signals.group_by("signal"):
        finite = {
            outcome: frame[signal].drop_nulls().cast(pl.Float64).to_numpy()
            for outcome, frame in (("kept", shards(full_run)), ("removed", removed))
        }
        finite = {outcome: values[np.isfinite(values)] for outcome, values in finite.items()}
        values = np.concatenate(list(finite.values()))
        low, high = np.percentile(values, [1, 99])
        if high <= low:
            low, high = values.min(), values.max() + 1e-9
        edges = np.linspace(low, high, BINS + 1)
        for outcome, sample in finite.items():
            rows = table.filter(pl.col("outcome") == outcome).sort("bin_start")
            assert rows["bin_start"].to_list() == edges[:-1].tolist()
            assert rows["bin_end"].to_list() == edges[1:].tolist()
            assert rows["count"].to_list() == np.histogram(np.clip(sample, low, high), edges)[0].tolist()


def test_examples_are_the_first_removed_documents_of_each_reason(full_run):
    columns = ["stage", "reason", "lang", "domain", "url"]
    removed = pl.read_parquet(OutputLayout(full_run).removed_dir / "*.parquet")
    clusters = pl.read_parquet(full_run / "dedup" / "clusters.parquet").filter(~pl.col("kept"))
    every = pl.concat(
        [removed, clusters.with_columns(pl.lit("dedup").alias("stage"))], how="diagonal_relaxed"
    )
    first = (
        every.sort("stage", "reason", "id").group_by("stage", "reason", maintain_order=True).head(EXAMPLES)
    )
    assert first.height > EXAMPLES
    assert pl.DataFrame(_stats(full_run)["examples"]).select(columns).rows() == first.select(columns).rows()


@pytest.mark.parametrize("size", [1, 2, 3, 10, 1000, 5000])
def test_streamed_percentiles_equal_numpy(size, monkeypatch):
    monkeypatch.setattr(quantiles, "FEW", 7)  # counting passes all the way down, not one sort
    rng = np.random.default_rng(size)
    columns = {
        "uniform": rng.random(size),
        "repeated": rng.integers(0, 4, size).astype(float),
        "signed": rng.normal(0, 1e6, size),
        "float32": rng.gamma(2, 3, size).astype(np.float32).astype(float),
    }

    def batches(names):
        for start in range(0, size, 300):
            yield {name: columns[name][start : start + 300] for name in names}

    spreads = quantiles.spreads(batches, list(columns), [1, 99])
    for name, values in columns.items():
        spread = spreads[name]
        assert spread.percentiles == np.percentile(values, [1, 99]).tolist()
        assert (spread.count, spread.low, spread.high) == (size, values.min(), values.max())


def test_documents_are_read_in_bounded_batches(tmp_path, monkeypatch):
    texts = [f"document {i} " + "é" * (i % 50) for i in range(5000)]
    pq.write_table(pa.table({"lang": ["en", "de"] * 2500, "text": texts}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"text": ["x"]}), tmp_path / "b.parquet")  # without lang
    monkeypatch.setattr(scan, "BATCH_BYTES", 20_000)
    documents = scan.Documents.of([tmp_path / "a.parquet", tmp_path / "b.parquet"], ["lang"], None, True)
    batches = list(documents.batches(["lang", "chars"]))
    assert len(batches) > 10 and max(b.height for b in batches) < 1000  # one row group, many batches
    lengths = pl.concat(batches)
    assert lengths["chars"].to_list() == [len(t) for t in texts] + [1] and lengths["lang"][-1] is None
    frame = documents.lazy()
    assert frame.filter(pl.col("lang") == "de").select(pl.len()).collect(engine="streaming").item() == 2500
    assert frame.head(3).collect(engine="streaming")["chars"].to_list() == [len(t) for t in texts[:3]]


def test_badwords_are_masked_in_examples():
    assert mask_badwords("Some Sex and more sex.", ["sex"]) == "Some S** and more s**."


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is installed by .ci/run")
def test_report_renders_in_headless_chromium(full_run, tmp_path):
    report = OutputLayout(full_run).report_html
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
    assert document["summary"]["chinchilla_params"] == round(document["summary"]["tokens"] / 20)
    assert main(["stats", str(full_run.parent / "nothing")]) == 2


def test_report_without_filters_or_dedup(tmp_path):
    config = Config()
    config.langid.enabled = config.filters.enabled = config.dedup.enabled = False
    run([WARC_DIR / "cc.warc.gz"], tmp_path / "out", config)
    assert main(["report", str(tmp_path / "out")]) == 0
    assert OutputLayout(tmp_path / "out").report_html.is_file()


def test_errors_table_counts_every_error_of_the_ledgers(full_run):
    stats = _stats(full_run)
    books = ledger(full_run).filter(pl.col("outcome") == "error")
    expected = books.group_by("stage", "reason").agg(pl.col("docs").sum())
    assert {(r["stage"], r["reason"]): r["docs"] for r in stats["errors"]} == dict(
        ((r["stage"], r["reason"]), r["docs"]) for r in expected.iter_rows(named=True)
    )
    assert ("read", "truncated") in {(r["stage"], r["reason"]) for r in stats["errors"]}  # the cut WET
    logged = read_error_logs(OutputLayout(full_run))
    shown = {(r["stage"], r["reason"], r["url"]) for r in stats["error_examples"]}
    assert shown and shown <= set(logged.select("stage", "reason", "url").iter_rows())
    assert stats["summary"]["error_records"] == books["docs"].sum()
    html = (OutputLayout(full_run).report_html).read_text()
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
    write_ledger_table(OutputLayout(out).ledger(task), books.to_table())
    log.write(OutputLayout(out).error_log(task))
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
    html = OutputLayout(out).report_html.read_text()
    assert "https://slow.example/0" in html and "TimeoutError" in html and str(missing) in html


def test_stats_refuse_shards_of_the_old_layout(tmp_path, capsys):
    out = tmp_path / "out"
    run([WARC_DIR / "cc.warc.gz"], out)
    (out / "shards" / "lang-und").rename(out / "shards" / "lang=und")  # as curate wrote them before
    assert main(["stats", str(out)]) == 2
    assert "rerun the same `curate run`" in capsys.readouterr().err


def test_the_report_says_which_thresholds_the_run_used(tmp_path, capsys):
    import html

    from curate.config import preset_config
    from curate.stats import compute_stats, stats_document
    from curate.stats.report import render
    from tests.stats.test_calibrate import generate

    docs = generate(tmp_path / "docs.jsonl", docs=20)
    said = {}
    for name, config in (("default", Config()), ("preset", preset_config("multilingual"))):
        run([docs], tmp_path / name, config)
        stats = compute_stats(tmp_path / name)
        said[name] = stats_document(stats)["summary"]["thresholds"]
        assert f"<b>Thresholds:</b> {html.escape(said[name])}." in render(stats)
    assert said["default"] == (
        "language ID profile fineweb (under a language's cut-off: removed); filter profile fineweb; "
        "badwords mode drop"
    )
    assert said["preset"] == (
        "language ID profile fineweb2 (under a language's cut-off: kept as und); filter profile fineweb2; "
        "badwords mode tag"
    )
    assert main(["stats", str(tmp_path / "preset")]) == 0
    assert f"thresholds: {said['preset']}" in capsys.readouterr().out
