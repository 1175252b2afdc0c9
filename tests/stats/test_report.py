"""Statistics and the HTML report: numbers equal counts made independently from the shards and
ledgers of a run over every shared WARC file (the streamed histograms and examples equal numpy's
and polars' over every document held at once); the page shows them, escaped. Its layout in a
browser: test_report_layout.py."""

from __future__ import annotations

import html
import json
from types import SimpleNamespace

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curate.cli import main
from curate.config import Config
from curate.layout import OutputLayout
from curate.ledger import ErrorLog, Ledger, read_error_logs, write_ledger_table
from curate.statistics import compute_stats, quantiles, scan, tables
from curate.statistics.audit import mask_badwords
from curate.statistics.errors import EXAMPLES
from curate.statistics.report import produce_report, render
from curate.statistics.signals import BINS
from curate.statistics.tables import ALL
from curate.statistics.wilson import wilson_interval
from tests.conftest import WARC_DIR, ledger, run, shards
from tests.test_outputs_readable import strict_loads


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
    from curate.config import preset_config
    from curate.statistics import stats_document
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
    # the terminal wraps the sentence at spaces to fit 100 columns
    assert f"thresholds: {said['preset']}" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    # Published Wilson 95% intervals (Newcombe 1998, table I: 81/263 and 0/20), and 3 of 3.
    [(81, 263, 0.2553, 0.3662), (0, 20, 0.0, 0.1611), (3, 3, 0.4385, 1.0), (5, 10, 0.2366, 0.7634)],
)
def test_wilson_interval_equals_published_values(successes, trials, low, high):
    def ends(k: int, n: int) -> tuple:
        below, above = wilson_interval("k", "n")
        return pl.DataFrame({"k": [k], "n": [n]}).select(below.alias("low"), above.alias("high")).row(0)

    assert ends(successes, trials) == pytest.approx((low, high), abs=1e-4)
    assert ends(0, 0) == (None, None)


def test_audit_rows_carry_their_interval_and_none_without_documents(full_run):
    stats = _stats(full_run)
    for name in ("audit_languages", "audit_domains"):
        audit = pl.DataFrame(stats[name])
        assert audit.height and (audit["entering"] > 0).all()  # nothing entering: no row
        assert audit["rate"].is_between(audit["ci_low"], audit["ci_high"]).all()
        assert audit["weak_evidence"].to_list() == (audit["ci_low"] <= audit["overall_rate"]).to_list()
    ru = pl.DataFrame(stats["audit_languages"]).filter(
        (pl.col("stage") == "gopher_quality") & (pl.col("lang") == "ru")
    )
    # 4 of 4 removed: the interval starts at 0.51, above the stage's overall rate (0.45): not weak.
    assert ru["ci_low"][0] == pytest.approx(0.5101, abs=1e-4) and not ru["weak_evidence"][0]
    fairness = pl.DataFrame(stats["language_fairness"]).drop_nulls("keep_rate")
    assert fairness["keep_rate"].is_between(fairness["ci_low"], fairness["ci_high"]).all()


def _section(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"')[1].split("</details>")[0]


def test_the_summary_card_says_what_the_run_did(full_run):
    stats = compute_stats(full_run)
    card = _section(render(stats), "summary")
    books = ledger(full_run)
    removed = books.filter(pl.col("outcome") == "removed")["docs"].sum()
    seconds = json.loads(OutputLayout(full_run).run_record.read_text())["seconds"]
    for value, label in (
        (books.filter(pl.col("outcome") == "read")["docs"].sum(), "records read"),
        (shards(full_run).height, "documents kept"),
        (removed, "records removed"),
        (shards(full_run)["lang"].n_unique(), "languages kept"),
    ):
        assert f"<b>{value:,}</b><span>{label}</span>" in card
    assert f"<b>{seconds:,.1f} s</b><span>run time</span>" in card
    errors = books.filter(pl.col("outcome") == "error")["docs"].sum()
    assert f'<b><a href="#errors">{errors:,}</a></b>' in card
    # A run record without the time: the card leaves it out.
    record = OutputLayout(full_run).run_record
    saved = record.read_text()
    try:
        record.write_text(json.dumps({k: v for k, v in json.loads(saved).items() if k != "seconds"}))
        assert "run time" not in _section(render(stats), "summary")
    finally:
        record.write_text(saved)


def test_languages_are_named_and_the_kept_ranking_holds_only_domains_that_kept_some(full_run):
    stats = compute_stats(full_run)
    page = render(stats)
    assert "<td>ru</td><td>Russian</td>" in _section(page, "audit")
    assert "<td>en</td><td>English</td>" in _section(page, "languages")
    kept_ranking = _section(page, "domains").split("Most removed documents")[0]
    domains = stats.tables["domains"].filter(pl.col("lang") == ALL)
    for row in domains.iter_rows(named=True):
        assert (f'<td class="text">{row["domain"]}</td>' in kept_ranking) == (row["kept_docs"] > 0)
    assert domains.filter(pl.col("kept_docs") == 0).height > 0  # the case the ranking leaves out


def test_crawl_text_is_escaped(full_run):
    stats = compute_stats(full_run)
    hostile = '<script>alert("x")</script>\'"&'
    crawled = (
        ("domains", "domain"),
        ("audit_domains", "domain"),
        ("error_examples", "url"),
        ("audit_languages", "lang"),
    )
    for name, column in crawled:
        stats.tables[name] = stats.tables[name].with_columns(pl.lit(hostile).alias(column))
    page = render(stats)
    assert "<script>alert" not in page and page.count(html.escape(hostile)) > 10


def test_report_of_a_run_where_no_record_became_a_document(shared_data, tmp_path):
    """A WAT file holds metadata records only: nothing is extracted, and every table, the funnel
    pivot among them, still renders."""
    wat = next((shared_data / "warc").glob("*.warc.wat"))
    out = tmp_path / "out"
    run([wat], out, Config())
    stats, path = produce_report(out)
    assert stats.summary["kept_docs"] == 0 and stats.summary["read_records"] > 0
    assert "Funnel" in path.read_text()


def test_languages_name_the_scripts_of_their_kept_documents(full_run):
    docs = shards(full_run)
    for row in _stats(full_run)["languages"]:
        written = docs.filter(pl.col("lang") == row["lang"])["lang_script"].unique().to_list()
        if len(written) == 1:
            assert row["scripts"] == written[0]
        else:
            assert all(f"{script} " in row["scripts"] for script in written)


def test_a_language_in_two_scripts_shows_each_with_its_share():
    kept = pl.LazyFrame(
        {"lang": ["sr"] * 4 + ["ru"], "lang_script": ["Cyrl", "Latn", "Latn", "Latn", "Cyrl"]}
    )
    found = tables.scripts(SimpleNamespace(kept=kept))
    assert dict(found.iter_rows()) == {"sr": "Latn 75%, Cyrl 25%", "ru": "Cyrl"}
