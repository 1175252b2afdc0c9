"""A run with all three hygiene steps over ../shared/data: the report's hygiene table (what Unicode
repair, PII masking and decontamination did, per language) equals counts made from the shards and
the removed-document record, and no shard holds an unmasked public address."""

from __future__ import annotations

import gzip
import json

import polars as pl

from curate.config import Config, DecontaminateConfig
from curate.layout import OutputLayout
from curate.pipeline.run import run_pipeline
from curate.statistics import compute_stats
from curate.statistics.report import produce_report
from curate.statistics.tables import ALL
from filters.pii import PiiThresholds, mask_pii
from tests.conftest import CC_TEXT, WARC_DIR, shards


def test_hygiene_rows_equal_the_shards_and_the_removed_record(tmp_path):
    with gzip.open(CC_TEXT, "rt") as lines:
        texts = [json.loads(line)["text"] for line in lines]
    passages = [" ".join(t.split()[60:90]) for t in texts if len(t.split()) > 300][:4]
    benchmark = tmp_path / "trivia.jsonl"
    benchmark.write_text("".join(json.dumps({"question": p}) + "\n" for p in passages))
    config = Config(decontaminate=DecontaminateConfig(files=[str(benchmark)])).validate()
    config.dedup.enabled = False  # rewrites are counted as staged: without dedup, all are in the shards
    config.filters.order = ["c4", "pii"]  # PII on what C4 keeps
    out = tmp_path / "out"
    run_pipeline([str(WARC_DIR), str(CC_TEXT)], out, config, show_progress=False)
    table = compute_stats(out).tables["hygiene"]
    rows = {(r["lang"], r["stage"], r["reason"]): r["docs"] for r in table.iter_rows(named=True)}
    kept = shards(out)
    expected = {
        ("unicode", "repaired"): kept["text_repaired"].sum(),
        ("pii", "emails"): (kept["pii_emails"] > 0).sum(),
        ("pii", "ips"): (kept["pii_ips"] > 0).sum(),
    }
    removed = pl.read_parquet(OutputLayout(out).removed_dir)
    decontaminated = removed.filter(pl.col("stage") == "decontaminate")
    expected[("decontaminate", "decontamination/trivia")] = decontaminated.height
    assert {k[1:]: v for k, v in rows.items() if k[0] == ALL} == {k: v for k, v in expected.items() if v}
    assert expected[("pii", "emails")] > 0 and expected[("unicode", "repaired")] > 0
    assert decontaminated.height > 0 and decontaminated["decontam_ngram"].is_not_null().all()
    for lang, group in kept.filter(pl.col("pii_emails") > 0).group_by("lang"):
        assert rows[(lang[0], "pii", "emails")] == group.height
    assert all(0 < share <= 1 for share in table["share"])
    unmasked = {"pii_emails": 0, "pii_ips": 0, "pii_phones": 0}
    assert all(mask_pii(text, PiiThresholds())[1] == unmasked for text in kept["text"])
    page = produce_report(out)[1].read_text()
    hygiene = page.split('id="hygiene"')[1].split("</details>")[0]
    assert "decontamination/trivia" in hygiene and "repaired" in hygiene and "emails" in hygiene
