"""The `[model]` and `[pretrain]` tables of the config: plain dataclasses, importable without torch."""

from __future__ import annotations

from dataclasses import dataclass, field


def _require(ok: bool, key: str, allowed: str) -> None:
    if not ok:
        from curate.errors import UsageError

        raise UsageError(f"config: {key} is out of range (allowed: {allowed})")


@dataclass
class ModelConfig:
    """A decoder-only transformer; the default (about 1.3M parameters) trains in minutes on a CPU."""

    layers: int = 4
    d_model: int = 128
    heads: int = 4
    d_ff: int = 512
    context: int = 128  # tokens per sequence
    vocab_size: int = 4096  # the byte-level BPE tokenizer is trained to this size (or fewer, on little text)
    dropout: float = 0.0

    def validate(self) -> None:
        _require(self.layers >= 1, "model.layers", ">= 1")
        _require(self.heads >= 1 and self.d_model % self.heads == 0, "model.heads", "a divisor of d_model")
        _require(self.d_ff >= 1, "model.d_ff", ">= 1")
        _require(self.context >= 2, "model.context", ">= 2")
        _require(self.vocab_size >= 257, "model.vocab_size", ">= 257 (256 bytes + end of text)")
        _require(0 <= self.dropout < 1, "model.dropout", "0..1")


@dataclass
class PretrainConfig:
    """Data mixture and optimisation. The token budget defaults to Chinchilla's 20 per parameter."""

    langs: list[str] = field(default_factory=list)  # train on these languages only (empty: all)
    weights: dict[str, float] = field(default_factory=dict)  # mixture by language (empty: as found)
    val_fraction: float = 0.05  # documents held out for validation, chosen by a hash of their id
    tokens: int = 0  # training tokens; 0: 20 x parameters (Chinchilla)
    steps: int = 0  # overrides `tokens` when > 0
    batch_size: int = 16
    lr: float = 1e-3
    min_lr_ratio: float = 0.1  # cosine decay ends at lr x this
    warmup_steps: int = 100  # at most a tenth of the run
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 100  # steps between validation passes
    eval_batches: int = 20
    checkpoint_every: int = 200
    seed: int = 0
    device: str = "auto"  # auto: cuda when present, else cpu
    precision: str = "auto"  # auto: bf16 on a GPU that supports it, else fp32; or fp32, bf16

    def validate(self) -> None:
        for lang, weight in self.weights.items():
            _require(weight > 0, f"pretrain.weights.{lang}", "> 0")
        _require(0 < self.val_fraction < 1, "pretrain.val_fraction", "0..1, exclusive")
        _require(self.tokens >= 0 and self.steps >= 0, "pretrain.tokens", ">= 0")
        _require(self.batch_size >= 1, "pretrain.batch_size", ">= 1")
        _require(self.lr > 0 and 0 <= self.min_lr_ratio <= 1, "pretrain.lr", "lr > 0, min_lr_ratio 0..1")
        _require(self.warmup_steps >= 0 and self.weight_decay >= 0, "pretrain.warmup_steps", ">= 0")
        _require(self.grad_clip > 0, "pretrain.grad_clip", "> 0")
        _require(
            min(self.eval_every, self.eval_batches, self.checkpoint_every) >= 1,
            "pretrain.eval_every",
            "eval_every, eval_batches, checkpoint_every >= 1",
        )
        _require(
            self.device in ("auto", "cpu", "cuda", "mps") or self.device.startswith("cuda:"),
            "pretrain.device",
            "auto, cpu, cuda, cuda:N, mps",
        )
        _require(self.precision in ("auto", "fp32", "bf16"), "pretrain.precision", "auto, fp32, bf16")
