"""A re-weighting view by topic: given target weights of some topics, how many of their kept
documents and tokens a mixture in those token shares draws, and which topics it repeats
(`curate stats OUT --topic-weights ...`, OUT/report/topic_mixture.parquet).

By default the mixture is the one `curate tokenize --topic-weights` writes: the smallest in which
every document of the named topics appears at least once, T = max(kept_tokens_t / weight_t), so
the topic largest for its weight is drawn once (epochs 1) and every other one repeats to reach its
share. `tokens` sets another size; a topic may then be drawn in part (epochs < 1). Topics the
weights do not name are left out of the mixture. A cluster may be named by its prefix before the
first space ("c03" for "c03 recipe flour oven").
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import polars as pl

from curate.errors import UsageError
from curate.statistics.tables import ALL

OPTION = "--topic-weights"
EXAMPLE = "health_medicine=0.2,sports=0.1"
MAX_TOKENS = 10**18  # the counts are Int64 (up to 9.2e18): a larger mixture is refused
EPSILON = 1e-9  # the topic largest for its weight has epochs 1 up to float rounding: not a repeat
MIXTURE_SCHEMA = {
    "topic": pl.String,
    "weight": pl.Float64,  # normalized: the weights of the named topics sum to 1
    "kept_docs": pl.Int64,
    "kept_tokens": pl.Int64,
    "target_tokens": pl.Int64,  # the topic's tokens in the mixture
    "drawn_docs": pl.Int64,  # expected: target_tokens / the topic's mean tokens per document
    "epochs": pl.Float64,  # target_tokens / kept_tokens: above 1, the topic repeats
    "repeats": pl.Boolean,
}


def _weight(name: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{OPTION}: the weight of {name!r} must be a finite number above 0, got {value}")
    return value


def parse_topic_weights(text: str) -> dict[str, float]:
    """`health_medicine=0.2,c03 recipe flour oven=0.1`: name=weight pairs separated by commas, each
    split at its last "=" (a topic name may hold spaces); each name once, each weight above 0."""
    weights: dict[str, float] = {}
    for item in text.split(","):
        name, equals, number = item.rpartition("=")
        name = name.strip()
        if not equals or not name:
            raise UsageError(f"{OPTION} {text!r}: expected topic=weight pairs like {EXAMPLE}, got {item!r}")
        if name in weights:
            raise UsageError(f"{OPTION}: the topic {name!r} is named twice")
        try:
            value = float(number)
        except ValueError:
            raise UsageError(
                f"{OPTION}: the weight of {name!r} is not a number: {number.strip()!r}"
            ) from None
        weights[name] = _weight(name, value)
    return weights


def _topic_named(name: str, topics: list[str]) -> str:
    """The topic of `topics` called `name`, or the one cluster whose prefix it is."""
    if name in topics:
        return name
    matches = [topic for topic in topics if topic.split(" ", 1)[0] == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"{OPTION}: {name!r} is the prefix of several topics: {', '.join(matches)}")
    raise UsageError(f"{OPTION}: the run has no topic {name!r} (its topics: {', '.join(topics)})")


def resolve_topics(weights: dict[str, float], topics: Iterable[str]) -> dict[str, float]:
    """`weights` keyed by the topics of `topics` they name (exactly, or a cluster by its prefix);
    a name that matches none, or two names of one topic, raise UsageError."""
    known = sorted(set(topics))
    if not known:
        raise UsageError(f"{OPTION}: the run has no topics (topics.enabled was off)")
    resolved: dict[str, float] = {}
    names: dict[str, str] = {}  # topic -> the name that named it, for the message of a second one
    for name, weight in weights.items():
        topic = _topic_named(name, known)
        if topic in resolved:
            raise UsageError(f"{OPTION}: {names[topic]!r} and {name!r} name the same topic {topic!r}")
        resolved[topic], names[topic] = _weight(name, weight), name
    if not resolved:
        raise UsageError(f"{OPTION}: name at least one topic, e.g. {EXAMPLE}")
    return resolved


def _normalized(weights: dict[str, float]) -> dict[str, float]:
    # Scaled by the largest first: the sum of weights near the float maximum would overflow.
    largest = max(weights.values())
    scaled = {topic: weight / largest for topic, weight in weights.items()}
    total = sum(scaled.values())
    return {topic: weight / total for topic, weight in scaled.items()}


def topic_mixture(shares: pl.DataFrame, weights: dict[str, float], tokens: int | None = None) -> pl.DataFrame:
    """Per topic named in `weights` (the `lang == "all"` rows of the topics table `shares`): its
    kept documents and tokens, its normalized weight, the tokens a mixture of `tokens` tokens
    (default: the smallest holding each of their documents at least once, as `curate tokenize
    --topic-weights` writes it) draws from it, the documents that makes and its epochs; unnamed
    topics left out. Sorted by weight, largest first. UsageError for a topic the run lacks."""
    overall = shares.filter(pl.col("lang") == ALL)
    share = _normalized(resolve_topics(weights, overall["topic"].to_list()))
    kept = overall.filter(pl.col("topic").is_in(list(share))).select(
        "topic", pl.col("docs").alias("kept_docs"), pl.col("tokens").fill_null(0).alias("kept_tokens")
    )
    empty = kept.filter(pl.col("kept_tokens") <= 0)["topic"].to_list()
    if empty:
        raise UsageError(f"{OPTION}: no kept tokens in {', '.join(empty)}")
    table = kept.with_columns(pl.col("topic").replace_strict(share, return_dtype=pl.Float64).alias("weight"))
    if tokens is not None and not 0 < tokens <= MAX_TOKENS:
        raise UsageError(f"a mixture of {tokens} tokens: give from 1 to {MAX_TOKENS:.0e}")
    size = tokens or table.select((pl.col("kept_tokens") / pl.col("weight")).max()).item()
    if size > MAX_TOKENS:  # a topic with a tiny weight and many tokens: inf, or past Int64
        raise UsageError(f"{OPTION}: weights too far apart: a mixture of {size:.3g} tokens")
    epochs = pl.col("weight") * size / pl.col("kept_tokens")
    return (
        table.with_columns(
            (pl.col("weight") * size).round().alias("target_tokens"),
            (epochs * pl.col("kept_docs")).round().alias("drawn_docs"),
            epochs.alias("epochs"),
            (epochs > 1 + EPSILON).alias("repeats"),
        )
        .sort("weight", "topic", descending=[True, False])
        .select(list(MIXTURE_SCHEMA))
        .cast(MIXTURE_SCHEMA)
    )
