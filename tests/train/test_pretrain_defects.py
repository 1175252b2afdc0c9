"""Defects of the pretraining job found in review (#21), one group of tests each; every test here
failed before its fix. The modules are imported whole so that a missing name fails its own test."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import polars as pl
import pytest

torch = pytest.importorskip("torch", reason="the train extra (pip install 'curate[train]')")

import torch.nn.functional as F  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers  # noqa: E402

import curate.train.pretrain as pretraining  # noqa: E402
import curate.train.sampling as sampling  # noqa: E402
import curate.train.trainer as training  # noqa: E402
from curate.cli import main  # noqa: E402
from curate.config import ModelConfig, PretrainConfig  # noqa: E402
from curate.statistics.tokens import BYTES_PER_TOKEN  # noqa: E402
from curate.train.data import id_hash, shard_files, validation_cutoff  # noqa: E402
from curate.train.tokenizer import END_OF_TEXT  # noqa: E402

# A model small enough to train in a second on windows of 8 tokens.
TINY = ModelConfig(layers=1, d_model=32, heads=2, d_ff=64, context=8, vocab_size=300)
# The same as test_train's TINY_ENGLISH_MODEL flags, for the shards of the Common Crawl sample.
TINY_CC = ModelConfig(layers=1, d_model=32, heads=2, d_ff=64, context=32, vocab_size=512)
TINY_CC_FLAGS = [
    *("--layers", "1", "--d-model", "32", "--heads", "2", "--d-ff", "64"),
    *("--context", "32", "--vocab-size", "512"),
]


@pytest.fixture(scope="module")
def all_languages(cc_shards, tmp_path_factory):
    """Every language of the shards tokenized as `curate pretrain` does it by default."""
    model_dir = tmp_path_factory.mktemp("all") / "model"
    return model_dir, pretraining.prepare_data(cc_shards, model_dir, TINY_CC, PretrainConfig())


# --- 1. validation: the whole split (or a sample of every language), weighted by tokens -----------


def two_languages(cs_tokens: int, en_tokens: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of two languages a model tells apart: `cs` cycles through 0..9 (learnable), `en` is
    random ids in 100..299 (not)."""
    en = np.random.default_rng(0).integers(100, 300, en_tokens, dtype=np.int32)
    return np.arange(cs_tokens, dtype=np.int32) % 10, en


def tiny_trainer(model_dir, validation, spans=None, model=TINY, **changes) -> training.Trainer:
    cs, en = two_languages(2000, 2000)
    settings = dict(steps=30, batch_size=4, lr=1e-2, warmup_steps=0, eval_every=1000, device="cpu")
    config = PretrainConfig(**{**settings, **changes})
    data = training.TokenData(np.concatenate([cs, en]), validation, 300, spans)
    return training.Trainer(model_dir, data, model, config)


@torch.no_grad()
def summed_loss(model, tokens: np.ndarray, context: int) -> float:
    """Every next-token loss of `tokens`, scored in windows of context + 1 tokens, one after another."""
    model.eval()
    total = 0.0
    for start in range(0, len(tokens) - 1, context):
        window = torch.from_numpy(tokens[start : start + context + 1].astype(np.int64))[None]
        total += float(F.cross_entropy(model(window[:, :-1])[0], window[0, 1:], reduction="sum"))
    return total


def test_validation_loss_is_the_mean_over_every_token_of_the_split(tmp_path):
    # 8 windows of cs, then 2 of en and 4 tokens more: batches of 3 windows would weigh the last
    # batch, a single window, as much as the others, and drop the 4 tokens.
    cs, en = two_languages(8 * 8, 2 * 8 + 5)
    validation = np.concatenate([cs, en])
    trainer = tiny_trainer(tmp_path, validation, batch_size=3)
    summary = trainer.train(show_progress=False)
    expected = summed_loss(trainer.model, validation, TINY.context) / (len(validation) - 1)
    assert summary["final_val_loss"] == pytest.approx(expected, abs=2e-4)


