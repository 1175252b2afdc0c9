"""The report's topics section: what the kept data is about per language, the funnel per topic,
and whom each filter removes by topic, in sentences for the flagged pairs and in the tables."""

from __future__ import annotations

import html

import polars as pl

from curate.statistics.audit import DISPROPORTION, MIN_REMOVED
from curate.statistics.blocks import audit_table, frame_table, note
from curate.statistics.tables import ALL

TOP_FINDINGS = 5


def findings(rates: pl.DataFrame) -> list[str]:
    """The flagged (stage, topic) pairs with the most evidence, in words: "badwords removes 38% of
    health_medicine documents (19 of 50) against 6% overall"."""
    strong = rates.filter(pl.col("flagged") & ~pl.col("weak_evidence"))
    return [
        f"{row['stage']} removes {row['rate']:.0%} of {row['topic']} documents ({row['removed']:,} of "
        f"{row['entering']:,}) against {row['overall_rate']:.0%} overall"
        for row in strong.sort("removed", descending=True).head(TOP_FINDINGS).iter_rows(named=True)
    ]


def _funnel(funnel: pl.DataFrame) -> pl.DataFrame:
    pivoted = funnel.pivot(on="step", index="topic", values="docs", sort_columns=False).fill_null(0)
    return (
        pivoted.sort("extracted", "topic", descending=[True, False])
        if "extracted" in pivoted.columns
        else pivoted
    )


def topics_section(t: dict[str, pl.DataFrame]) -> str:
    shares = t["topics"]
    if not shares.height and not t["topic_funnel"].height:
        return "<p>No topics: the run ran without the topic step (<code>[topics] enabled</code>).</p>"
    found = findings(t["audit_topics"])
    listed = "".join(f"<li>{html.escape(line)}</li>" for line in found)
    return "\n".join(
        [
            note(
                "Every document after extraction, kept or removed, has a topic (a cluster of the run's "
                "own documents unless <code>[topics] model</code> names a trained model). Shares: of "
                "the language's kept documents, characters and tokens (counted by <code>curate "
                "tokenize</code>, else estimated)."
            ),
            f"<ul>{listed}</ul>" if found else "<p>No filter removes one topic disproportionately.</p>",
            "<h3>What the kept data is about</h3>",
            frame_table(shares.filter(pl.col("lang") == ALL).drop("lang")),
            "<h3>Per language</h3>",
            frame_table(shares.filter(pl.col("lang") != ALL)),
            "<h3>Funnel per topic</h3>",
            frame_table(_funnel(t["topic_funnel"])),
            "<h3>Removal rate per topic</h3>",
            note(
                f"Flagged and first: a rate at least {DISPROPORTION:g} times the stage's overall rate on "
                f"{MIN_REMOVED} or more documents; weak evidence: its Wilson interval reaches the "
                "overall rate."
            ),
            audit_table(t["audit_topics"]),
            "<h3>Removed examples of flagged topics</h3>",
            note("Badwords masked. Excerpts need <code>--keep-removed</code>."),
            frame_table(t["topic_examples"]),
        ]
    )
