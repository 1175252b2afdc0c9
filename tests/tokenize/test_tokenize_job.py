"""`curate tokenize` over a curated run of ../shared/data: both formats hold exactly the ids
`tokenizers` gives each kept document, in the documented shuffled order; mixtures, resuming,
locks, counts in OUT for the report, and the errors a user meets."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from itertools import accumulate
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from curate.cli import main
from curate.config import Config
from curate.layout import OutputLayout
from curate.pipeline.ownership import run_lock
from curate.statistics import compute_stats
from curate.tokenize.order import shuffle_key
from curate.tokenize.parts import part_key
from tests.conftest import CC_TEXT, SHARED_DATA, run

pytest.importorskip("tokenizers")
END = "<|endoftext|>"


@pytest.fixture(scope="module")
def curated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    run([*sorted((SHARED_DATA / "warc").iterdir()), CC_TEXT], out, Config())
    return out


@pytest.fixture(scope="module")
def tokenizer(curated, tmp_path_factory) -> Path:
    from curate.train.tokenizer import train_tokenizer

    texts = pl.read_parquet(OutputLayout(curated).shard_paths(), columns=["text"])["text"].to_list()
    path = tmp_path_factory.mktemp("tok") / "tokenizer.json"
    train_tokenizer(texts, 700).save(str(path))
    return path


def tokenize(out: Path, tokens: Path, tokenizer: Path, *options: str) -> list[str]:
    """The `curate tokenize` arguments for OUT -> TOKENS with this tokenizer."""
    return ["tokenize", str(out), "-o", str(tokens), "--tokenizer", str(tokenizer), *options]


def spec_windows(files: list[Path], fmt: str, context: int) -> list[list[int]]:
    """Windows of context + 1 ids from the start of each file set, as DatatroveFolderDataset cuts them."""
    windows = []
    for file in files:
        stream = [i for document in spec_read_file(file, fmt) for i in document]
        windows += [stream[k : k + context + 1] for k in range(0, len(stream) - context, context + 1)]
    return windows


def kept_documents(out: Path) -> pl.DataFrame:
    layout = OutputLayout(out)
    return pl.concat(
        pl.read_parquet(shard, columns=["id", "lang", "domain", "text"]).with_columns(
            pl.lit(part_key(shard, layout.shards_dir)).alias("shard")
        )
        for shard in layout.shard_paths()
    )


def expected_ids(docs: pl.DataFrame, tokenizer: Path, seed: int) -> list[int]:
    """The documents in the order order.py documents, each encoded by `tokenizers` + the end id."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer))
    rows = sorted(docs.iter_rows(named=True), key=lambda r: shuffle_key(seed, 0, r["shard"], r["id"]))
    return [
        i
        for row in rows
        for i in [*tok.encode(row["text"], add_special_tokens=False).ids, tok.token_to_id(END)]
    ]


def spec_read(folder: Path, fmt: str) -> list[list[int]]:
    """Every document of a folder's files in order, read by the formats test's own spec readers."""
    from tests.tokenize.test_formats import spec_datatrove, spec_megatron

    if fmt == "datatrove":
        return [d for f in sorted(folder.glob("*.ds")) for d in spec_datatrove(f)]
    return [d for f in sorted(folder.glob("*.bin")) for d in spec_megatron(f)]


@pytest.mark.parametrize("fmt", ["datatrove", "megatron"])
def test_each_format_holds_tokenizers_ids_in_the_shuffled_order(curated, tokenizer, tmp_path, fmt):
    tokens = tmp_path / "tokens"
    args = ["tokenize", str(curated), "-o", str(tokens), "--tokenizer", str(tokenizer), "--format", fmt]
    assert main([*args, "--seed", "7", "--max-file-bytes", "20000"]) == 0
    docs = kept_documents(curated)
    record = json.loads((tokens / "tokenize.json").read_text())
    assert record["documents"] == docs.height and set(record["outputs"]) == {
        f"lang-{x}" for x in docs["lang"].unique()
    }
    for lang in docs["lang"].unique().to_list():
        written = spec_read(tokens / f"lang-{lang}", fmt)
        expected = expected_ids(docs.filter(pl.col("lang") == lang), tokenizer, 7)
        assert [i for d in written for i in d] == expected
        assert len(written) == docs.filter(pl.col("lang") == lang).height  # one document each
    assert len(list((tokens / "lang-en").iterdir())) > 3  # bounded files: several sets for English


