"""`curate demo` builds its own sample crawl and runs the pipeline on it."""

from __future__ import annotations

import polars as pl

from curate.cli import main
from curate.demo.pages import DOCUMENT_PAGES
from tests.conftest import ledger, shards


def test_demo_runs_end_to_end(tmp_path, capsys):
    directory = tmp_path / "demo"
    assert main(["demo", "-o", str(directory), "--no-progress"]) == 0
    out = directory / "out"
    docs = shards(out)
    # The spam page, the adult page (its URL) and the stub are filtered out; dedup is not in yet.
    assert docs.height == len(DOCUMENT_PAGES) - 3
    assert set(docs["lang"]) == {"en", "de", "fr", "es", "ru", "zh", "ja"}
    # Legacy charsets (windows-1251 in a meta tag, GBK in the header) decode correctly.
    texts = dict(zip(docs["url"], docs["text"]))
    assert "Ночная съёмка города" in texts["https://fotoklub.example.ru/stati/nochnaya-semka"]
    assert "龙井茶是中国最有名的绿茶之一" in texts["https://www.chayuan.example.cn/wenzhang/longjing"]
    # Boilerplate is gone, content stays.
    river = texts["https://www.riverside-history.org/mills/"]
    assert "uses cookies" not in river and "All rights reserved" not in river
    assert "Mills once lined both banks" in river
    booked = ledger(out).filter(pl.col("outcome") != "read")
    reasons = {(r["outcome"], r["reason"]): r["docs"] for r in booked.iter_rows(named=True)}
    assert reasons[("skipped", "not_html")] == 2
    assert reasons[("skipped", "http_status")] == 2
    assert reasons[("error", "truncated")] == 1
    assert reasons[("removed", "banned_url_word")] == 1
    assert reasons[("removed", "dup_para_ratio")] == 1  # the spam page
    assert "shard(s) in" in capsys.readouterr().out
    # Running it again replaces the previous demo.
    assert main(["demo", "-o", str(directory), "--no-progress"]) == 0
    assert shards(out).height == len(DOCUMENT_PAGES) - 3
