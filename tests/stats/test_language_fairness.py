"""The language_fairness table: every language's keep rate per step against English's, on a run
whose ledger is written by hand, so that every rate is known exactly."""

from __future__ import annotations

import json

import polars as pl
import pytest

from curate.cli import main
from curate.config import Config
from curate.layout import OutputLayout
from curate.ledger import Ledger, write_ledger_table
from curate.statistics import compute_stats
from curate.statistics.audit import OVERALL, language_fairness
from curate.statistics.report import render
from curate.statistics.sources import load_outputs
from curate.statistics.tables import funnel
from tests.test_outputs_readable import strict_loads

TASK = "handmade.warc.gz-00000000"
STEPS = ["langid", "gopher_repetition", "gopher_quality", "c4", "fineweb", "badwords", "dedup", OVERALL]
# lang -> (the step that removed them, documents) ...; the rest of `docs` kept
BOOKS = {
    "en": (10, [("langid", 1), ("gopher_quality", 1)]),  # langid 9/10, gopher_quality 8/9, overall 8/10
    "de": (10, [("gopher_quality", 6)]),  # gopher_quality 4/10: 0.45 of en's -> flagged; overall 0.5
    "fr": (2, [("c4", 2)]),  # c4 0/2: a ratio of 0, on 2 documents: a small sample, not flagged
    "ja": (6, [("dedup", 4)]),  # dedup 2/6: flagged; overall 2/6 = 0.417 of en's: flagged
}


def handmade_run(out, books=BOOKS):
    """A run record with the default steps and a ledger that books `books`."""
    layout = OutputLayout(out)
    layout.stats_dir.mkdir(parents=True)
    ledger = Ledger(TASK, "handmade.warc.gz")
    for lang, (docs, removals) in books.items():
        ledger.book("read", "read", "record", 100 * docs, docs=docs)
        for stage, count in removals:
            ledger.book(stage, "removed", f"{stage}_reason", 100 * count, lang, count, 90 * count, 15 * count)
        kept = docs - sum(count for _, count in removals)
        ledger.book("write", "kept", "kept", 100 * kept, lang, kept, 90 * kept, 15 * kept)
    write_ledger_table(layout.ledger(TASK), ledger.to_table())
    layout.run_record.write_text(json.dumps({"config": Config().to_dict(), "tasks": []}))
    return out


def _table(out) -> pl.DataFrame:
    run = load_outputs(out, [])
    return language_fairness(run, funnel(run))


def _rows(table: pl.DataFrame) -> dict[tuple[str, str], dict]:
    return {(row["step"], row["lang"]): row for row in table.iter_rows(named=True)}


def test_keep_rates_ratios_and_flags_are_exact(tmp_path):
    table = _table(handmade_run(tmp_path / "out"))
    rows = _rows(table)
    assert set(rows) == {(step, lang) for step in STEPS for lang in BOOKS}
    assert set(table["reference"]) == {"en"}
    en = {step: rows[step, "en"]["keep_rate"] for step in STEPS}
    assert en["langid"] == pytest.approx(0.9) and en["gopher_quality"] == pytest.approx(8 / 9)
    assert en[OVERALL] == pytest.approx(0.8) and en["dedup"] == 1.0
    de = rows["gopher_quality", "de"]
    assert (de["reached"], de["kept"], de["reference_reached"]) == (10, 4, 9)
    assert de["keep_rate"] == pytest.approx(0.4) and de["reference_keep_rate"] == pytest.approx(8 / 9)
    assert de["ratio"] == pytest.approx(0.4 / (8 / 9)) and de["flagged"] and not de["small_sample"]
    overall_de = rows[OVERALL, "de"]
    assert overall_de["ratio"] == pytest.approx(0.5) and not overall_de["flagged"]  # not below 0.5
    fr = rows["c4", "fr"]
    assert (fr["reached"], fr["kept"], fr["ratio"]) == (2, 0, 0.0)
    assert fr["small_sample"] and not fr["flagged"]
    ja = rows["dedup", "ja"]
    assert ja["keep_rate"] == pytest.approx(2 / 6) and ja["ratio"] == pytest.approx(1 / 3) and ja["flagged"]
    assert rows[OVERALL, "ja"]["ratio"] == pytest.approx((2 / 6) / 0.8) and rows[OVERALL, "ja"]["flagged"]
    # English against itself, and the steps nobody lost anything at.
    assert all(rows[step, "en"]["ratio"] == 1.0 and not rows[step, "en"]["flagged"] for step in STEPS)
    langid = rows["langid", "de"]
    assert langid["keep_rate"] == 1.0 and langid["ratio"] == pytest.approx(1 / 0.9)
    # Flagged rows first, in step order; the rest in step order.
    assert table["flagged"].to_list() == [True] * 3 + [False] * (table.height - 3)
    assert list(zip(table["step"][:3], table["lang"][:3])) == [
        ("gopher_quality", "de"),
        ("dedup", "ja"),
        (OVERALL, "ja"),
    ]
    assert table["step"][3:].to_list() == sorted(table["step"][3:].to_list(), key=STEPS.index)


def test_without_english_the_language_with_most_documents_is_the_reference(tmp_path):
    books = {lang: books for lang, books in BOOKS.items() if lang != "en"}
    table = _table(handmade_run(tmp_path / "out", books))
    assert set(table["reference"]) == {"de"}  # 10 documents, ja 6, fr 2
    rows = _rows(table)
    ja = rows["gopher_quality", "ja"]
    assert ja["reference_keep_rate"] == pytest.approx(0.4) and ja["ratio"] == pytest.approx(2.5)
    assert rows["dedup", "ja"]["flagged"] and not rows["gopher_quality", "de"]["flagged"]
    page = render(compute_stats(tmp_path / "out"))
    assert "the run has no en, so the language with most documents (10)" in page


def test_the_table_is_in_stats_json_the_report_and_curate_stats(tmp_path, capsys):
    out = handmade_run(tmp_path / "out")
    assert main(["stats", str(out), "--json"]) == 0
    document = strict_loads(capsys.readouterr().out)
    assert pl.DataFrame(document["language_fairness"]).equals(_table(out))
    assert main(["stats", str(out)]) == 0
    printed = capsys.readouterr().out
    section = printed.split("every language against en")[1].split("top domains")[0]
    assert "gopher_quality" in section and "ja" in section and "fr" not in section
    assert main(["report", str(out)]) == 0
    page = OutputLayout(out).report_html.read_text()
    section = page.split("<h3>Every language against English</h3>")[1].split("<h3>")[0]
    rows = section.split("<tr")[2:]  # after the header row
    assert [' class="flagged"' in row for row in rows[:4]] == [True, True, True, False]
    assert "<td>gopher_quality</td><td>de</td>" in rows[0]