def test_datatroves_own_loader_reads_the_same_windows(curated, tokenizer, tmp_path):
    """DatatroveFolderDataset: windows of seq_len + 1 tokens from the start of each file, in file order."""
    dataset = pytest.importorskip("datatrove.utils.dataset")
    tokens = tmp_path / "tokens"
    assert main(tokenize(curated, tokens, tokenizer, "--max-file-bytes", "20000")) == 0
    seq_len = 64
    expected = spec_windows(sorted((tokens / "lang-en").glob("*.ds")), "datatrove", seq_len)
    windows = dataset.DatatroveFolderDataset(str(tokens / "lang-en"), seq_len=seq_len, token_size=2)
    assert len(windows) == len(expected) > 10
    assert [windows[i]["input_ids"].tolist() for i in range(len(windows))] == expected


def test_a_mixture_reaches_its_weights_by_repeating_the_short_language(curated, tokenizer, tmp_path):
    tokens = tmp_path / "mix"
    assert main(tokenize(curated, tokens, tokenizer, "--weights", "en=0.5,es=0.5")) == 0
    record = json.loads((tokens / "tokenize.json").read_text())
    written = record["outputs"]["mixture"]
    docs = kept_documents(curated)
    per_lang = {
        lang: int(sum(len(d) for d in spec_read_docs(tokens, docs, lang, tokenizer))) for lang in ("en", "es")
    }
    assert written["repeats"]["en"] == 1.0 and written["repeats"]["es"] > 1.0
    total = written["tokens"]
    assert abs(written["repeats"]["es"] * per_lang["es"] / total - 0.5) < 0.02  # es reaches its half
    # every English document once; every Spanish one whole, repeated floor or ceil of its factor
    documents = [tuple(d) for d in spec_read(tokens / "mixture", "datatrove")]
    counts = Counter(documents)
    es = {tuple(d) for d in spec_read_docs(tokens, docs, "es", tokenizer)}
    factor = written["repeats"]["es"]
    assert {counts[d] for d in es} <= {int(factor), int(factor) + 1}
    assert sum(counts.values()) == written["documents"]


