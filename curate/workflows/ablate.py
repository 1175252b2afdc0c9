"""`curate ablate`: the measured effect of curation. The same model is trained on the same token
budget twice, once on the curated shards of a crawl and once on all the text extracted from the same
crawl (language ID tags but removes nothing; no filters, no dedup), and both are scored on the same
held-out curated documents with the same tokenizer."""

from __future__ import annotations

import copy
import dataclasses
import shutil
from pathlib import Path

from curate.atomic import write_json
from curate.config import Config
from curate.pipeline.run import run_pipeline
from curate.train.data import validation_cutoff
from curate.train.packing import sample_documents
from curate.train.pretrain import TOKENIZER, prepare_data, save_tokens
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


SUMMARY_KEYS = (
    "dataset_tokens",
    "training_tokens",
    "epochs",
    "initial_val_loss",
    "final_val_loss",
    "final_val_perplexity",
)


def ablate(inputs: list[str], out_dir: Path, config: Config, show_progress: bool = True) -> dict:
    """Three models on the same budget: curated text, all unfiltered text, and unfiltered documents
    drawn at random up to the curated text's size (quality at equal quantity)."""
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
    arms = {
        "curated": curated,
        "unfiltered": TokenData(unfiltered.train, curated.validation, curated.vocab_size),
        SAME_SIZE: TokenData(same_size, curated.validation, curated.vocab_size),
    }
    for name in ("unfiltered", SAME_SIZE):  # each model directory holds what its model saw
        models[name].mkdir(exist_ok=True)
        save_tokens(models[name], "train", arms[name].train)
        save_tokens(models[name], "validation", curated.validation)
        shutil.copyfile(tokenizer, models[name] / TOKENIZER)

    if not pretrain.steps and not pretrain.tokens:  # default budget: one pass over the curated text
        pretrain = dataclasses.replace(pretrain, tokens=len(curated.train))
    summaries = {
        name: Trainer(models[name], data, config.model, pretrain).train(show_progress)
        for name, data in arms.items()
    }
    curated_loss = summaries["curated"]["final_val_loss"]
    result = {
        "arms": {name: {key: summary[key] for key in SUMMARY_KEYS} for name, summary in summaries.items()},
        "validation_tokens": len(curated.validation),
        # Positive: the model trained on curated text predicts held-out curated text better.
        "val_loss_minus_curated": {
            name: round(summaries[name]["final_val_loss"] - curated_loss, 4)
            for name in ("unfiltered", SAME_SIZE)
        },
    }
    write_json(out_dir / ABLATION, result)
    return result


def format_ablation(result: dict) -> str:
    columns = (("train tokens", 14), ("epochs", 8), ("val loss", 10), ("perplexity", 12), ("vs curated", 12))
    header = f"{'trained on':<22}" + "".join(f"{name:>{width}}" for name, width in columns)
    rows = []
    for name, arm in result["arms"].items():
        difference = result["val_loss_minus_curated"].get(name)
        rows.append(
            f"{name:<22}{arm['dataset_tokens']['train']:>14,}{arm['epochs']:>8.2f}{arm['final_val_loss']:>10.4f}"
            f"{arm['final_val_perplexity']:>12.1f}"
            + (f"{difference:>+12.4f}" if difference is not None else "")
        )
    return "\n".join(
        [
            header,
            *rows,
            "",
            f"same token budget for each; scored on {result['validation_tokens']:,} held-out curated tokens",
            "vs curated > 0: curation lowered the validation loss by that many nats per token",
        ]
    )
