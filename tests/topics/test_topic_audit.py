"""The topic step in a run over the shared real data: every document gets a topic, and the report's
topic tables are the counts one makes directly from the shards, the removed-document table and
dedup's clusters."""

from __future__ import annotations

import dataclasses
import os

import polars as pl
import pytest

from curate.cli.main import main
from curate.config import Config
from curate.errors import UsageError
from curate.layout import OutputLayout
from curate.statistics import compute_stats
from curate.statistics.report import render
from curate.statistics.topic_section import findings
from curate.topics.clusters import TopicClusters
from curate.topics.taxonomy import TOPIC_NAMES
from tests.conftest import CC_TEXT, WARC_DIR, run, shards


def _inputs() -> list:
    return [*sorted(WARC_DIR.iterdir()), CC_TEXT]


STAGES = ["langid", "gopher_repetition", "gopher_quality", "c4", "fineweb", "badwords", "dedup"]


@pytest.fixture(scope="module")
def topic_run(tmp_path_factory, shared_data):
    out = tmp_path_factory.mktemp("topics") / "out"
    result = run(_inputs(), out, Config())
    return out, result, compute_stats(out)


def _removed(out) -> pl.DataFrame:
    layout = OutputLayout(out)
    removed = pl.read_parquet(layout.removed_files()).select("id", "stage", "topic", "chars")
    dropped = pl.read_parquet(layout.clusters).filter(~pl.col("kept"))
    return pl.concat([removed, dropped.select("id", pl.lit("dedup").alias("stage"), "topic", "chars")])


def test_every_document_kept_or_removed_has_a_topic_from_the_runs_clusters(topic_run):
    out, _, _ = topic_run
    kept, removed = shards(out), _removed(out)
    names = set(TopicClusters.load(OutputLayout(out).topic_clusters).names) | {"unclustered"}
    assert kept.height > 100 and removed.height > 100
    for frame in (kept, removed):
        assert frame["topic"].null_count() == 0 and set(frame["topic"]) <= names
    assert kept["topic_score"].is_between(0, 1).all()
    assert len(set(kept["topic"])) >= 5  # the real data is not one cluster


def test_the_topic_shares_are_the_shards_counts(topic_run):
    out, _, stats = topic_run
    kept = shards(out).with_columns(pl.col("text").str.len_chars().alias("chars"))
    direct = kept.group_by("topic").agg(pl.len().alias("docs"), pl.col("chars").sum()).sort("topic")
    table = stats.tables["topics"].filter(pl.col("lang") == "all").sort("topic")
    assert table.select("topic", "docs", "chars").equals(direct.cast({"docs": pl.Int64, "chars": pl.Int64}))
    assert table["docs_share"].sum() == pytest.approx(1.0)
    per_language = stats.tables["topics"].filter(pl.col("lang") != "all")
    direct_lang = kept.group_by("lang", "topic").agg(pl.len().alias("docs"))
    joined = per_language.join(direct_lang, on=["lang", "topic"], how="full", coalesce=True)
    assert (joined["docs"] == joined["docs_right"]).all()
    for (_,), group in per_language.group_by("lang"):
        assert group["chars_share"].sum() == pytest.approx(1.0)


def test_the_topic_funnel_and_audit_are_the_removed_tables_counts(topic_run):
    out, _, stats = topic_run
    kept, removed = shards(out), _removed(out)
    stages = stats.summary["stages"]
    assert stages == STAGES
    funnel, audit = stats.tables["topic_funnel"], stats.tables["audit_topics"]
    extracted = funnel.filter(pl.col("step") == "extracted")
    ledger_extracted = stats.tables["funnel"].filter(
        (pl.col("step") == "extracted") & (pl.col("lang") == "all")
    )
    assert extracted["docs"].sum() == kept.height + removed.height == ledger_extracted["docs"][0]
    checked = 0
    for index, stage in enumerate(stages):
        by_stage = removed.filter(pl.col("stage") == stage).group_by("topic").len()
        later = removed.filter(pl.col("stage").is_in(stages[index:]))
        entering = pl.concat([kept.select("topic"), later.select("topic")]).group_by("topic").len()
        for row in audit.filter(pl.col("stage") == stage).iter_rows(named=True):
            expect_in = entering.filter(pl.col("topic") == row["topic"])["len"]
            expect_out = by_stage.filter(pl.col("topic") == row["topic"])["len"]
            assert row["entering"] == expect_in[0]
            assert row["removed"] == (expect_out[0] if expect_out.len() else 0)
            assert row["overall_rate"] == pytest.approx(
                removed.filter(pl.col("stage") == stage).height / (kept.height + later.height)
            )
            checked += 1
    assert checked > 50
    flagged = audit.filter("flagged")
    assert flagged.height and (flagged["rate"] >= 2 * flagged["overall_rate"]).all()
    assert (flagged["removed"] >= 3).all()


def test_the_report_shows_topics_and_says_whom_a_filter_removes(topic_run):
    out, _, stats = topic_run
    page = render(stats)
    assert 'id="topics"' in page and "Removal rate per topic" in page
    for sentence in findings(stats.tables["audit_topics"]):
        assert sentence in page
    assert set(stats.tables["topic_examples"]["stage"]) <= set(
        stats.tables["audit_topics"].filter("flagged")["stage"]
    )


def test_a_rerun_keeps_the_clusters_and_skips_the_inputs(topic_run, capsys):
    out, first, _ = topic_run
    clusters = OutputLayout(out).topic_clusters
    before = (clusters.stat().st_mtime_ns, clusters.read_bytes())
    again = run(_inputs(), out, Config())
    assert (clusters.stat().st_mtime_ns, clusters.read_bytes()) == before
    assert all(task.resumed for task in again.tasks)
    assert shards(out)["topic"].to_list() == shards(out)["topic"].to_list()


def test_a_trained_model_tags_documents_with_taxonomy_topics(tmp_path, shared_data, capsys):
    model = tmp_path / "topics.bin"
    # In this process, which has run a pipeline: fastText's training in a process with NumPy's freed
    # arrays on its heap stopped with "Encountered NaN" until it moved to a fresh process.
    assert main(["topics", "train", str(CC_TEXT), "-o", str(model), "--epoch", "5"]) == 0
    config = Config()
    config.topics.model = str(model)
    config.filters.enabled = False
    out = tmp_path / "out"
    run([CC_TEXT], out, config)
    kept = shards(out)
    assert set(kept["topic"]) <= set(TOPIC_NAMES) and kept["topic"].null_count() == 0
    assert not OutputLayout(out).topic_clusters.exists()


def test_bad_topic_settings_are_named(tmp_path, shared_data):
    config = Config()
    config.topics = dataclasses.replace(config.topics, clusters_file=str(tmp_path / "missing.npz"))
    with pytest.raises(UsageError, match="topics.clusters_file"):
        run([CC_TEXT], tmp_path / "a", config)
    config.topics = dataclasses.replace(config.topics, clusters_file="", model=str(tmp_path / "missing.bin"))
    with pytest.raises(UsageError, match="topics.model"):
        run([CC_TEXT], tmp_path / "b", config)
    assert not os.path.exists(tmp_path / "a") and not os.path.exists(tmp_path / "b")


def test_a_run_without_topics_says_so(tmp_path, shared_data):
    config = Config()
    config.topics.enabled = False
    out = tmp_path / "out"
    run([CC_TEXT], out, config)
    stats = compute_stats(out)
    assert shards(out)["topic"].null_count() == shards(out).height
    assert stats.tables["topics"].height == 0 and "No topics" in render(stats)
