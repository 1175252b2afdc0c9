"""`curate pretrain` end to end: shards -> tokenizer -> token arrays -> a trained model directory.

MODEL_DIR holds tokenizer.json, the token arrays of both splits (so that --resume trains on exactly
the same tokens) with where each language's validation tokens lie, checkpoint.pt and summary.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from curate.atomic import write_atomically, write_json
from curate.config import ModelConfig, PretrainConfig
from curate.errors import UsageError
from curate.tokenize.job import read_record
from curate.train.data import chosen_files, iter_documents, validation_cutoff
from curate.train.model import GPT
from curate.train.packing import encode_documents
from curate.train.tokenized import split_tokens
from curate.train.tokenizer import load_tokenizer, train_tokenizer
from curate.train.trainer import (
    RESUMABLE,
    Spans,
    TokenData,
    Trainer,
    load_checkpoint,
    resolve_device,
    training_device,
)

TOKENIZER = "tokenizer.json"
VALIDATION_LANGS = "validation-langs.json"
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
    `cutoff` fixes the split (see data.validation_cutoff); by default it comes from these shards.
    SHARDS may also be a `curate tokenize` folder: its tokens and tokenizer are used as they are."""
    record = read_record(shards)
    if record is not None:
        return _prepare_tokenized(shards, record, model_dir, config, tokenizer_path)
    if cutoff is None:
        cutoff = validation_cutoff(shards, config.val_fraction, config.langs, config.weights)
    model_dir.mkdir(parents=True, exist_ok=True)

    def train_documents():
        return iter_documents(shards, "train", cutoff, config.langs, config.weights, config.seed)

    tokenizer = (
        load_tokenizer(tokenizer_path)
        if tokenizer_path
        else train_tokenizer(train_documents(), model.vocab_size)
    )
    write_atomically(model_dir / TOKENIZER, lambda tmp: tokenizer.save(str(tmp)))
    validation, spans = _encode_validation(tokenizer, shards, cutoff, config)
    data = _token_data(
        encode_documents(tokenizer, train_documents()), validation, tokenizer.get_vocab_size(), spans
    )
    save_data(model_dir, data)
    return data


def _encode_validation(
    tokenizer: Tokenizer, shards: Path, cutoff: int, config: PretrainConfig
) -> tuple[np.ndarray, Spans]:
    """The validation split language by language (as iter_documents reads it), and where each
    language's tokens lie, for a validation loss per language."""
    parts, spans, start = [], {}, 0
    for lang in chosen_files(shards, config.langs, config.weights):
        # Weights draw the train split only: the held-out documents are read once each.
        tokens = encode_documents(tokenizer, iter_documents(shards, "validation", cutoff, [lang]))
        if len(tokens):
            parts.append(tokens)
            spans[lang] = (start, start + len(tokens))
            start += len(tokens)
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)), spans


def _prepare_tokenized(
    folder: Path, record: dict, model_dir: Path, config: PretrainConfig, tokenizer_path: str | None
) -> TokenData:
    """The documents of a `curate tokenize` folder, split (tokenized.split_tokens), with its tokenizer."""
    if config.weights:
        raise UsageError(
            f"--weights: {folder} holds tokens already; mix them with `curate tokenize --weights`"
        )
    if tokenizer_path:
        raise UsageError(
            f"--tokenizer: {folder} was encoded with {record['tokenizer']['path']}; drop --tokenizer"
        )
    tokenizer = load_tokenizer(record["tokenizer"]["path"])
    model_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(model_dir / TOKENIZER, lambda tmp: tokenizer.save(str(tmp)))
    train, validation, spans = split_tokens(folder, config.val_fraction, config.langs)
    data = _token_data(train, validation, tokenizer.get_vocab_size(), spans)
    save_data(model_dir, data)
    return data


def save_data(model_dir: Path, data: TokenData) -> None:
    """Both splits' tokens and the validation languages' spans, as load_data reads them."""
    for split in SPLITS:
        save_tokens(model_dir, split, getattr(data, split))
    write_json(model_dir / VALIDATION_LANGS, data.validation_langs or {})


def save_tokens(model_dir: Path, split: str, tokens: np.ndarray) -> None:
    def save(path: Path) -> None:
        with open(path, "wb") as fh:  # a file object: np.save would add ".npy" to the temporary name
            np.save(fh, tokens)

    write_atomically(token_file(model_dir, split), save)


def load_data(model_dir: Path) -> TokenData:
    train, validation = (np.load(token_file(model_dir, split)) for split in SPLITS)
    langs = model_dir / VALIDATION_LANGS  # absent in a directory from before per-language losses
    spans = (
        {lang: tuple(span) for lang, span in json.loads(langs.read_text()).items()}
        if langs.exists()
        else None
    )
    vocab = Tokenizer.from_file(str(model_dir / TOKENIZER)).get_vocab_size()
    return _token_data(train, validation, vocab, spans or None)


def _token_data(train: np.ndarray, validation: np.ndarray, vocab: int, spans: Spans | None) -> TokenData:
    if len(train) == 0:
        raise UsageError(
            "no training text: the shards (or the chosen languages) hold no train-split documents"
        )
    return TokenData(train=train, validation=validation, vocab_size=vocab, validation_langs=spans)


def build_trainer(
    shards: Path | None,
    model_dir: Path,
    model: ModelConfig,
    config: PretrainConfig,
    tokenizer_path: str | None = None,
) -> Trainer:
    """A trainer on freshly tokenized shards (resume_trainer continues an earlier run)."""
    if shards is None:
        raise UsageError("pretrain: give SHARDS (a run's output dir), or --resume an earlier run")
    training_device(config)  # refuse a device or --compile before the work of tokenizing
    return Trainer(model_dir, prepare_data(shards, model_dir, model, config, tokenizer_path), model, config)


def resume_trainer(model_dir: Path, given: dict[str, tuple[str, object]] | None = None) -> Trainer:
    """The run in MODEL_DIR's checkpoint, to continue with the settings it was started with. `given`
    maps "model.KEY" or "pretrain.KEY" to (what chose it, e.g. "--lr", its value): one of RESUMABLE
    replaces the stored value; any other must equal it, or the resumption is refused."""
    state = load_checkpoint(model_dir)
    model, config = ModelConfig(**state["model_config"]), PretrainConfig(**state["pretrain"])
    conflicts = []
    for key, (source, value) in (given or {}).items():
        section, name = key.split(".", 1)
        if section == "pretrain" and name in RESUMABLE:
            setattr(config, name, value)
        elif value != (stored := getattr(model if section == "model" else config, name)):
            conflicts.append(f"{source} {value!r} (the checkpoint's: {stored!r})")
    if conflicts:
        raise UsageError(
            f"--resume: {', '.join(conflicts)} would change the run being resumed; drop it to continue "
            "the run, or train a new one with another -o"
        )
    trainer = Trainer(model_dir, load_data(model_dir), model, config)
    trainer.resume(state)
    return trainer


def load_model(model_dir: Path, device: str = "auto") -> tuple[GPT, Tokenizer]:
    """The trained model (in eval mode) and its tokenizer."""
    state = load_checkpoint(model_dir)
    model = GPT(ModelConfig(**state["model_config"]), state["vocab_size"])
    model.load_state_dict(state["model"])
    return model.to(resolve_device(device)).eval(), load_tokenizer(model_dir / TOKENIZER)
