"""Chinchilla planning (Hoffmann et al. 2022): about 20 training tokens per parameter, training
tokens = dataset tokens x epochs, training compute about 6 x parameters x tokens FLOPs."""

from __future__ import annotations

from dataclasses import dataclass

from curate.config import ModelConfig
from curate.errors import UsageError
from curate.statistics import TOKENS_PER_PARAM

FLOPS_PER_PARAM_TOKEN = 6  # forward 2 + backward 4 multiply-adds per parameter and token


@dataclass(frozen=True)
class Budget:
    params: int
    tokens: int  # training tokens
    dataset_tokens: int | None = None

    @property
    def flops(self) -> float:
        return float(FLOPS_PER_PARAM_TOKEN) * self.params * self.tokens

    @property
    def epochs(self) -> float | None:
        """Passes over the dataset the training tokens need; > 1 means the data repeats."""
        return self.tokens / self.dataset_tokens if self.dataset_tokens else None

    @property
    def optimal(self) -> bool:
        return self.tokens == TOKENS_PER_PARAM * self.params


def plan(params: int | None = None, tokens: int | None = None, dataset_tokens: int | None = None) -> Budget:
    """The compute-optimal partner of whichever of `params` and `tokens` is given (both: as given)."""
    if params is None and tokens is None:
        raise UsageError("budget: give --params or --tokens")
    if params is None:
        params = max(1, round(tokens / TOKENS_PER_PARAM))
    if tokens is None:
        tokens = TOKENS_PER_PARAM * params
    if params <= 0 or tokens <= 0:
        raise UsageError("budget: --params and --tokens must be positive")
    return Budget(params=int(params), tokens=int(tokens), dataset_tokens=dataset_tokens)


def model_params(model: ModelConfig, vocab_size: int | None = None) -> int:
    """Parameters of curate's GPT (curate.train.model): embeddings (the output head is tied to
    them), per layer attention, MLP and two layer norms, and the final layer norm."""
    d, f = model.d_model, model.d_ff
    vocab = vocab_size or model.vocab_size
    attention = 3 * d * d + 3 * d + d * d + d
    mlp = d * f + f + f * d + d
    per_layer = attention + mlp + 2 * 2 * d
    return vocab * d + model.context * d + model.layers * per_layer + 2 * d


def flops_per_token(model: ModelConfig, params: int) -> float:
    """Training FLOPs per token with attention's score and value products counted too (PaLM, appendix B):
    6N + 12 x layers x d_model x context."""
    return FLOPS_PER_PARAM_TOKEN * params + 12 * model.layers * model.d_model * model.context


def _si(number: float) -> str:
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(number) >= scale:
            return f"{number / scale:.3g}{suffix}"
    return f"{number:.3g}"


def format_budget(budget: Budget) -> str:
    lines = [
        f"parameters      {_si(budget.params):>10}  ({budget.params:,})",
        f"training tokens {_si(budget.tokens):>10}  ({budget.tokens / budget.params:.1f} per parameter"
        + (", compute-optimal)" if budget.optimal else ")"),
        f"compute         {budget.flops:>10.3g}  FLOPs (6 x parameters x tokens)",
    ]
    if budget.dataset_tokens:
        lines.append(f"dataset tokens  {_si(budget.dataset_tokens):>10}  ({budget.dataset_tokens:,})")
        lines.append(f"epochs          {budget.epochs:>10.2f}")
        if budget.epochs > 1:
            lines.append(
                f"warning: the data holds {budget.epochs:.1f}x fewer tokens than the budget; it repeats "
                f"{budget.epochs:.1f} times (a compute-optimal model for this data has about "
                f"{_si(budget.dataset_tokens / TOKENS_PER_PARAM)} parameters)"
            )
    return "\n".join(lines)
