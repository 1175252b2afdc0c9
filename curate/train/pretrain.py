"""`curate pretrain` end to end: shards -> tokenizer -> token arrays -> a trained model directory.

MODEL_DIR holds tokenizer.json, the token arrays of both splits (so that --resume trains on exactly
the same tokens), checkpoint.pt and summary.json."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

from curate.atomic import write_atomically
from curate.config import ModelConfig, PretrainConfig
from curate.errors import UsageError
from curate.train.data import iter_documents, validation_cutoff
from curate.train.model import GPT
from curate.train.packing import encode_documents
from curate.train.tokenizer import load_tokenizer, train_tokenizer
from curate.train.trainer import CHECKPOINT, TokenData, Trainer, resolve_device

TOKENIZER = "tokenizer.json"
SPLITS = ("train", "validation")


def token_file(model_dir: Path, split: str) -> Path:
    return model_dir / f"tokens-{split}.npy"


def prepare_data(
    shards: Path,
    model_dir: Path,
    model: ModelConfig,
    config: PretrainConfig,
    tokenizer_path: str | None = None,
    cutoff: int | None = None,
) -> TokenData:
    """Tokenize both splits into MODEL_DIR (training a tokenizer on the train split unless given).
    `cutoff` fixes the split (see data.validation_cutoff); by default it comes from these shards."""
    if cutoff is None:
        cutoff = validation_cutoff(shards, config.val_fraction, config.langs, config.weights)
    model_dir.mkdir(parents=True, exist_ok=True)

    def documents(split: str):
        return iter_documents(shards, split, cutoff, config.langs, config.weights, config.seed)

    tokenizer = (
        load_tokenizer(tokenizer_path)
        if tokenizer_path
        else train_tokenizer(documents("train"), model.vocab_size)
    )
    write_atomically(model_dir / TOKENIZER, lambda tmp: tokenizer.save(str(tmp)))
    tokens = {split: encode_documents(tokenizer, documents(split)) for split in SPLITS}
    for split, array in tokens.items():
        save_tokens(model_dir, split, array)
    return _token_data(tokens["train"], tokens["validation"], tokenizer.get_vocab_size())


def save_tokens(model_dir: Path, split: str, tokens: np.ndarray) -> None:
    def save(path: Path) -> None:
        with open(path, "wb") as fh:  # a file object: np.save would add ".npy" to the temporary name
            np.save(fh, tokens)

    write_atomically(token_file(model_dir, split), save)


def load_data(model_dir: Path) -> TokenData:
    train, validation = (np.load(token_file(model_dir, split)) for split in SPLITS)
    return _token_data(train, validation, Tokenizer.from_file(str(model_dir / TOKENIZER)).get_vocab_size())


def _token_data(train: np.ndarray, validation: np.ndarray, vocab: int) -> TokenData:
    if len(train) == 0:
        raise UsageError(
            "no training text: the shards (or the chosen languages) hold no train-split documents"
        )
    return TokenData(train=train, validation=validation, vocab_size=vocab)


def build_trainer(
    shards: Path | None,
    model_dir: Path,
    model: ModelConfig,
    config: PretrainConfig,
    tokenizer_path: str | None = None,
    resume: bool = False,
) -> Trainer:
    """A trainer on freshly tokenized shards, or, with `resume`, on MODEL_DIR's tokens from its checkpoint."""
    if resume:
        trainer = Trainer(model_dir, load_data(model_dir), model, config)
        trainer.resume()
        return trainer
    if shards is None:
        raise UsageError("pretrain: give SHARDS (a run's output dir), or --resume an earlier run")
    return Trainer(model_dir, prepare_data(shards, model_dir, model, config, tokenizer_path), model, config)


def load_model(model_dir: Path, device: str = "auto") -> tuple[GPT, Tokenizer]:
    """The trained model (in eval mode) and its tokenizer."""
    path = model_dir / CHECKPOINT
    if not path.exists():
        raise UsageError(
            f"{model_dir}: no {CHECKPOINT}; train one with `curate pretrain SHARDS -o {model_dir}`"
        )
    target = resolve_device(device)
    state = torch.load(path, map_location=target, weights_only=False)
    model = GPT(ModelConfig(**state["model_config"]), state["vocab_size"]).to(target)
    model.load_state_dict(state["model"])
    return model.eval(), load_tokenizer(model_dir / TOKENIZER)
