"""The training loop: AdamW, linear warm-up then cosine decay, gradient clipping, bf16 autocast
where the device has it, periodic validation, atomic checkpoints and exact resumption."""

from __future__ import annotations

import dataclasses
import math
import time
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


@dataclass
class TokenData:
    train: np.ndarray
    validation: np.ndarray
    vocab_size: int


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"--device {name}: no CUDA device is available (use cpu or auto)")
    return device


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
        self.device = resolve_device(config.device)
        self.dtype = autocast_dtype(config.precision, self.device)
        torch.manual_seed(config.seed)
        self.model = GPT(model_config, data.vocab_size).to(self.device)
        self.optimizer = _optimizer(self.model, config, self.device)
        self.params = self.model.num_params()
        self.steps = total_steps(config, model_config, self.params)
        self.batches = SequenceBatches(data.train, model_config.context, config.batch_size, config.seed)
        try:
            self.validation = SequenceBatches(data.validation, model_config.context, config.batch_size, 0)
        except ValueError:
            raise UsageError(
                f"the validation split holds {len(data.validation)} tokens, less than one sequence of "
                f"{model_config.context + 1}: raise pretrain.val_fraction or add data"
            ) from None
        self.step, self.history, self.elapsed = 0, [], 0.0

    def _autocast(self):
        return torch.autocast(self.device.type, dtype=self.dtype) if self.dtype else nullcontext()

    def _tensor(self, batch: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(batch.astype(np.int64)).to(self.device)

    @torch.no_grad()
    def validation_loss(self) -> float:
        self.model.eval()
        losses = []
        for batch in self.validation.in_order(self.config.eval_batches):
            with self._autocast():
                losses.append(float(self.model.loss(self._tensor(batch))))
        self.model.train()
        return float(np.mean(losses))

    def _record_eval(self, train_loss: float | None) -> dict:
        loss = self.validation_loss()
        entry = {
            "step": self.step,
            "tokens": self.step * self.tokens_per_step,
            "val_loss": round(loss, 4),
            "val_perplexity": round(math.exp(loss), 2),
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
        }
        write_atomically(self.model_dir / CHECKPOINT, lambda tmp: torch.save(state, tmp))

    def resume(self) -> None:
        path = self.model_dir / CHECKPOINT
        if not path.exists():
            raise UsageError(f"--resume: no checkpoint in {self.model_dir}")
        state = torch.load(path, map_location=self.device, weights_only=False)
        if (
            state["model_config"] != dataclasses.asdict(self.model_config)
            or state["vocab_size"] != self.data.vocab_size
        ):
            raise UsageError(
                f"--resume: {path} was trained with another model config; drop --resume or -o elsewhere"
            )
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.step, self.history, self.elapsed = state["step"], state["history"], state["elapsed"]

    def train_step(self) -> float:
        """One optimizer step on the batch of the current step; returns its loss."""
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(self.step, self.steps, self.config)
        with self._autocast():
            loss = self.model.loss(self._tensor(self.batches.batch(self.step)))
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
                    bar.write(f"step {self.step}: val loss {entry['val_loss']:.4f}")
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
            "final_train_loss": self.history[-1]["train_loss"],
            "history": self.history,
            "steps_this_run": steps_this_run,
        }
        write_json(self.model_dir / SUMMARY, summary)
        return summary
