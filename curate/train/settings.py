"""The `[model]` and `[pretrain]` tables of the config: plain dataclasses, importable without torch.

Each field declares what it allows (filters.ranges); `validate` adds the checks that span fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from filters.ranges import RATIO, within


def _require(ok: bool, key: str, allowed: str) -> None:
    if not ok:
        from curate.errors import UsageError

        raise UsageError(f"config: {key} is out of range (allowed: {allowed})")


@dataclass
class ModelConfig:
    """A decoder-only transformer; the default (about 1.3M parameters) trains in minutes on a CPU."""

    layers: int = field(default=4, metadata=within(1, 256))
    d_model: int = field(default=128, metadata=within(1, 1 << 16))
    heads: int = field(default=4, metadata=within(1, 1024))
    d_ff: int = field(default=512, metadata=within(1, 1 << 20))
    context: int = field(default=128, metadata=within(2, 1 << 20))  # tokens per sequence
    # the byte-level BPE tokenizer is trained to this size (or fewer, on little text)
    vocab_size: int = field(default=4096, metadata=within(257, 1 << 24))
    dropout: float = field(default=0.0, metadata=within(0, 1))

    def validate(self) -> None:
        _require(self.d_model % self.heads == 0, "model.heads", "a divisor of d_model")
        _require(self.dropout < 1, "model.dropout", "0..1, below 1")


@dataclass
class PretrainConfig:
    """Data mixture and optimisation. The token budget defaults to Chinchilla's 20 per parameter."""

    langs: list[str] = field(default_factory=list)  # train on these languages only (empty: all)
    # mixture by language (empty: as found)
    weights: dict[str, float] = field(default_factory=dict, metadata=within(0, 10**6, exclusive=True))
    # documents held out for validation, chosen by a hash of their id
    val_fraction: float = field(default=0.05, metadata=within(0, 1, exclusive=True))
    tokens: int = field(default=0, metadata=within(0, 10**15))  # training tokens; 0: 20 x parameters
    steps: int = field(default=0, metadata=within(0, 10**9))  # overrides `tokens` when > 0
    batch_size: int = field(default=16, metadata=within(1, 1 << 20))
    lr: float = field(default=1e-3, metadata=within(0, 10, exclusive=True))
    min_lr_ratio: float = field(default=0.1, metadata=RATIO)  # cosine decay ends at lr x this
    warmup_steps: int = field(default=100, metadata=within(0, 10**9))  # at most a tenth of the run
    weight_decay: float = field(default=0.1, metadata=within(0, 10))
    grad_clip: float = field(default=1.0, metadata=within(0, 10**6, exclusive=True))
    eval_every: int = field(default=100, metadata=within(1, 10**9))  # steps between validation passes
    eval_batches: int = field(default=20, metadata=within(1, 10**6))
    checkpoint_every: int = field(default=200, metadata=within(1, 10**9))
    seed: int = field(default=0, metadata=within(0, 2**32 - 1))  # what numpy and torch seeds accept
    device: str = "auto"  # auto: cuda when present, else cpu
    precision: str = "auto"  # auto: bf16 on a GPU that supports it, else fp32; or fp32, bf16

    def validate(self) -> None:
        _require(
            self.device in ("auto", "cpu", "cuda", "mps") or self.device.startswith("cuda:"),
            "pretrain.device",
            "auto, cpu, cuda, cuda:N, mps",
        )
        _require(self.precision in ("auto", "fp32", "bf16"), "pretrain.precision", "auto, fp32, bf16")