def topic_documents(out: Path, tokenizer: Path) -> pl.DataFrame:
    """Every kept document with its topic and its ids as `tokenizers` encodes them + the end id."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer))
    docs = kept_documents(out).with_columns(
        pl.concat([pl.read_parquet(s, columns=["topic"]) for s in OutputLayout(out).shard_paths()])["topic"]
    )
    end = tok.token_to_id(END)
    ids = [(*e.ids, end) for e in tok.encode_batch(docs["text"].to_list(), add_special_tokens=False)]
    return docs.with_columns(pl.Series("ids", ids, dtype=pl.List(pl.Int64))).with_columns(
        pl.col("ids").list.len().alias("length")
    )


def test_a_topic_mixture_reaches_its_weights_repeating_the_short_topic(curated, tokenizer, tmp_path, capsys):
    docs = topic_documents(curated, tokenizer)
    have = dict(docs.group_by("topic").agg(pl.col("length").sum()).iter_rows())
    big = max(have, key=lambda topic: (have[topic], topic))
    small = min(set(have) - {big}, key=lambda topic: (abs(have[topic] - have[big] / 4), topic))
    weights = {big: 0.6, small: 0.4}
    tokens = tmp_path / "mix"
    mix = f"{big.split(' ')[0]}=0.6,{small}=0.4"  # the first by its cluster prefix
    assert main(tokenize(curated, tokens, tokenizer, "--topic-weights", mix)) == 0
    record = json.loads((tokens / "tokenize.json").read_text())
    assert record["settings"]["topic_weights"] == weights and set(record["outputs"]) == {"mixture"}
    output = record["outputs"]["mixture"]
    assert f"{small} x{output['repeats'][small]:g}" in capsys.readouterr().out
    written = Counter(tuple(d) for d in spec_read(tokens / "mixture", "datatrove"))
    topic_of = {tuple(ids): topic for ids, topic in docs.select("ids", "topic").iter_rows()}
    assert len(topic_of) == docs.height  # the documents tell their topic
    assert {topic_of[d] for d in written} == {big, small}  # the other topics left out
    total = max(have[topic] / weight for topic, weight in weights.items())
    for topic, weight in weights.items():
        mine = docs.filter(pl.col("topic") == topic)
        target, whole = weight * total, math.floor(weight * total / have[topic] + 1e-9)
        # The partial copy: the topic's documents in their order under (seed, whole), while they fit.
        order = sorted(mine.iter_rows(named=True), key=lambda r: shuffle_key(0, whole, r["shard"], r["id"]))
        ends = accumulate(row["length"] for row in order)
        extra = {tuple(row["ids"]) for row, end in zip(order, ends) if end <= target - whole * have[topic]}
        ids = [tuple(row["ids"]) for row in order]
        assert {d: written[d] for d in ids} == {d: whole + (d in extra) for d in ids}
        tokens_written = sum(written[d] * len(d) for d in ids)
        assert target - max(map(len, ids)) < tokens_written <= target + 1e-6  # within one document
        assert output["repeats"][topic] == round(tokens_written / have[topic], 4)
    assert output["repeats"][big] == 1.0 and output["repeats"][small] > 1.5
    assert output["documents"] == sum(written.values())


def test_topic_weights_refused_before_anything_is_written(curated, tokenizer, tmp_path, capsys):
    tokens = tmp_path / "tokens"
    for options, message in [
        (["--topic-weights", "golf=1"], "the run has no topic 'golf' (its topics: "),
        (["--topic-weights", "c00=1", "--weights", "en=1"], "--weights and --topic-weights: give one"),
        (["--topic-weights", "c00=-1"], "above 0"),
        (["--topic-weights", "c00=1,c00=2"], "named twice"),
    ]:
        assert main(tokenize(curated, tokens, tokenizer, *options)) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
        assert not tokens.exists()


def spec_read_docs(tokens: Path, docs: pl.DataFrame, lang: str, tokenizer: Path) -> list[list[int]]:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer))
    end = tok.token_to_id(END)
    texts = docs.filter(pl.col("lang") == lang)["text"].to_list()
    return [[*e.ids, end] for e in tok.encode_batch(texts, add_special_tokens=False)]


def test_rerun_encodes_only_what_is_missing_and_writes_the_same_bytes(curated, tokenizer, tmp_path):
    tokens = tmp_path / "tokens"
    args = ["tokenize", str(curated), "-o", str(tokens), "--tokenizer", str(tokenizer), "--workers", "2"]
    assert main(args) == 0
    before = {
        p.relative_to(tokens): p.read_bytes()
        for p in tokens.rglob("*")
        if p.is_file() and "parts" not in p.parts and p.name != ".curate.lock"
    }
    parts = sorted((tokens / "parts").iterdir())
    stamps = {p.name: (p / "part.json").stat().st_mtime_ns for p in parts}
    shutil.rmtree(parts[0])  # as if killed before that shard's part was renamed into place
    (tokens / "parts" / f"{parts[1].name}.tmp-999").mkdir()  # a killed task's temporary
    assert main(args[:-2]) == 0  # one worker this time: the same files
    after = {
        p.relative_to(tokens): p.read_bytes()
        for p in tokens.rglob("*")
        if p.is_file() and "parts" not in p.parts and p.name != ".curate.lock"
    }
    assert after == before
    again = {p.name: (p / "part.json").stat().st_mtime_ns for p in sorted((tokens / "parts").iterdir())}
    assert set(again) == set(stamps)  # the temporary is gone
    assert [name for name in stamps if again[name] != stamps[name]] == [parts[0].name]


def test_counts_reach_the_report_while_the_shards_are_the_same(curated, tokenizer, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(curated, out)
    shutil.rmtree(OutputLayout(out).token_counts_dir, ignore_errors=True)  # the other tests' counts
    before = compute_stats(out).summary
    assert not before["tokens_counted"] and "estimated" in before["token_source"]
    assert main(["tokenize", str(out), "-o", str(tmp_path / "t"), "--tokenizer", str(tokenizer)]) == 0
    counts = pl.read_parquet(tmp_path / "t" / "token_counts.parquet")
    record = json.loads((tmp_path / "t" / "tokenize.json").read_text())
    assert counts["tokens"].sum() == record["tokens"] and counts["documents"].sum() == record["documents"]
    stats = compute_stats(out)
    assert stats.summary["tokens_counted"] and stats.summary["tokens"] == record["tokens"]
    assert "counted with the tokenizer tokenizer.json" in stats.summary["token_source"]
    languages = stats.tables["languages"]
    assert languages["tokens"].sum() == record["tokens"] and languages["tokens"].null_count() == 0
    shard = OutputLayout(out).shard_paths()[0]
    table = pq.read_table(shard)
    pq.write_table(table.slice(1), shard)  # the shards changed since (a rerun): the counts are stale
    assert not compute_stats(out).summary["tokens_counted"]


def test_errors_a_user_meets(curated, tokenizer, tmp_path, capsys):
    tokens = tmp_path / "tokens"
    base = ["tokenize", str(curated), "-o", str(tokens), "--tokenizer"]
    assert main([*base, str(tmp_path / "missing.json")]) == 2
    assert "no tokenizer.json there" in capsys.readouterr().err
    from tokenizers import Tokenizer, models

    bare = tmp_path / "bare.json"
    Tokenizer(models.BPE()).save(str(bare))
    assert main([*base, str(bare)]) == 2
    assert "--eos-token" in capsys.readouterr().err
    assert main([*base, str(tokenizer), "--weights", "en=0.5,xx=0.5"]) == 2
    assert "no documents in xx" in capsys.readouterr().err
    assert main([*base, str(tokenizer), "--weights", "en=-1"]) == 2
    assert (
        main(["tokenize", str(tmp_path / "nothing"), "-o", str(tokens), "--tokenizer", str(tokenizer)]) == 2
    )
    assert "no curate run here" in capsys.readouterr().err
    assert main(["tokenize", str(curated), "-o", str(curated / "t"), "--tokenizer", str(tokenizer)]) == 2
    tokens.mkdir(exist_ok=True)
    with run_lock(tokens):  # another tokenize writing here
        assert main([*base, str(tokenizer)]) == 2
        assert "another curate run is writing here" in capsys.readouterr().err
    other = tmp_path / "other"
    shutil.copytree(curated, other)
    assert main([*base, str(tokenizer)]) == 0
    assert main(["tokenize", str(other), "-o", str(tokens), "--tokenizer", str(tokenizer)]) == 2
    assert "holds the tokens of another run" in capsys.readouterr().err
    assert main(["tokenize", str(other), "-o", str(tokens), "--tokenizer", str(tokenizer), "--force"]) == 0


def test_help_explains_the_command(capsys):
    with pytest.raises(SystemExit):
        main(["tokenize", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in (
        "--format {datatrove,megatron}",
        "--weights",
        "--topic-weights MIX",
        "mixes by topic",
        "repeated",
        "--seed",
        "--max-file-bytes",
        "resum",
    ):
        assert words in text or words.replace("resum", "again") in text


@pytest.mark.parametrize("fmt", ["datatrove", "megatron"])
def test_the_loader_cuts_the_windows_datatrove_cuts_in_either_format(curated, tokenizer, tmp_path, fmt):
    from curate.tokenize.windows import TokenWindows, torch_dataset

    tokens = tmp_path / "tokens"
    assert main(tokenize(curated, tokens, tokenizer, "--format", fmt, "--max-file-bytes", "20000")) == 0
    folder, context = tokens / "lang-en", 32
    expected = spec_windows(sorted(folder.glob("*.ds" if fmt == "datatrove" else "*.bin")), fmt, context)
    windows = TokenWindows(folder, context)
    assert [windows[i].tolist() for i in range(len(windows))] == expected
    dataset = torch_dataset(folder, context)
    assert (
        len(dataset) == len(expected)
        and dataset[3].tolist() == expected[3]
        and str(dataset[0].dtype) == "torch.int64"
    )
    with pytest.raises(IndexError):
        windows[len(windows)]
    with pytest.raises(FileNotFoundError, match="no .ds or .bin"):
        TokenWindows(tmp_path, context)


def spec_read_file(file: Path, fmt: str) -> list[list[int]]:
    from tests.tokenize.test_formats import spec_datatrove, spec_megatron

    return spec_datatrove(file) if fmt == "datatrove" else spec_megatron(file)


def test_ray_workers_write_the_same_files(curated, tokenizer, tmp_path):
    pytest.importorskip("ray")
    local, ray = tmp_path / "local", tmp_path / "ray"
    assert main(tokenize(curated, local, tokenizer, "--langs", "en,es")) == 0
    assert (
        main(tokenize(curated, ray, tokenizer, "--langs", "en,es", "--executor", "ray", "--workers", "2"))
        == 0
    )
    for output in ("lang-en", "lang-es"):
        files = sorted(p.name for p in (local / output).iterdir())
        assert files == sorted(p.name for p in (ray / output).iterdir())
        assert all((local / output / f).read_bytes() == (ray / output / f).read_bytes() for f in files)
