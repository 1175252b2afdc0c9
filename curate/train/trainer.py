"""The training loop: AdamW, linear warm-up then cosine decay, gradient clipping, bf16 autocast
where the device has it, periodic validation of every language held out, atomic checkpoints and
exact resumption."""

from __future__ import annotations

import dataclasses
import itertools
import math
import sys
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from curate.atomic import write_atomically, write_json
from curate.config import ModelConfig, PretrainConfig
from curate.errors import UsageError
from curate.train.budget import flops_per_token, plan
from curate.train.model import GPT
from curate.train.packing import SequenceBatches

CHECKPOINT = "checkpoint.pt"
SUMMARY = "summary.json"
# Settings a resumed run may change (where it runs, how often it reports); the others define the run.
RESUMABLE = ("device", "threads", "compile", "eval_every", "checkpoint_every")
# The name validation losses go by when the languages of the validation tokens are not known.
ALL = "all"

Spans = dict[str, tuple[int, int]]  # language -> [start, end) of its tokens in the validation array
Windows = dict[str, list[tuple[int, int]]]  # language -> (start, length) of the windows scored


@dataclass
class TokenData:
    train: np.ndarray
    validation: np.ndarray
    vocab_size: int
    validation_langs: Spans | None = None  # None: one group, ALL


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"--device {name}: no CUDA device is available (use cpu or auto)")
    return device


def training_device(config: PretrainConfig) -> torch.device:
    """The device to train on; --compile is refused off CUDA, where it is not supported here."""
    device = resolve_device(config.device)
    if config.compile and device.type != "cuda":
        raise UsageError(f"--compile: torch.compile is used on CUDA only, and this run is on {device.type}")
    return device


def load_checkpoint(model_dir: Path) -> dict:
    """MODEL_DIR's checkpoint, on the CPU (the random state must be there; weights move on loading)."""
    path = model_dir / CHECKPOINT
    if not path.exists():
        raise UsageError(
            f"{model_dir}: no {CHECKPOINT}; train one with `curate pretrain SHARDS -o {model_dir}`"
        )
    return torch.load(path, map_location="cpu", weights_only=False)


def run_settings(pretrain: dict) -> dict:
    """The [pretrain] settings that define a run: all but RESUMABLE."""
    return {key: value for key, value in pretrain.items() if key not in RESUMABLE}