def test_a_validation_sample_takes_every_language_in_proportion(tmp_path):
    cs, en = two_languages(7000, 1000)  # ordered by language: 87.5% cs first, as the split is read
    spans = {"cs": (0, 7000), "en": (7000, 8000)}
    windows = training.validation_windows(spans, context=8, limit=8)
    assert [len(windows["cs"]), len(windows["en"])] == [7, 1]
    cs_starts = [start for start, _ in windows["cs"]]
    assert min(cs_starts) < 1000 and max(cs_starts) > 6000  # spread over the documents
    assert all(7000 <= start < 8000 for start, _ in windows["en"])
    assert all(length == 9 for group in windows.values() for _, length in group)

    trainer = tiny_trainer(tmp_path, np.concatenate([cs, en]), spans, eval_batches=2)
    trainer.train(show_progress=False)
    loss, by_lang = trainer.validation_loss()
    assert set(by_lang) == {"cs", "en"} and by_lang["en"] > by_lang["cs"] + 1
    # The languages weigh by their tokens in the split, not by their windows in the sample.
    assert loss == pytest.approx((6999 * by_lang["cs"] + 999 * by_lang["en"]) / 7998)
    assert trainer.validation_loss() == (loss, by_lang)  # a fixed sample
    assert trainer.summary(0)["final_val_loss_by_lang"] == {lang: round(v, 4) for lang, v in by_lang.items()}


def test_every_held_out_language_gets_its_validation_loss(cc_shards, all_languages, tmp_path):
    model_dir, data = all_languages
    files = [f for group in shard_files(cc_shards).values() for f in group]
    docs = pl.read_parquet(files, columns=["id", "lang"])
    cutoff = validation_cutoff(cc_shards, PretrainConfig().val_fraction)
    held_out = {lang for doc_id, lang in docs.iter_rows() if id_hash(doc_id) < cutoff}
    assert len(held_out) > 1 and set(data.validation_langs) == held_out
    assert pretraining.load_data(model_dir).validation_langs == data.validation_langs
    config = PretrainConfig(steps=2, batch_size=4, device="cpu")
    summary = training.Trainer(tmp_path, data, TINY_CC, config).train(show_progress=False)
    assert set(summary["final_val_loss_by_lang"]) == held_out
    assert set(summary["history"][0]["val_loss_by_lang"]) == held_out


# --- 2. --resume: the stored settings and random state ----------------------------------------------


def test_a_resumed_run_with_dropout_has_the_losses_of_an_uninterrupted_one(tmp_path):
    cs, en = two_languages(500, 500)
    validation = np.concatenate([cs, en])
    dropout = dataclasses.replace(TINY, dropout=0.3)
    straight = tiny_trainer(tmp_path, validation, model=dropout, steps=20)
    whole = [straight.train_step() for _ in range(20)]
    first = tiny_trainer(tmp_path, validation, model=dropout, steps=20)
    halves = [first.train_step() for _ in range(10)]
    first.save()
    second = tiny_trainer(tmp_path, validation, model=dropout, steps=20)
    second.resume()
    halves += [second.train_step() for _ in range(10)]
    assert halves == whole


@pytest.fixture
def stopped_run(cc_shards, tmp_path):
    """A run of 20 steps (the tiny model, warm-up 5, lr 3e-3) stopped after 10, its checkpoint saved."""
    model_dir = tmp_path / "model"
    config = PretrainConfig(langs=["en"], val_fraction=0.1, steps=20, warmup_steps=5, lr=3e-3, device="cpu")
    trainer = pretraining.build_trainer(cc_shards, model_dir, TINY_CC, config)
    for _ in range(10):
        trainer.train_step()
    trainer.save()
    return model_dir


def test_resume_continues_with_the_settings_the_run_was_started_with(stopped_run, capsys):
    resume = ["pretrain", "-o", str(stopped_run), "--resume", "--no-progress", "--json"]
    assert main(resume) == 0  # no model flags: the checkpoint's, not the defaults
    summary = json.loads(capsys.readouterr().out)
    assert summary["model"] == dataclasses.asdict(TINY_CC)
    assert summary["steps"] == 20 and summary["steps_this_run"] == 10  # not re-planned


@pytest.mark.parametrize(
    "flags, named",
    [
        (["--lr", "0.5"], "--lr"),
        (["--steps", "40"], "--steps"),
        (["--layers", "2"], "--layers"),
        (["--langs", "en,de"], "--langs"),
        (["--config", "CONFIG"], "pretrain.warmup_steps in --config"),
    ],
)
def test_resume_refuses_a_flag_that_would_change_the_run(stopped_run, flags, named, capsys):
    config = stopped_run.parent / "warmup.toml"
    config.write_text("[pretrain]\nwarmup_steps = 50\n")
    flags = [str(config) if flag == "CONFIG" else flag for flag in flags]
    assert main(["pretrain", "-o", str(stopped_run), "--resume", "--no-progress", *flags]) == 2
    assert named in capsys.readouterr().err
    assert training.load_checkpoint(stopped_run)["step"] == 10  # nothing trained


