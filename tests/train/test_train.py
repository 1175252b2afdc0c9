"""Pretraining (curate pretrain / sample / budget / ablate) on the curated shards of the shared
Common Crawl text sample."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import polars as pl
import pytest

torch = pytest.importorskip("torch", reason="the train extra (pip install 'curate[train]')")

from curate.cli import main  # noqa: E402
from curate.config import ModelConfig, PretrainConfig  # noqa: E402
from curate.train.budget import model_params, plan  # noqa: E402
from curate.train.data import id_hash, iter_documents, shard_files, validation_cutoff  # noqa: E402
from curate.train.model import GPT  # noqa: E402
from curate.train.packing import SequenceBatches  # noqa: E402
from curate.train.pretrain import build_trainer, load_model  # noqa: E402
from curate.train.sampling import (  # noqa: E402
    SamplingSettings,
    best_of,
    continuation_logprobs,
    generate,
    next_token_probs,
)
from tests.conftest import CC_TEXT  # noqa: E402

# Flags for a one-layer model on the English shards, small enough for subprocess tests.
TINY_ENGLISH_MODEL = [
    "--langs",
    "en",
    "--layers",
    "1",
    "--d-model",
    "32",
    "--heads",
    "2",
    "--d-ff",
    "64",
    "--context",
    "32",
    "--vocab-size",
    "512",
]
SMALL = ModelConfig(layers=2, d_model=64, heads=2, d_ff=256, context=64, vocab_size=1024)


def small_training(**changes) -> PretrainConfig:
    settings = dict(langs=["en"], val_fraction=0.1, steps=300, lr=3e-3, warmup_steps=20, eval_every=100)
    return PretrainConfig(**{**settings, **changes})


@pytest.fixture(scope="module")
def trained(cc_shards, tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("train") / "model"
    summary = build_trainer(cc_shards, model_dir, SMALL, small_training()).train(show_progress=False)
    model, tokenizer = load_model(model_dir)
    return summary, model, tokenizer, model_dir


# --- Chinchilla ---------------------------------------------------------------------------------


def test_chinchilla_3b_parameters_want_60b_tokens():
    budget = plan(params=3_000_000_000)
    assert budget.tokens == 60_000_000_000 and budget.optimal
    assert budget.flops == pytest.approx(6 * 3e9 * 60e9) == 1.08e21
    assert plan(tokens=60_000_000_000).params == 3_000_000_000
    # Training tokens = dataset tokens x epochs: 15B tokens of data must repeat 4 times.
    assert plan(params=3_000_000_000, dataset_tokens=15_000_000_000).epochs == 4.0


def test_budget_command(capsys):
    assert main(["budget", "--params", "3B"]) == 0
    printed = capsys.readouterr().out
    assert "60B" in printed and "1.08e+21" in printed
    assert main(["budget", "--tokens", "60e9", "--dataset-tokens", "20B", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["params"] == 3_000_000_000 and answer["epochs"] == 3.0
    assert main(["budget", "--params", "lots"]) == 2
    assert main(["budget"]) == 2


@pytest.mark.parametrize(
    "config",
    [SMALL, ModelConfig(), ModelConfig(layers=3, d_model=96, heads=3, d_ff=200, context=40, vocab_size=700)],
)
def test_parameter_formula_counts_the_model(config):
    assert GPT(config, config.vocab_size).num_params() == model_params(config)


# --- data and packing -----------------------------------------------------------------------------


def test_validation_split_is_by_id_and_disjoint(cc_shards):
    files = [f for group in shard_files(cc_shards).values() for f in group]
    docs = pl.read_parquet(files, columns=["id", "text", "lang"])
    cutoff = validation_cutoff(cc_shards, 0.1)
    held_out = set(docs.filter(pl.Series([id_hash(i) < cutoff for i in docs["id"]]))["text"])
    validation = list(iter_documents(cc_shards, "validation", cutoff))
    train = list(iter_documents(cc_shards, "train", cutoff))
    assert set(validation) == held_out and len(validation) + len(train) == docs.height
    assert 0.04 < len(validation) / docs.height < 0.2  # about 10% of the documents
    # --langs keeps one language.
    english = set(docs.filter(pl.col("lang") == "en")["text"])
    assert set(iter_documents(cc_shards, "train", cutoff, langs=["en"])) <= english


def test_a_tiny_dataset_still_holds_out_one_document(cc_shards):
    cutoff = validation_cutoff(cc_shards, 1e-12, langs=["de"])
    assert len(list(iter_documents(cc_shards, "validation", cutoff, langs=["de"]))) == 1


def test_mixture_weights_draw_languages_in_proportion(cc_shards):
    counts = pl.read_parquet([f for g in shard_files(cc_shards).values() for f in g], columns=["lang"])
    big, small = counts["lang"].value_counts(sort=True)["lang"][:2]
    texts = list(iter_documents(cc_shards, "train", 0, [big, small], {big: 1.0, small: 1.0}))
    small_texts = set(iter_documents(cc_shards, "train", 0, [small]))
    drawn_small = sum(text in small_texts for text in texts)
    # Equal weights: the smaller language repeats until the larger one is read once.
    assert drawn_small == pytest.approx(len(texts) / 2, rel=0.15)


def test_batches_depend_only_on_seed_and_step():
    tokens = np.arange(1000, dtype=np.int32)
    a, b = SequenceBatches(tokens, 9, 4, seed=3), SequenceBatches(tokens, 9, 4, seed=3)
    assert all(np.array_equal(a.batch(s), b.batch(s)) for s in (0, 57, 12, 0))
    window = a.batch(5)
    assert window.shape == (4, 10) and (np.diff(window, axis=1) == 1).all()  # contiguous text
    # One epoch visits every window once.
    firsts = np.concatenate([a.batch(s)[:, 0] for s in range(a.windows // 4)])
    assert len(set(firsts)) == len(firsts) == (a.windows // 4) * 4


# --- training -------------------------------------------------------------------------------------


def test_validation_loss_falls_well_below_its_start(trained):
    summary, model, _, model_dir = trained
    losses = [entry["val_loss"] for entry in summary["history"]]
    assert losses[0] > 6.5  # about ln(vocab) before training
    assert losses[-1] < losses[0] - 1.0, losses
    assert summary["training_tokens"] == 300 * 16 * 64 == summary["steps"] * 16 * 64
    assert summary["params"] == model.num_params() == model_params(SMALL, summary["vocab_size"])
    assert summary["flops"] == 6 * summary["params"] * summary["training_tokens"]
    assert summary["final_val_perplexity"] == pytest.approx(math.exp(summary["final_val_loss"]), rel=1e-3)
    assert json.loads((model_dir / "summary.json").read_text())["final_val_loss"] == summary["final_val_loss"]


def _pretrain_args(cc_shards, model_dir, steps):
    return [
        sys.executable,
        "-m",
        "curate.cli",
        "pretrain",
        str(cc_shards),
        "-o",
        str(model_dir),
        *TINY_ENGLISH_MODEL,
        "--steps",
        str(steps),
        "--val-fraction",
        "0.1",
        "--no-progress",
        "--json",
        "--config",
        str(model_dir.parent / "every10.toml"),
    ]


def test_killed_run_resumes_to_the_same_model(cc_shards, tmp_path):
    (tmp_path / "every10.toml").write_text("[pretrain]\ncheckpoint_every = 10\neval_every = 50\n")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    whole = tmp_path / "whole"
    subprocess.run(_pretrain_args(cc_shards, whole, 400), check=True, env=env, capture_output=True)
    killed = tmp_path / "killed"
    process = subprocess.Popen(_pretrain_args(cc_shards, killed, 400), env=env, stdout=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (killed / "checkpoint.pt").exists() and time.time() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    step = torch.load(killed / "checkpoint.pt", weights_only=False)["step"]
    assert 0 < step < 400, "the run was not killed midway"
    resumed = subprocess.run(
        [
            *_pretrain_args(cc_shards, killed, 400)[:5],
            "-o",
            str(killed),
            "--resume",
            *_pretrain_args(cc_shards, killed, 400)[7:],
        ],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    summary = json.loads(resumed.stdout)
    assert summary["steps"] == 400 and summary["steps_this_run"] == 400 - step
    a = torch.load(whole / "checkpoint.pt", weights_only=False)["model"]
    b = torch.load(killed / "checkpoint.pt", weights_only=False)["model"]
    assert all(torch.equal(a[name], b[name]) for name in a)


# --- sampling -------------------------------------------------------------------------------------


def test_temperature_towards_zero_equals_greedy(trained):
    _, model, tokenizer, _ = trained
    greedy = generate(model, tokenizer, "The ", SamplingSettings(temperature=0, max_tokens=30))
    for seed in range(3):
        cold = generate(
            model, tokenizer, "The ", SamplingSettings(temperature=1e-4, max_tokens=30, seed=seed)
        )
        assert cold.ids == greedy.ids
    logits = torch.randn(200, 50)
    top2 = logits.topk(2).values
    logits = logits[top2[:, 0] - top2[:, 1] > 0.02]  # no near-ties
    peaks = [next_token_probs(logits, SamplingSettings(temperature=t)).max(-1) for t in (1.0, 0.1, 1e-3)]
    assert all(torch.equal(p.indices, logits.argmax(-1)) for p in peaks)
    assert (peaks[0].values < peaks[1].values).all() and (peaks[2].values > 0.999).all()


def test_top_k_never_emits_a_token_outside_the_k_best(trained):
    _, model, tokenizer, _ = trained
    prompt = tokenizer.encode("The ").ids
    for seed in range(3):
        sample = generate(
            model, tokenizer, "The ", SamplingSettings(top_k=5, temperature=1.5, max_tokens=30, seed=seed)
        )
        for position, token in enumerate(sample.ids):
            with torch.no_grad():
                logits = model(torch.tensor([(prompt + sample.ids[:position])[-64:]]))[0, -1]
            assert token in torch.topk(logits, 5).indices.tolist()
    probs = next_token_probs(torch.randn(300, 40), SamplingSettings(top_k=7))
    assert ((probs > 0).sum(-1) == 7).all()


def test_top_p_keeps_the_smallest_set_reaching_p():
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    logits = probs.log()
    assert next_token_probs(logits, SamplingSettings(top_p=0.8)).nonzero().flatten().tolist() == [0, 1]
    assert next_token_probs(logits, SamplingSettings(top_p=0.81)).nonzero().flatten().tolist() == [0, 1, 2]
    assert next_token_probs(logits, SamplingSettings(top_p=0.4)).nonzero().flatten().tolist() == [0]
    generator = torch.Generator().manual_seed(0)
    for _ in range(300):
        logits = torch.randn(30, generator=generator) * 3
        p = float(torch.rand(1, generator=generator)) * 0.98 + 0.01
        kept = next_token_probs(logits, SamplingSettings(top_p=p))
        ranked = torch.softmax(logits, -1).sort(descending=True)
        needed = int((ranked.values.cumsum(0) < p).sum()) + 1  # the smallest prefix reaching p
        assert set(kept.nonzero().flatten().tolist()) == set(ranked.indices[:needed].tolist())
        assert float(kept.sum()) == pytest.approx(1.0)


def test_the_same_seed_gives_the_same_text(trained):
    _, model, tokenizer, _ = trained
    settings = SamplingSettings(temperature=1.0, top_p=0.95, max_tokens=40, seed=7)
    first, again = (generate(model, tokenizer, "The ", settings) for _ in range(2))
    assert first.text == again.text and first.ids == again.ids
    other = generate(
        model, tokenizer, "The ", SamplingSettings(temperature=1.0, top_p=0.95, max_tokens=40, seed=8)
    )
    assert other.ids != first.ids


def test_logprobs_sum_to_the_sequence_log_probability(trained):
    _, model, tokenizer, _ = trained
    sample = generate(model, tokenizer, "The ", SamplingSettings(top_k=50, max_tokens=40, seed=1))
    # The ending (end-of-text or the tokens completing a stop string) is scored with the text.
    generated = sample.ids + sample.end_ids
    scored = continuation_logprobs(model, tokenizer.encode("The ").ids, generated)
    assert sample.total_logprob == pytest.approx(sum(scored), abs=1e-3)
    assert sample.logprobs + sample.end_logprobs == pytest.approx(scored, abs=1e-4)
    assert all(lp <= 0 for lp in sample.logprobs)
    assert sample.mean_logprob == pytest.approx(sample.total_logprob / len(generated))


def test_stop_strings_and_best_of_n(trained):
    _, model, tokenizer, _ = trained
    free = generate(model, tokenizer, "The ", SamplingSettings(max_tokens=60, seed=2))
    stop = free.text.strip()[:2]
    stopped = generate(model, tokenizer, "The ", SamplingSettings(max_tokens=60, seed=2, stop=(stop,)))
    assert stopped.stopped_by == stop and stop not in stopped.text
    ranked = best_of(model, tokenizer, "The ", SamplingSettings(max_tokens=20, seed=3), n=4)
    means = [s.mean_logprob for s in ranked]
    assert len(ranked) == 4 and means == sorted(means, reverse=True)


def test_sample_command(trained, capsys):
    model_dir = trained[3]
    assert (
        main(
            [
                "sample",
                str(model_dir),
                "--prompt",
                "The ",
                "--max-tokens",
                "8",
                "--logprobs",
                "--json",
                "--n",
                "2",
                "--top-k",
                "20",
            ]
        )
        == 0
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["rank"] for r in rows] == [1, 2] and rows[0]["mean_logprob"] >= rows[1]["mean_logprob"]
    assert sum(rows[0]["logprobs"] + rows[0]["end_logprobs"]) == pytest.approx(rows[0]["total_logprob"])
    assert main(["sample", str(model_dir), "--top-p", "0"]) == 2
    assert main(["sample", str(model_dir.parent / "nothing")]) == 2


def test_bad_training_config_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[model]\nheads = 3\n")  # 128 is not divisible by 3
    assert main(["pretrain", str(tmp_path), "-o", str(tmp_path / "m"), "--config", str(bad)]) == 2
    assert "model.heads" in capsys.readouterr().err
    assert main(["pretrain", "-o", str(tmp_path / "m")]) == 2
    assert main(["pretrain", str(tmp_path / "no-run"), "-o", str(tmp_path / "m")]) == 2
    assert "no Parquet shards" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_mixture_names_must_match_the_languages(cc_shards, tmp_path, capsys):
    model_dir = tmp_path / "m"
    assert (
        main(["pretrain", str(cc_shards), "-o", str(model_dir), "--langs", "en,de", "--weights", "en=1"]) == 2
    )
    assert "--weights" in capsys.readouterr().err
    assert main(["pretrain", str(cc_shards), "-o", str(model_dir), "--langs", "xx"]) == 2
    assert "no shards for xx" in capsys.readouterr().err
    assert not model_dir.exists()


# --- ablation -------------------------------------------------------------------------------------


def test_ablation_trains_three_models_on_the_same_budget(tmp_path, capsys):
    out = tmp_path / "ablate"
    args = [
        "ablate",
        str(CC_TEXT),
        "-o",
        str(out),
        *TINY_ENGLISH_MODEL,
        "--steps",
        "150",
        "--lr",
        "3e-3",
        "--val-fraction",
        "0.1",
        "--no-progress",
        "--seeds",
        "2",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    result = json.loads((out / "ablation.json").read_text())
    arms = result["arms"]
    curated, unfiltered, same_size = arms["curated"], arms["unfiltered"], arms["unfiltered-same-size"]
    assert {arm["training_tokens"] for arm in arms.values()} == {150 * 16 * 32}
    # The same held-out curated text scores all; the unfiltered crawl holds more training text, and
    # its random documents, drawn up to the curated size, as much (within one document).
    assert all(
        arm["dataset_tokens"]["validation"] == result["validation_tokens"] > 0 for arm in arms.values()
    )
    assert unfiltered["dataset_tokens"]["train"] > same_size["dataset_tokens"]["train"]
    assert 0 <= same_size["dataset_tokens"]["train"] - curated["dataset_tokens"]["train"] < 20_000
    for arm in arms.values():
        assert arm["final_val_loss"] < arm["initial_val_loss"] - 0.5
    # Each arm is trained with seeds 0 and 1; the mean difference lies within the seeds' range.
    assert result["seeds"] == [0, 1]
    for name in ("unfiltered", "unfiltered-same-size"):
        difference = arms[name]["final_val_loss"] - curated["final_val_loss"]
        assert result["val_loss_minus_curated"][name] == pytest.approx(difference, abs=1e-4)
        spread = result["val_loss_minus_curated_spread"][name]
        by_seed = [
            a - c for a, c in zip(arms[name]["final_val_loss_by_seed"], curated["final_val_loss_by_seed"])
        ]
        assert [spread["min"], spread["max"]] == pytest.approx([min(by_seed), max(by_seed)], abs=1e-4)
        assert spread["min"] - 1e-4 <= result["val_loss_minus_curated"][name] <= spread["max"] + 1e-4
        assert spread["std"] == pytest.approx(np.std(by_seed, ddof=1), abs=1e-4)
    for name in arms:
        assert len(set(arms[name]["final_val_loss_by_seed"])) == 2  # the seeds differ
        assert (out / f"model-{name}" / "seed-1" / "checkpoint.pt").exists()
    assert "unfiltered-same-size" in printed and "vs curated" in printed and "seeds' range" in printed
