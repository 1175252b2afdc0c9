"""`curate pretrain TOKENS`: training from a `curate tokenize` folder, per-language or a mixture, its
documents split by the hash of their ids so that no copy of a held-out document trains."""

from __future__ import annotations

import json
import shutil

import numpy as np
import polars as pl
import pytest

from curate.cli import main
from curate.layout import OutputLayout
from curate.tokenize import formats
from curate.train.tokenized import document_hash, split_tokens
from tests.train.test_pretrain_defects import TINY_CC_FLAGS

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def run_copy(cc_shards, tmp_path_factory):
    """A copy of the shared curated run: `curate tokenize` writes its counts into OUT, which the
    other pretraining tests' budget estimates must not see."""
    copy = tmp_path_factory.mktemp("run") / "out"
    shutil.copytree(cc_shards, copy)
    return copy


@pytest.fixture(scope="module")
def tokenizer(run_copy, tmp_path_factory):
    from curate.train.tokenizer import train_tokenizer

    texts = pl.read_parquet(OutputLayout(run_copy).shard_paths(), columns=["text"])["text"].to_list()
    path = tmp_path_factory.mktemp("tok") / "tokenizer.json"
    train_tokenizer(texts, 512).save(str(path))
    return path


def documents(folder, fmt="datatrove") -> list[tuple[int, ...]]:
    return [
        tuple(d.tolist()) for path in formats.data_files(folder, fmt) for d in formats.read_documents(path)
    ]


@pytest.mark.parametrize("fmt", ["datatrove", "megatron"])
def test_pretrain_trains_from_a_tokenized_folder(run_copy, tokenizer, tmp_path, capsys, fmt):
    tokens, model = tmp_path / "tokens", tmp_path / "model"
    args = ["tokenize", str(run_copy), "-o", str(tokens), "--tokenizer", str(tokenizer), "--format", fmt]
    assert main(args) == 0
    capsys.readouterr()
    train_args = ["pretrain", str(tokens), "-o", str(model), *TINY_CC_FLAGS, "--steps", "4", "--no-progress"]
    assert main([*train_args, "--langs", "en,de", "--val-fraction", "0.3", "--json"]) == 0
    json.loads(capsys.readouterr().out)  # stdout: one JSON document
    train, validation = np.load(model / "tokens-train.npy"), np.load(model / "tokens-validation.npy")
    written = documents(tokens / "lang-en", fmt) + documents(tokens / "lang-de", fmt)
    assert len(train) + len(validation) == sum(map(len, written))  # every document, in one split
    spans = json.loads((model / "validation-langs.json").read_text())
    assert set(spans) == {"en", "de"} and spans["en"][0] == 0 and spans["de"][1] == len(validation)
    assert (model / "tokenizer.json").read_bytes() == tokenizer.read_bytes()
    assert main(["sample", str(model), "--prompt", "The", "--max-tokens", "5", "--seed", "1"]) == 0


def test_a_mixtures_repeated_documents_never_train_and_validate(run_copy, tokenizer, tmp_path):
    tokens = tmp_path / "mix"
    assert (
        main(
            [
                "tokenize",
                str(run_copy),
                "-o",
                str(tokens),
                "--tokenizer",
                str(tokenizer),
                "--weights",
                "en=0.5,de=0.5",
            ]
        )
        == 0
    )
    mixture = documents(tokens / "mixture")
    assert len(set(mixture)) < len(mixture)  # German repeated to reach its half
    train, validation, spans = split_tokens(tokens, 0.2)
    assert spans is None  # one group: a mixture keeps no languages
    held = {d for d in mixture if document_hash(np.array(d)) < 0.2 * 2**64}
    assert held and len(validation) == sum(len(d) for d in mixture if d in held)
    assert len(train) == sum(len(d) for d in mixture if d not in held)


def test_what_a_tokenized_folder_refuses(run_copy, tokenizer, tmp_path, capsys):
    tokens, model = tmp_path / "tokens", tmp_path / "model"
    assert main(["tokenize", str(run_copy), "-o", str(tokens), "--tokenizer", str(tokenizer)]) == 0
    base = ["pretrain", str(tokens), "-o", str(model), *TINY_CC_FLAGS, "--steps", "1", "--no-progress"]
    capsys.readouterr()
    assert main([*base, "--weights", "en=1"]) == 2
    assert "mix them with `curate tokenize --weights`" in capsys.readouterr().err
    assert main([*base, "--langs", "xx"]) == 2
    assert "no tokens of xx" in capsys.readouterr().err
    assert main([*base, "--tokenizer", str(tokenizer)]) == 2
    assert "drop --tokenizer" in capsys.readouterr().err


def test_budget_counts_what_pretrain_would_train_on(run_copy, tokenizer, tmp_path, capsys):
    tokens, model = tmp_path / "tokens", tmp_path / "model"
    assert main(["tokenize", str(run_copy), "-o", str(tokens), "--tokenizer", str(tokenizer)]) == 0
    flags = [*TINY_CC_FLAGS, "--steps", "1", "--no-progress", "--langs", "en"]
    assert main(["pretrain", str(tokens), "-o", str(model), *flags]) == 0
    capsys.readouterr()
    budget = ["budget", "--params", "1M", "--json", "--langs", "en"]
    assert main([*budget, "--shards", str(tokens)]) == 0
    assert json.loads(capsys.readouterr().out)["dataset_tokens"] == len(np.load(model / "tokens-train.npy"))
    # OUT after `curate tokenize`: its documents' counted tokens, summed over the train split's ids
    from curate.train.data import id_hash, validation_cutoff

    documents = pl.read_parquet(OutputLayout(run_copy).token_counts_dir / "documents.parquet")
    cutoff = validation_cutoff(run_copy, 0.05, ["en"])
    train = documents.filter(pl.col("lang") == "en").filter(
        pl.col("id").map_elements(lambda i: id_hash(i) >= cutoff, return_dtype=pl.Boolean)
    )
    assert main([*budget, "--shards", str(run_copy)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["dataset_tokens"] == train["tokens"].sum() > 0
    assert "counted with tokenizer.json by curate tokenize" in captured.err
