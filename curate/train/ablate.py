"""`curate ablate`: the measured effect of curation. The same model is trained on the same token
budget twice, once on the curated shards of a crawl and once on all the text extracted from the same
crawl (language ID tags but removes nothing; no filters, no dedup), and both are scored on the same
held-out curated documents with the same tokenizer."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

from curate.config import Config
from curate.run import run_pipeline
from curate.shards import write_atomically
from curate.train.data import validation_cutoff
from curate.train.pretrain import TOKENIZER, prepare_data, save_tokens
from curate.train.trainer import TokenData, Trainer

ABLATION = "ablation.json"


def unfiltered_config(config: Config) -> Config:
    """`config` with nothing removed after extraction: every extracted document, language-tagged."""
    raw = copy.deepcopy(config)
    raw.filters.enabled = raw.dedup.enabled = False
    raw.langid.langs = []
    raw.langid.keep_below_threshold = True
    return raw


def ablate(inputs: list[str], out_dir: Path, config: Config, show_progress: bool = True) -> dict:
    runs = {"curated": out_dir / "curated", "unfiltered": out_dir / "unfiltered"}
    run_pipeline(inputs, runs["curated"], config, show_progress)
    run_pipeline(inputs, runs["unfiltered"], unfiltered_config(config), show_progress)

    models = {name: out_dir / f"model-{name}" for name in runs}
    # One split for both: ids below the curated run's cutoff are held out of both training sets.
    cutoff = validation_cutoff(runs["curated"], config.pretrain.val_fraction, config.pretrain.langs)
    curated = prepare_data(runs["curated"], models["curated"], config.model, config.pretrain, cutoff=cutoff)
    tokenizer = str(models["curated"] / TOKENIZER)
    unfiltered = prepare_data(
        runs["unfiltered"], models["unfiltered"], config.model, config.pretrain, tokenizer, cutoff
    )
    # Both are scored on the curated held-out documents.
    unfiltered = TokenData(unfiltered.train, curated.validation, curated.vocab_size)
    save_tokens(models["unfiltered"], "validation", curated.validation)

    pretrain = config.pretrain
    if not pretrain.steps and not pretrain.tokens:  # default budget: one pass over the curated text
        pretrain = dataclasses.replace(pretrain, tokens=len(curated.train))
    summaries = {
        name: Trainer(models[name], data, config.model, pretrain).train(show_progress)
        for name, data in (("curated", curated), ("unfiltered", unfiltered))
    }
    result = {
        name: {
            key: summary[key]
            for key in (
                "dataset_tokens",
                "training_tokens",
                "epochs",
                "initial_val_loss",
                "final_val_loss",
                "final_val_perplexity",
            )
        }
        for name, summary in summaries.items()
    }
    result["val_loss_difference"] = round(
        summaries["unfiltered"]["final_val_loss"] - summaries["curated"]["final_val_loss"], 4
    )
    write_atomically(out_dir / ABLATION, lambda tmp: tmp.write_text(json.dumps(result, indent=2)))
    return result


def format_ablation(result: dict) -> str:
    header = f"{'trained on':<12}{'train tokens':>14}{'epochs':>8}{'val loss':>10}{'perplexity':>12}"
    rows = [
        f"{name:<12}{r['dataset_tokens']['train']:>14,}{r['epochs']:>8.2f}{r['final_val_loss']:>10.4f}"
        f"{r['final_val_perplexity']:>12.1f}"
        for name, r in result.items()
        if isinstance(r, dict)
    ]
    difference = result["val_loss_difference"]
    verdict = "curation helped" if difference > 0 else "curation did not help"
    return "\n".join(
        [
            header,
            *rows,
            "",
            f"scored on held-out curated text: {result['curated']['dataset_tokens']['validation']:,} tokens",
            f"unfiltered - curated = {difference:+.4f} nats/token ({verdict} on this budget)",
        ]
    )
