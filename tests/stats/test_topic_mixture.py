"""The re-weighting view by topic (`curate stats OUT --topic-weights`): the documents and tokens a
mixture in given topic shares draws, checked against counts made from a real run's shards (tokens
counted by `curate tokenize`, each document's `tokenizers` ids plus the end token); the weight
parser and the topic names refused with one clear line, never a traceback."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from curate.cli import main
from curate.config import Config
from curate.errors import UsageError
from curate.layout import OutputLayout
from curate.statistics.mixture import MIXTURE_SCHEMA, parse_topic_weights, resolve_topics, topic_mixture
from curate.statistics.tables import ALL
from curate.statistics.topics import TOPIC_SHARES_SCHEMA
from tests.conftest import CC_TEXT, SHARED_DATA, run
from tests.random_texts import SETTINGS

END = "<|endoftext|>"


@pytest.fixture(scope="module")
def counted(tmp_path_factory) -> Path:
    """A real run whose tokens `curate tokenize` counted (so the topics table's are exact)."""
    pytest.importorskip("tokenizers")
    from curate.train.tokenizer import train_tokenizer

    root = tmp_path_factory.mktemp("topic-mixture")
    out = root / "out"
    run([*sorted((SHARED_DATA / "warc").iterdir()), CC_TEXT], out, Config())
    texts = pl.read_parquet(OutputLayout(out).shard_paths(), columns=["text"])["text"].to_list()
    train_tokenizer(texts, 700).save(str(root / "tokenizer.json"))
    tokenize = ["tokenize", str(out), "-o", str(root / "tokens"), "--tokenizer", str(root / "tokenizer.json")]
    assert main(tokenize) == 0
    return out


@pytest.fixture(scope="module")
def by_hand(counted) -> dict[str, tuple[int, int]]:
    """topic -> (kept documents, kept tokens), from the shards and `tokenizers` alone."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(counted.parent / "tokenizer.json"))
    shards = pl.read_parquet(OutputLayout(counted).shard_paths(), columns=["text", "topic"])
    texts = [text or "" for text in shards["text"].to_list()]
    lengths = [len(e.ids) + 1 for e in tok.encode_batch(texts, add_special_tokens=False)]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for topic, length in zip(shards["topic"].to_list(), lengths):
        counts[topic][0] += 1
        counts[topic][1] += length
    return {topic: (docs, tokens) for topic, (docs, tokens) in counts.items()}


def two_topics(by_hand: dict[str, tuple[int, int]]) -> tuple[str, str]:
    """The topic with most tokens, and one with about a fifth of them (it repeats)."""
    ranked = sorted(by_hand, key=lambda topic: (-by_hand[topic][1], topic))
    big = ranked[0]
    small = min(ranked[1:], key=lambda topic: (abs(by_hand[topic][1] - by_hand[big][1] / 5), topic))
    return big, small


def mixture_of(out: Path, capsys, *options: str) -> tuple[pl.DataFrame, list[str]]:
    assert main(["stats", str(out), *options]) == 0
    lines = capsys.readouterr().out.splitlines()
    return pl.read_parquet(OutputLayout(out).report_dir / "topic_mixture.parquet"), lines


def test_the_mixture_splits_the_tokens_as_the_weights(counted, by_hand, capsys):
    big, small = two_topics(by_hand)
    prefix = big.split(" ")[0]  # a cluster by its prefix
    table, lines = mixture_of(counted, capsys, "--topic-weights", f"{prefix}=3,{small}=2")
    assert table.schema == pl.Schema(MIXTURE_SCHEMA) and table["topic"].to_list() == [big, small]
    (big_docs, big_tokens), (small_docs, small_tokens) = by_hand[big], by_hand[small]
    total = max(big_tokens / 0.6, small_tokens / 0.4)  # the smallest holding every document once
    assert total == big_tokens / 0.6  # the small topic is the one short of its share
    rows = {row["topic"]: row for row in table.iter_rows(named=True)}
    for topic, weight, docs, tokens in (
        (big, 0.6, big_docs, big_tokens),
        (small, 0.4, small_docs, small_tokens),
    ):
        row = rows[topic]
        assert (row["kept_docs"], row["kept_tokens"]) == (docs, tokens)
        assert row["weight"] == pytest.approx(weight)
        assert abs(row["target_tokens"] - weight * total) <= 1  # rounded
        assert row["epochs"] == pytest.approx(weight * total / tokens)
        assert abs(row["drawn_docs"] - weight * total / tokens * docs) <= 1
    assert rows[big]["epochs"] == pytest.approx(1.0) and not rows[big]["repeats"]
    assert rows[small]["epochs"] > 2 and rows[small]["repeats"]
    shown = lines[next(i for i, line in enumerate(lines) if line.startswith("topic mixture")) :]
    cells = [line.split("  ")[0].removesuffix("…") for line in shown[3:5]]  # after the header and rule
    assert all(topic.startswith(cell) and cell for topic, cell in zip([big, small], cells)), cells
    assert "tokens counted with the tokenizer tokenizer.json" in shown[-1]


def test_a_size_given_splits_it_and_draws_in_part(counted, by_hand, capsys):
    big, small = two_topics(by_hand)
    table, _ = mixture_of(
        counted, capsys, "--topic-weights", f"{big}=0.75,{small}=0.25", "--mixture-tokens", "1000"
    )
    assert table["target_tokens"].to_list() == [750, 250]
    epochs = [750 / by_hand[big][1], 250 / by_hand[small][1]]
    assert table["epochs"].to_list() == pytest.approx(epochs) and max(epochs) < 1
    assert table["repeats"].to_list() == [False, False]


def test_the_view_predicts_what_tokenize_writes(counted, by_hand, tmp_path, capsys):
    """The same weights in `curate tokenize --topic-weights`: each topic within one document of its
    target (the partial copy stops at the first document that does not fit)."""
    big, small = two_topics(by_hand)
    weights = f"{big}=0.5,{small}=0.5"
    table, _ = mixture_of(counted, capsys, "--topic-weights", weights)
    tokens = tmp_path / "tokens"
    tokenizer = str(counted.parent / "tokenizer.json")
    assert (
        main(
            [
                "tokenize",
                str(counted),
                "-o",
                str(tokens),
                "--tokenizer",
                tokenizer,
                "--topic-weights",
                weights,
            ]
        )
        == 0
    )
    repeats = json.loads((tokens / "tokenize.json").read_text())["outputs"]["mixture"]["repeats"]
    longest = int(
        pl.read_parquet(OutputLayout(counted).token_counts_dir / "documents.parquet")["tokens"].max()
    )
    for row in table.iter_rows(named=True):
        written = repeats[row["topic"]] * row["kept_tokens"]
        slack = 5e-5 * row["kept_tokens"] + 1  # the record's repeats are rounded to 4 decimals
        assert row["target_tokens"] - longest - slack < written <= row["target_tokens"] + slack


def shares(rows: dict[str, tuple[int, int]]) -> pl.DataFrame:
    """A topics table: the `all` rows of `rows` (topic -> docs, tokens), and a language's."""
    frame = pl.DataFrame(
        {"topic": list(rows), "docs": [d for d, _ in rows.values()], "tokens": [t for _, t in rows.values()]}
    )
    return pl.concat([frame.with_columns(lang=pl.lit(ALL)), frame.head(1).with_columns(lang=pl.lit("en"))])


def test_weights_are_normalized_and_unnamed_topics_left_out():
    table = shares({"sports": (10, 1000), "c03 recipe flour oven": (4, 100), "travel": (5, 500)})
    mixed = topic_mixture(table, {"c03": 1, "sports": 2, "travel": 1})
    assert mixed["topic"].to_list() == ["sports", "c03 recipe flour oven", "travel"]
    assert mixed["weight"].to_list() == [0.5, 0.25, 0.25]
    assert mixed["target_tokens"].to_list() == [1000, 500, 500]  # T = 1000 / 0.5
    assert mixed["epochs"].to_list() == [1.0, 5.0, 1.0] and mixed["drawn_docs"].to_list() == [10, 20, 5]
    assert mixed["repeats"].to_list() == [False, True, False]


@pytest.mark.parametrize(
    ("weights", "tokens", "message"),
    [
        ({"golf": 1}, None, "no topic 'golf' (its topics: c03 recipe flour oven, c13 x, sports)"),
        ({"c": 1}, None, "no topic 'c'"),
        ({"sports": 1, " sports": 1}, None, "no topic ' sports'"),
        ({"c03": 1, "c03 recipe flour oven": 1}, None, "name the same topic"),
        ({"sports": 0}, None, "above 0"),
        ({"sports": math.nan}, None, "above 0"),
        ({"sports": 1e-300, "c03": 1e300}, None, "too far apart"),
        ({"c13": 1}, None, "no kept tokens in c13 x"),
        ({}, None, "name at least one topic"),
        ({"sports": 1}, 0, "from 1"),
        ({"sports": 1}, 10**19, "from 1"),
    ],
)
def test_a_bad_weight_or_size_is_refused(weights, tokens, message):
    table = shares({"sports": (10, 1000), "c03 recipe flour oven": (4, 100), "c13 x": (1, 0)})
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        topic_mixture(table, weights, tokens)


def test_a_run_without_topics_has_nothing_to_weight():
    with pytest.raises(UsageError, match="no topics"):
        topic_mixture(pl.DataFrame(schema=TOPIC_SHARES_SCHEMA), {"sports": 1})


def test_an_ambiguous_prefix_is_refused():
    with pytest.raises(UsageError, match="prefix of several topics: c03 a, c03 b"):
        resolve_topics({"c03": 1}, ["c03 a", "c03 b"])


HOSTILE = ["", " ", "=", "==", ",", "a", "a=", "=1", "a==1", "a=1,", ",a=1", "a=-1", "a=0", "a=nan", "a=inf"]
HOSTILE += [
    "a=-inf",
    "a=1e400",
    "a=1,a=2",
    "a=1, a =2",
    "a=x",
    "a=1=2",
    "ünï=1",
    "名前=1",
    "\x00=1",
    "a=\u00a0",
]


@SETTINGS
@given(st.sampled_from(HOSTILE) | st.text(max_size=30) | st.lists(st.sampled_from(HOSTILE)).map(",".join))
def test_the_parser_returns_good_weights_or_one_usage_error(text):
    try:
        weights = parse_topic_weights(text)
    except UsageError as exc:
        assert str(exc).startswith("--topic-weights") and "\n" not in str(exc)
        return
    assert weights and all(name and name == name.strip() for name in weights)
    assert all(math.isfinite(w) and w > 0 for w in weights.values())
    try:
        resolve_topics(weights, ["sports", "c03 recipe flour oven", "a"])
    except UsageError as exc:
        assert "--topic-weights" in str(exc)


NAMES = st.text(st.characters(exclude_characters=",", exclude_categories=["Cs"]), min_size=1, max_size=20)


@SETTINGS
@given(st.dictionaries(NAMES.map(str.strip).filter(bool), st.floats(1e-6, 1e6), min_size=1, max_size=5))
def test_names_with_spaces_equals_and_any_script_read_back(weights):
    text = ",".join(f"{name}={weight!r}" for name, weight in weights.items())
    assert parse_topic_weights(text) == weights


@pytest.mark.parametrize(
    "text", ["", "=", "a==1", "sports=-1", "sports=nan", "sports=inf", "ünï=1", "x=1,x=1"]
)
def test_the_command_refuses_with_one_line_and_writes_no_mixture(counted, text, capsys):
    mixture = OutputLayout(counted).report_dir / "topic_mixture.parquet"
    mixture.unlink(missing_ok=True)
    assert main(["stats", str(counted), "--topic-weights", text]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not mixture.exists()


def test_the_command_names_the_options(counted, capsys):
    assert main(["stats", str(counted), "--mixture-tokens", "10"]) == 2
    assert "give those too" in capsys.readouterr().err
    assert main(["stats", str(counted), "--topic-weights", "c00=1", "--mixture-tokens", "0"]) == 2
    assert "--mixture-tokens" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["stats", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--topic-weights MIX" in text and "--mixture-tokens N" in text and "topic_mixture.parquet" in text
