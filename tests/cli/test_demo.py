"""`curate demo` builds its own sample crawl and runs the pipeline on it."""

from __future__ import annotations

import json

import polars as pl

from curate.cli import main
from curate.sample.pages import DOCUMENT_PAGES, EXACT_DUPLICATE, NEAR_DUPLICATE
from tests.conftest import ledger, shards


def test_demo_runs_end_to_end(tmp_path, capsys):
    directory = tmp_path / "demo"
    assert main(["demo", "-o", str(directory), "--no-progress"]) == 0
    out = directory / "out"
    docs = shards(out)
    # The spam page, the adult page (its URL) and the stub are filtered out; dedup removes the
    # mirror of the river article (exact) and the edited copy of the bread article (near).
    assert docs.height == len(DOCUMENT_PAGES) - 5
    river_urls = {"https://www.riverside-history.org/mills/", EXACT_DUPLICATE.url}
    bread_urls = {"https://kitchen-notes.example.com/bread/basic-loaf", NEAR_DUPLICATE.url}
    for pair in (river_urls, bread_urls):
        survivors = docs.filter(pl.col("url").is_in(list(pair)))
        assert survivors.height == 1 and survivors["dup_cluster_size"].to_list() == [2]
    assert set(docs.filter(~pl.col("url").is_in(list(river_urls | bread_urls)))["dup_cluster_size"]) == {1}
    assert set(docs["lang"]) == {"en", "de", "fr", "es", "ru", "zh", "ja"}
    # Legacy charsets (windows-1251 in a meta tag, GBK in the header) decode correctly.
    texts = dict(zip(docs["url"], docs["text"]))
    river = texts.get("https://www.riverside-history.org/mills/") or texts[EXACT_DUPLICATE.url]
    assert "Ночная съёмка города" in texts["https://fotoklub.example.ru/stati/nochnaya-semka"]
    assert "龙井茶是中国最有名的绿茶之一" in texts["https://www.chayuan.example.cn/wenzhang/longjing"]
    # Boilerplate is gone, content stays.
    assert "uses cookies" not in river and "All rights reserved" not in river
    assert "Mills once lined both banks" in river
    booked = ledger(out).filter(pl.col("outcome") != "read")
    reasons = {(r["outcome"], r["reason"]): r["docs"] for r in booked.iter_rows(named=True)}
    assert reasons[("skipped", "not_html")] == 2
    assert reasons[("skipped", "http_status")] == 2
    assert reasons[("error", "truncated")] == 1
    assert reasons[("removed", "banned_url_word")] == 1
    assert reasons[("removed", "dup_para_ratio")] == 1  # the spam page
    assert reasons[("removed", "exact_duplicate")] == reasons[("removed", "near_duplicate")] == 1
    printed = capsys.readouterr().out
    assert "shard(s) in" in printed
    report = out / "report" / "report.html"
    assert f"report: {report}" in printed and report.is_file()
    # It ends with a tiny pretraining run on the shards and three samples.
    summary = json.loads((directory / "model" / "summary.json").read_text())
    assert summary["steps"] == 120 and summary["final_val_loss"] < summary["initial_val_loss"]
    assert all(f"[{name}" in printed for name in ("greedy", "top-k", "top-p"))
    # Running it again replaces the previous demo.
    assert main(["demo", "-o", str(directory), "--no-progress", "--pretrain-steps", "0"]) == 0
    assert shards(out).height == len(DOCUMENT_PAGES) - 5