def _rng_state(device: torch.device) -> dict:
    """What dropout draws from, so that a resumed run draws as an uninterrupted one would. The batches
    need nothing (they are a function of seed and step); numpy's and Python's global generators are
    not used."""
    state = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict, device: torch.device) -> None:
    torch.set_rng_state(state["torch"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def validation_windows(spans: Spans, context: int, limit: int) -> Windows:
    """Windows of up to context + 1 tokens over each language's tokens, every token a target in one:
    all of them, or where they are more than `limit`, about `limit` of them, each language's share in
    proportion to its windows (at least one) and taken from the middle of equal stretches of its
    tokens, so that no language and no run of documents is left out. The same every time."""
    every = {
        lang: [(start, min(context + 1, end - start)) for start in range(begin, end - 1, context)]
        for lang, (begin, end) in spans.items()
        if end - begin > 1
    }
    total = sum(len(windows) for windows in every.values())
    if total <= limit:
        return every
    return {
        lang: _spread(windows, max(1, round(limit * len(windows) / total))) for lang, windows in every.items()
    }


def _spread(windows: list[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """`count` of `windows`: the middle one of each of `count` equal stretches."""
    return [windows[int((i + 0.5) * len(windows) / count)] for i in range(count)]


def _batches(windows: list[tuple[int, int]], size: int) -> Iterator[list[tuple[int, int]]]:
    """`windows` in batches of up to `size`, each of one window length (a batch is one tensor)."""
    for _, group in itertools.groupby(windows, key=lambda window: window[1]):
        group = list(group)
        yield from (group[start : start + size] for start in range(0, len(group), size))


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """bf16 under autocast, or None for fp32. `auto` uses bf16 only on a GPU that supports it."""
    if precision == "bf16" or (
        precision == "auto" and device.type == "cuda" and torch.cuda.is_bf16_supported()
    ):
        return torch.bfloat16
    return None


def learning_rate(step: int, steps: int, config: PretrainConfig) -> float:
    warmup = min(config.warmup_steps, steps // 10)
    if step < warmup:
        return config.lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    floor = config.lr * config.min_lr_ratio
    return floor + (config.lr - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def _optimizer(model: GPT, config: PretrainConfig, device: torch.device) -> torch.optim.AdamW:
    # Weight decay on matrices and embeddings only, not on biases and layer-norm gains.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.95), fused=device.type == "cuda")


def total_steps(config: PretrainConfig, model: ModelConfig, params: int) -> int:
    if config.steps:
        return config.steps
    tokens = plan(params=params, tokens=config.tokens or None).tokens
    return max(1, math.ceil(tokens / (config.batch_size * model.context)))


class Trainer:
    def __init__(
        self, model_dir: Path, data: TokenData, model_config: ModelConfig, config: PretrainConfig
    ) -> None:
        self.model_dir, self.data, self.model_config, self.config = model_dir, data, model_config, config
        self.device = training_device(config)
        if config.threads:
            torch.set_num_threads(config.threads)
        self.dtype = autocast_dtype(config.precision, self.device)
        torch.manual_seed(config.seed)
        self.model = GPT(model_config, data.vocab_size).to(self.device)
        # Only the training step is compiled: validation windows of other lengths would recompile it.
        self._loss = torch.compile(self.model.loss) if config.compile else self.model.loss
        self.optimizer = _optimizer(self.model, config, self.device)
        self.params = self.model.num_params()
        self.steps = total_steps(config, model_config, self.params)
        self.batches = SequenceBatches(data.train, model_config.context, config.batch_size, config.seed)
        self.spans = data.validation_langs or {ALL: (0, len(data.validation))}
        limit = config.eval_batches * config.batch_size
        self.validation = validation_windows(self.spans, model_config.context, limit)
        if not self.validation:
            raise UsageError(
                f"the validation split holds {len(data.validation)} tokens, too few to score: "
                "raise pretrain.val_fraction or add data"
            )
        self.step, self.history, self.elapsed = 0, [], 0.0

    def _autocast(self):
        return torch.autocast(self.device.type, dtype=self.dtype) if self.dtype else nullcontext()

    def _tensor(self, batch: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(batch.astype(np.int64)).to(self.device)

    @torch.no_grad()
    def validation_loss(self) -> tuple[float, dict[str, float]]:
        """The mean loss per token of the validation split, and of each language in it. The split's
        weighs the languages by their tokens in it, so that a sample of the windows (see
        validation_windows) weighs them as the whole split would."""
        self.model.eval()
        by_lang = {lang: self._mean_loss(windows) for lang, windows in self.validation.items()}
        self.model.train()
        targets = {lang: self.spans[lang][1] - self.spans[lang][0] - 1 for lang in by_lang}
        return sum(targets[lang] * by_lang[lang] for lang in by_lang) / sum(targets.values()), by_lang

    def _mean_loss(self, windows: list[tuple[int, int]]) -> float:
        total, count = 0.0, 0
        for batch in _batches(windows, self.config.batch_size):
            tokens = np.stack([self.data.validation[start : start + length] for start, length in batch])
            with self._autocast():
                total += float(self.model.loss(self._tensor(tokens), reduction="sum"))
            count += tokens.size - len(batch)  # each window's tokens but the first are targets
        return total / count

    def _record_eval(self, train_loss: float | None) -> dict:
        loss, by_lang = self.validation_loss()
        entry = {
            "step": self.step,
            "tokens": self.step * self.tokens_per_step,
            "val_loss": round(loss, 4),
            "val_perplexity": round(math.exp(loss), 2),
            "val_loss_by_lang": {lang: round(value, 4) for lang, value in by_lang.items()},
            "train_loss": train_loss,
        }
        self.history.append(entry)
        return entry

    @property
    def tokens_per_step(self) -> int:
        return self.config.batch_size * self.model_config.context

    def save(self) -> None:
        state = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "step": self.step,
            "model_config": dataclasses.asdict(self.model_config),
            "vocab_size": self.data.vocab_size,
            "pretrain": dataclasses.asdict(self.config),
            "history": self.history,
            "elapsed": self.elapsed,
            "rng": _rng_state(self.device),
        }
        write_atomically(self.model_dir / CHECKPOINT, lambda tmp: torch.save(state, tmp))

    def resume(self, state: dict | None = None) -> None:
        """Continue from the checkpoint in MODEL_DIR (`state`: it, already loaded): weights, optimizer,
        step, history and random state. It must be of this model and these run settings."""
        state = state or load_checkpoint(self.model_dir)
        path = self.model_dir / CHECKPOINT
        if (
            state["model_config"] != dataclasses.asdict(self.model_config)
            or state["vocab_size"] != self.data.vocab_size
        ):
            raise UsageError(
                f"--resume: {path} was trained with another model config; drop --resume or -o elsewhere"
            )
        if run_settings(state["pretrain"]) != run_settings(dataclasses.asdict(self.config)):
            raise UsageError(
                f"--resume: {path} was trained with other [pretrain] settings; drop --resume or -o elsewhere"
            )
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.step, self.history, self.elapsed = state["step"], state["history"], state["elapsed"]
        if "rng" in state:  # checkpoints written before it was stored resume without it
            _set_rng_state(state["rng"], self.device)

    def train_step(self) -> float:
        """One optimizer step on the batch of the current step; returns its loss."""
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(self.step, self.steps, self.config)
        with self._autocast():
            loss = self._loss(self._tensor(self.batches.batch(self.step)))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_clip)
        self.optimizer.step()
        self.step += 1
        return loss.item()  # waits for the device, so timings around a step are honest

    def _tick(self) -> None:
        """Add the wall time since the last tick to `elapsed` (kept across resumptions)."""
        now = time.perf_counter()
        self.elapsed += now - self._clock
        self._clock = now

    def train(self, show_progress: bool = True) -> dict:
        if not self.history:
            self._record_eval(None)  # the starting point, before any update
        self._clock = started = time.perf_counter()
        first_step = self.step
        train_loss = None
        bar = tqdm(
            total=self.steps, initial=self.step, unit="step", disable=not show_progress, desc="pretrain"
        )
        self.model.train()
        while self.step < self.steps:
            train_loss = round(self.train_step(), 4)
            seconds = time.perf_counter() - started
            bar.update(1)
            bar.set_postfix(
                loss=f"{train_loss:.3f}",
                tok_s=f"{(self.step - first_step) * self.tokens_per_step / seconds:,.0f}",
            )
            if self.step % self.config.eval_every == 0 or self.step == self.steps:
                entry = self._record_eval(train_loss)
                if show_progress:
                    bar.write(f"step {self.step}: val loss {entry['val_loss']:.4f}", file=sys.stderr)
            if self.step % self.config.checkpoint_every == 0 or self.step == self.steps:
                self._tick()
                self.save()
        bar.close()
        return self.summary(self.step - first_step)

    def summary(self, steps_this_run: int) -> dict:
        tokens = self.step * self.tokens_per_step
        summary = {
            "params": self.params,
            "vocab_size": self.data.vocab_size,
            "model": dataclasses.asdict(self.model_config),
            "device": str(self.device),
            "precision": "bf16" if self.dtype else "fp32",
            "dataset_tokens": {
                "train": int(len(self.data.train)),
                "validation": int(len(self.data.validation)),
                "validation_by_lang": {lang: end - start for lang, (start, end) in self.spans.items()},
            },
            "steps": self.step,
            "training_tokens": tokens,
            "epochs": round(tokens / max(1, len(self.data.train)), 3),
            "flops": float(6 * self.params * tokens),
            "flops_with_attention": float(flops_per_token(self.model_config, self.params) * tokens),
            "seconds": round(self.elapsed, 2),
            "tokens_per_second": round(tokens / self.elapsed, 1) if self.elapsed else None,
            "initial_val_loss": self.history[0]["val_loss"],
            "final_val_loss": self.history[-1]["val_loss"],
            "final_val_perplexity": self.history[-1]["val_perplexity"],
            # A checkpoint from before per-language losses has none in its history.
            "final_val_loss_by_lang": self.history[-1].get("val_loss_by_lang"),
            "final_train_loss": self.history[-1]["train_loss"],
            "history": self.history,
            "steps_this_run": steps_this_run,
        }
        write_json(self.model_dir / SUMMARY, summary)
        return summary