def test_resume_takes_flags_that_agree_or_only_say_where_to_run(stopped_run, capsys):
    every5 = stopped_run.parent / "every5.toml"
    every5.write_text("[pretrain]\ncheckpoint_every = 5\n")
    flags = ["--layers", "1", "--lr", "3e-3", "--langs", "en", "--device", "cpu", "--threads", "1"]
    assert (
        main(
            ["pretrain", "-o", str(stopped_run), "--resume", "--no-progress", *flags, "--config", str(every5)]
        )
        == 0
    )
    assert training.load_checkpoint(stopped_run)["pretrain"]["checkpoint_every"] == 5


# --- 3 and 4. sampling: the end token counts; stop strings cut at the first ---------------------


PIECES = [END_OF_TEXT, "a", "b", "c", "x.y!", "."]  # token ids 0..5
EOT, A, B, C, XY = 0, 1, 2, 3, 4


def scripted_tokenizer() -> Tokenizer:
    tokenizer = Tokenizer(models.BPE(vocab={piece: i for i, piece in enumerate(PIECES)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([END_OF_TEXT])
    return tokenizer


def likely(token: int, p: float) -> list[float]:
    """A next-token distribution giving `token` probability p and the rest of PIECES the remainder."""
    rest = (1 - p) / (len(PIECES) - 1)
    return [p if i == token else rest for i in range(len(PIECES))]


class ScriptedModel(torch.nn.Module):
    """Stands in for a GPT: call i returns script[i] (next-token probabilities) as the logits of
    every position, whatever the input."""

    def __init__(self, script: list[list[float]]) -> None:
        super().__init__()
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # generate() finds the device from it
        self.config = ModelConfig(context=16)
        self.script, self.calls = [torch.tensor(row).log() for row in script], 0

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        logits = self.script[self.calls]
        self.calls += 1
        return logits.expand(tokens.shape[0], tokens.shape[1], -1)


GREEDY = dict(temperature=0, max_tokens=5)


def near(expected):
    """Equal within float32 rounding (generate() computes in float32)."""
    return pytest.approx(expected, abs=1e-6)


def test_best_of_n_counts_the_end_token_and_an_empty_sample_scores_it():
    # Sample 1 ends at once (end-of-text, p 0.4); sample 2 is "a" (p 0.9) then end-of-text (p 0.9).
    model = ScriptedModel([likely(EOT, 0.4), likely(A, 0.9), likely(EOT, 0.9)])
    ranked = sampling.best_of(model, scripted_tokenizer(), "", sampling.SamplingSettings(**GREEDY), n=2)
    best, empty = ranked
    assert best.ids == [A] and best.text == "a" and best.stopped_by == "end_of_text"
    assert best.end_ids == [EOT] and best.end_logprobs == near([math.log(0.9)])
    assert best.total_logprob == near(2 * math.log(0.9))
    assert best.mean_logprob == near(math.log(0.9))
    assert empty.ids == [] and empty.text == "" and empty.logprobs == []
    assert empty.mean_logprob == near(math.log(0.4)) == empty.total_logprob


def test_a_stop_string_cuts_at_its_first_occurrence_whatever_the_order_of_the_list():
    tokenizer = scripted_tokenizer()
    for stop in (("!", "."), (".", "!")):
        # "a", then "x.y!": "." comes first in the text, "!" first in one of the lists.
        model = ScriptedModel([likely(A, 0.8), likely(XY, 0.7)])
        sample = sampling.generate(model, tokenizer, "", sampling.SamplingSettings(**GREEDY, stop=stop))
        assert sample.text == "ax" and sample.stopped_by == "."
        # The token holding the stop is not part of the ids, their tokens or their log-probs.
        assert sample.ids == [A] and sample.tokens == ["a"]
        assert sample.logprobs == near([math.log(0.8)])
        assert sample.end_ids == [XY] and sample.end_logprobs == near([math.log(0.7)])


def test_a_stop_string_over_several_tokens_strips_them_all():
    model = ScriptedModel([likely(A, 0.8), likely(B, 0.7), likely(C, 0.6)])
    settings = sampling.SamplingSettings(**GREEDY, stop=("bc",))
    sample = sampling.generate(model, scripted_tokenizer(), "", settings)
    assert (sample.text, sample.ids, sample.end_ids, sample.stopped_by) == ("a", [A], [B, C], "bc")
    assert sample.total_logprob == near(math.log(0.8 * 0.7 * 0.6))
    assert sample.mean_logprob == near(math.log(0.8 * 0.7 * 0.6) / 3)


# --- 5. the sampling API checks its arguments as the CLI does --------------------------------------


@pytest.mark.parametrize(
    "argument, value",
    [
        ("top_k", None),
        ("top_k", -1),
        ("top_p", 0),
        ("top_p", 1.5),
        ("temperature", -0.5),
        ("temperature", float("nan")),
        ("max_tokens", 0),
        ("stop", "."),  # a string, not a tuple of them
        ("stop", ("",)),
    ],
)
def test_sampling_settings_out_of_range_are_refused_naming_the_argument(argument, value):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        sampling.SamplingSettings(**{argument: value})


def test_best_of_refuses_no_samples():
    model = ScriptedModel([likely(A, 0.9)])
    with pytest.raises(ValueError, match=r"^n\b"):
        sampling.best_of(model, scripted_tokenizer(), "", sampling.SamplingSettings(), n=0)


def test_the_sample_command_names_the_flag_out_of_range(tmp_path, capsys):
    assert main(["sample", str(tmp_path), "--top-p", "0"]) == 2
    assert "--top-p" in capsys.readouterr().err
    assert main(["sample", str(tmp_path), "--n", "0"]) == 2
    assert "--n" in capsys.readouterr().err


# --- 6. pretrain --json is one JSON document; budget counts the train split ---------------------


def test_pretrain_json_prints_exactly_one_json_document(cc_shards, tmp_path, capsys):
    args = ["pretrain", str(cc_shards), "-o", str(tmp_path / "m"), "--langs", "en", *TINY_CC_FLAGS]
    assert main([*args, "--steps", "3", "--val-fraction", "0.1", "--json"]) == 0  # with progress
    captured = capsys.readouterr()
    assert json.loads(captured.out)["steps"] == 3
    assert "model:" in captured.err


def test_budget_counts_the_train_tokens_pretrain_trains_on(cc_shards, all_languages, tmp_path, capsys):
    model_dir, data = all_languages
    tokenizer = str(model_dir / "tokenizer.json")
    budget = ["budget", "--params", "1M", "--shards", str(cc_shards), "--json"]
    assert main([*budget, "--tokenizer", tokenizer]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["dataset_tokens"] == len(data.train)
    assert "train split" in captured.err
    english = PretrainConfig(langs=["en"], val_fraction=0.1)
    en = pretraining.prepare_data(cc_shards, tmp_path / "en", TINY_CC, english, tokenizer_path=tokenizer)
    assert main([*budget, "--tokenizer", tokenizer, "--langs", "en", "--val-fraction", "0.1"]) == 0
    assert json.loads(capsys.readouterr().out)["dataset_tokens"] == len(en.train)


def test_budget_estimates_the_train_split_from_its_bytes(cc_shards, capsys):
    files = [f for group in shard_files(cc_shards).values() for f in group]
    docs = pl.read_parquet(files, columns=["id", "text"])
    cutoff = validation_cutoff(cc_shards, PretrainConfig().val_fraction)
    train_bytes = sum(len(text.encode()) for doc_id, text in docs.iter_rows() if id_hash(doc_id) >= cutoff)
    assert main(["budget", "--params", "1M", "--shards", str(cc_shards), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dataset_tokens"] == round(train_bytes / BYTES_PER_TOKEN)


# --- 7. --threads and --compile ------------------------------------------------------------------


def test_threads_sets_torch_threads_and_defaults_to_one(tmp_path):
    assert PretrainConfig().threads == 1  # measured fastest on a 2-core machine (README)
    before = torch.get_num_threads()
    try:
        for threads in (2, 1):
            tiny_trainer(tmp_path, np.arange(100, dtype=np.int32) % 10, threads=threads)
            assert torch.get_num_threads() == threads
    finally:
        torch.set_num_threads(before)


def test_compile_is_refused_off_cuda_before_any_work(cc_shards, tmp_path, capsys):
    model_dir = tmp_path / "m"
    assert main(["pretrain", str(cc_shards), "-o", str(model_dir), "--compile", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "--compile" in err and "CUDA" in err
    assert not model_dir.exists()
    assert main(["pretrain", str(cc_shards), "-o", str(model_dir), "--threads", "-1"]) == 2
    assert "threads" in capsys.readouterr().err
