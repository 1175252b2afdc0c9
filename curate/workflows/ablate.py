"""`curate ablate`: the measured effect of curation. The same model is trained on the same token
budget twice, once on the curated shards of a crawl and once on all the text extracted from the same
crawl (language ID tags but removes nothing; no filters, no dedup), and both are scored on the same
held-out curated documents with the same tokenizer. Each model is trained with several seeds (weights
and batch order), so that a difference comes with the spread the seeds alone give it."""

from __future__ import annotations

import copy
import dataclasses
import math
import shutil
import statistics
from pathlib import Path

from curate.atomic import write_json
from curate.config import Config, PretrainConfig
from curate.pipeline.run import run_pipeline
from curate.train.data import validation_cutoff
from curate.train.packing import sample_documents
from curate.train.pretrain import TOKENIZER, prepare_data, save_data
from curate.train.trainer import TokenData, Trainer

ABLATION = "ablation.json"
SAME_SIZE = "unfiltered-same-size"


def unfiltered_config(config: Config) -> Config:
    """`config` with nothing removed after extraction: every extracted document, language-tagged."""
    raw = copy.deepcopy(config)
    raw.filters.enabled = raw.dedup.enabled = False
    raw.langid.langs = []
    raw.langid.keep_below_threshold = True
    return raw


SIZE_KEYS = ("dataset_tokens", "training_tokens", "epochs")  # the same for every seed


def ablate(
    inputs: list[str], out_dir: Path, config: Config, show_progress: bool = True, seeds: int = 3
) -> dict:
    """Three models on the same budget: curated text, all unfiltered text, and unfiltered documents
    drawn at random up to the curated text's size (quality at equal quantity); each trained with
    `seeds` seeds from config.pretrain.seed on, into MODEL_DIR/seed-N."""
    runs = {"curated": out_dir / "curated", "unfiltered": out_dir / "unfiltered"}
    run_pipeline(inputs, runs["curated"], config, show_progress)
    run_pipeline(inputs, runs["unfiltered"], unfiltered_config(config), show_progress)

    models = {name: out_dir / f"model-{name}" for name in (*runs, SAME_SIZE)}
    # One split for all: ids below the curated run's cutoff are held out of every training set.
    pretrain = config.pretrain
    cutoff = validation_cutoff(runs["curated"], pretrain.val_fraction, pretrain.langs, pretrain.weights)
    curated = prepare_data(runs["curated"], models["curated"], config.model, config.pretrain, cutoff=cutoff)
    tokenizer = str(models["curated"] / TOKENIZER)
    unfiltered = prepare_data(
        runs["unfiltered"], models["unfiltered"], config.model, config.pretrain, tokenizer, cutoff
    )
    eot = curated.train[-1]  # every document ends with end-of-text
    same_size = sample_documents(unfiltered.train, eot, len(curated.train), config.pretrain.seed)
    validation = (curated.validation, curated.vocab_size, curated.validation_langs)
    arms = {
        "curated": curated,
        "unfiltered": TokenData(unfiltered.train, *validation),
        SAME_SIZE: TokenData(same_size, *validation),
    }
    for name in ("unfiltered", SAME_SIZE):  # each model directory holds what its models saw
        models[name].mkdir(exist_ok=True)
        save_data(models[name], arms[name])
        shutil.copyfile(tokenizer, models[name] / TOKENIZER)

    if not pretrain.steps and not pretrain.tokens:  # default budget: one pass over the curated text
        pretrain = dataclasses.replace(pretrain, tokens=len(curated.train))
    seed_list = [pretrain.seed + i for i in range(seeds)]
    summaries = {
        name: [
            _train(models[name], data, config, dataclasses.replace(pretrain, seed=s), show_progress)
            for s in seed_list
        ]
        for name, data in arms.items()
    }
    result = {
        "seeds": seed_list,
        "arms": {name: _arm(seeded) for name, seeded in summaries.items()},
        "validation_tokens": len(curated.validation),
    }
    # Positive: the model trained on curated text predicts held-out curated text better. Each seed's
    # difference pairs the models of one seed; the mean is that of the arms' mean losses.
    result["val_loss_minus_curated"] = {
        name: round(result["arms"][name]["final_val_loss"] - result["arms"]["curated"]["final_val_loss"], 4)
        for name in ("unfiltered", SAME_SIZE)
    }
    result["val_loss_minus_curated_spread"] = {
        name: _spread(summaries[name], summaries["curated"]) for name in ("unfiltered", SAME_SIZE)
    }
    write_json(out_dir / ABLATION, result)
    return result


def _train(
    model_dir: Path, data: TokenData, config: Config, pretrain: PretrainConfig, show_progress: bool
) -> dict:
    """One seed's model in MODEL_DIR/seed-N, with the tokenizer for `curate sample` on it."""
    seed_dir = model_dir / f"seed-{pretrain.seed}"
    seed_dir.mkdir(exist_ok=True)
    shutil.copyfile(model_dir / TOKENIZER, seed_dir / TOKENIZER)
    return Trainer(seed_dir, data, config.model, pretrain).train(show_progress)


def _arm(runs: list[dict]) -> dict:
    """One arm over its seeds: its sizes, the mean losses and each seed's final loss."""
    mean = statistics.fmean(run["final_val_loss"] for run in runs)
    langs = runs[0]["final_val_loss_by_lang"]
    return {
        **{key: runs[0][key] for key in SIZE_KEYS},
        "initial_val_loss": round(statistics.fmean(run["initial_val_loss"] for run in runs), 4),
        "final_val_loss": round(mean, 4),
        "final_val_perplexity": round(math.exp(mean), 2),
        "final_val_loss_by_seed": [run["final_val_loss"] for run in runs],
        "final_val_loss_by_lang": {
            lang: round(statistics.fmean(run["final_val_loss_by_lang"][lang] for run in runs), 4)
            for lang in langs
        },
    }


def _spread(runs: list[dict], curated: list[dict]) -> dict:
    """Min, max and standard deviation (0 for one seed) of the seeds' differences from curated."""
    differences = [run["final_val_loss"] - base["final_val_loss"] for run, base in zip(runs, curated)]
    return {
        "min": round(min(differences), 4),
        "max": round(max(differences), 4),
        "std": round(statistics.stdev(differences), 4) if len(differences) > 1 else 0.0,
    }


def format_ablation(result: dict) -> str:
    columns = (("train tokens", 14), ("epochs", 8), ("val loss", 10), ("perplexity", 12), ("vs curated", 12))
    header = f"{'trained on':<22}" + "".join(f"{name:>{width}}" for name, width in columns) + "  seeds' range"
    rows = []
    for name, arm in result["arms"].items():
        difference = result["val_loss_minus_curated"].get(name)
        spread = result["val_loss_minus_curated_spread"].get(name)
        rows.append(
            f"{name:<22}{arm['dataset_tokens']['train']:>14,}{arm['epochs']:>8.2f}{arm['final_val_loss']:>10.4f}"
            f"{arm['final_val_perplexity']:>12.1f}"
            + (f"{difference:>+12.4f}  {spread['min']:+.4f} .. {spread['max']:+.4f}" if spread else "")
        )
    seeds = result["seeds"]
    return "\n".join(
        [
            header,
            *rows,
            "",
            f"same token budget for each; scored on {result['validation_tokens']:,} held-out curated tokens",
            f"losses: the mean over {len(seeds)} seed(s) ({', '.join(map(str, seeds))}); the range: of each "
            "seed's difference",
            "vs curated > 0: curation lowered the validation loss by that many nats per token",
        ]
    )
