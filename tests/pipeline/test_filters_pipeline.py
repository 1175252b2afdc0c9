"""The filters inside `curate run`, badwords per language on real crawl text, the quality command."""

from __future__ import annotations

import gzip
import json

import polars as pl
import pytest

from curate.cli import main
from curate.config import Config
from curate.sample.crawl import write_demo_crawl
from filters import Badwords, TextFeatures
from filters import badwords as badwords_module
from langid import LanguageIdentifier
from tests.conftest import CC_TEXT, SHARED_DATA, WARC_DIR, ledger, run, shards


@pytest.fixture(scope="module")
def cc_documents():
    with gzip.open(CC_TEXT, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    langs = [p.lang for p in LanguageIdentifier().predict([r["text"] for r in rows])]
    return rows, langs


def test_badwords_use_each_page_own_language_list(cc_documents):
    rows, langs = cc_documents
    badwords = Badwords(SHARED_DATA / "ldnoobw")
    english_only_signals, english_only = badwords([TextFeatures(r["text"], "en") for r in rows])
    signals, per_language = badwords([TextFeatures(r["text"], lang) for r, lang in zip(rows, langs)])
    # The English list alone would drop 42 pages, 22 of them not English; each page's own list: 35.
    assert sum(r is not None for r in english_only) == 42
    assert sum(r is not None and lang != "en" for r, lang in zip(english_only, langs)) == 22
    assert sum(r is not None for r in per_language) == 35
    by_id = {row["id"]: i for i, row in enumerate(rows)}
    # Spanish pages that say "negro" (black) are kept: the word is on the English list, not the Spanish.
    for doc_id in (
        "diiusrtsahqfugl3xl6z7eylxfeefbzf",
        "twqgwnut3ejywchqhyiu5p3fn7qwg2hs",
        "bu6ielmiryrexofjy5q2vshnaelpuh2h",
    ):
        i = by_id[doc_id]
        assert langs[i] == "es" and english_only_signals[i]["badword_terms"] == ["negro"]
        assert per_language[i] is None and signals[i]["badwords_checked"]
    # A Spanish page with "sexo" is on the Spanish list too: dropped either way.
    i = by_id["mso425zqep7xp4z6xzjcj5w3ahz23dca"]
    assert english_only[i] == per_language[i] == "badwords"
    # Romanian and Latin have no list: kept, tagged as not checked.
    for doc_id, lang in (
        ("4tw6h6wafnocepcwe5volghnmrgae2qz", "ro"),
        ("3asfs4urgc22ziyk77x37dgjmeqb7kuo", "la"),
    ):
        i = by_id[doc_id]
        assert langs[i] == lang and english_only[i] == "badwords"
        assert per_language[i] is None and signals[i]["badwords_checked"] is False


def test_run_writes_signals_books_filter_reasons_and_rewrites_text(tmp_path):
    out = tmp_path / "out"
    result = run([CC_TEXT], out, Config())
    totals = result.tasks[0].totals
    assert totals["read"] == totals["kept"] + totals["removed"] + totals["skipped"] + totals["error"]
    removed = ledger(out).filter(pl.col("outcome") == "removed")
    stages = set(removed["stage"])
    assert {"langid", "gopher_repetition", "gopher_quality", "c4", "fineweb"} <= stages
    docs = shards(out)
    assert docs.height == totals["kept"] > 0
    # Every kept document carries the numbers each filter decided on, inside the thresholds.
    assert (docs["gopher_words"] >= 50).all() and (docs["fw_punct_lines_ratio"] >= 0.12).all()
    assert (docs["rep_dup_5gram_char_ratio"] <= 0.15).all() and docs["badwords_checked"].is_not_null().all()
    # Re-thresholding from the shards, without recomputing: a stricter Gopher bound.
    assert 0 < docs.filter(pl.col("gopher_words") >= 200).height < docs.height
    # C4's line rules removed lines from kept documents.
    assert (docs["c4_lines_removed"] > 0).any()


def test_missing_badword_lists_offline_is_one_clear_error(tmp_path, monkeypatch, capsys, shared_data):
    monkeypatch.delenv("CURATE_BADWORDS_DIR")
    monkeypatch.setattr(badwords_module, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(badwords_module, "DOWNLOAD_URL", "http://127.0.0.1:9/{lang}")  # nothing listens
    out = tmp_path / "out"
    assert main(["run", str(WARC_DIR / "cc.warc.gz"), "-o", str(out)]) == 2
    (line,) = [line for line in capsys.readouterr().err.splitlines() if line]
    assert "--badwords-dir" in line and "CURATE_BADWORDS_DIR" in line
    assert not out.exists()


def test_url_blocklist_from_config(tmp_path):
    crawl = write_demo_crawl(tmp_path / "demo.warc.gz")
    blocked = tmp_path / "domains.txt"
    blocked.write_text("# one domain a line\nriverside-history.org\n")
    config = Config()
    config.filters.url = type(config.filters.url)(blocked_domains_file=str(blocked))
    run([crawl], tmp_path / "out", config)
    removed = ledger(tmp_path / "out").filter(pl.col("stage") == "url")
    assert dict(removed.select("reason", "docs").rows()) == {"blocked_domain": 1, "banned_url_word": 1}


def test_quality_train_command_and_filter(tmp_path, capsys, shared_data):
    with open(shared_data / "langid" / "udhr_articles.jsonl") as fh:
        english = [json.loads(line) for line in fh]
    positive = tmp_path / "positive.jsonl"
    positive.write_text(
        "".join(json.dumps({"text": r["text"]}) + "\n" for r in english if r["iso639_3"] == "eng")
    )
    model = tmp_path / "quality.bin"
    assert (
        main(
            [
                "quality",
                "train",
                "--positive",
                str(positive),
                "--negative",
                str(CC_TEXT),
                "-o",
                str(model),
                "--epoch",
                "10",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "balanced accuracy" in out and model.is_file()
    config = Config()
    config.filters.order = ["quality"]
    config.filters.quality = type(config.filters.quality)(model=str(model), min_score=0.5)
    # Trained on this very text, it keeps the reference side and drops the crawl side.
    run([positive, CC_TEXT], tmp_path / "out", config)
    docs = shards(tmp_path / "out")
    assert docs["quality_score"].is_not_null().all() and (docs["quality_score"] >= 0.5).all()
    assert docs.filter(pl.col("source") == str(positive)).height >= 25
    assert docs.filter(pl.col("source") == str(CC_TEXT)).height < 30
    removed = ledger(tmp_path / "out").filter(pl.col("stage") == "quality")
    assert removed["reason"].unique().to_list() == ["low_quality_score"]
