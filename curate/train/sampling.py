"""Drawing text from a trained model: greedy, temperature, top-k and top-p (nucleus) sampling,
stop strings, per-token log-probabilities, and best-of-n ranking by mean log-probability.

Log-probabilities are the model's own (temperature 1, nothing truncated), so they measure how
likely the model finds the text, whatever setting drew it. What ended a sample (the end-of-text
token, or the token(s) completing a stop string) is scored with it: ending is the model's choice
too, and a sample that ends at once scores by that choice alone, not as an empty 0."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from tokenizers import Tokenizer

from curate.train.model import GPT
from curate.train.tokenizer import end_of_text_id


class SettingError(ValueError):
    """A sampling argument out of its range; `name` is the argument's, `allowed` what it may be."""

    def __init__(self, name: str, allowed: str, value: object) -> None:
        super().__init__(f"{name} must be {allowed}, got {value!r}")
        self.name, self.allowed, self.value = name, allowed, value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_n(n: object) -> None:
    """The number of samples best_of draws: at least one."""
    if not (_is_int(n) and n >= 1):
        raise SettingError("n", "an integer >= 1", n)


@dataclass(frozen=True)
class SamplingSettings:
    temperature: float = 1.0  # 0: greedy
    top_k: int = 0  # keep only the k most likely tokens (0: all)
    top_p: float = 1.0  # keep the smallest set of most likely tokens whose probability reaches p
    max_tokens: int = 100
    stop: tuple[str, ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        t, k, p = self.temperature, self.top_k, self.top_p
        self._check("temperature", _is_number(t) and 0 <= t < math.inf, "a finite number >= 0 (0: greedy)")
        self._check("top_k", _is_int(k) and k >= 0, "an integer >= 0 (0: no limit)")
        self._check("top_p", _is_number(p) and 0 < p <= 1, "in (0, 1] (1: no limit)")
        self._check("max_tokens", _is_int(self.max_tokens) and self.max_tokens >= 1, "an integer >= 1")
        stops = isinstance(self.stop, tuple) and all(isinstance(s, str) and s for s in self.stop)
        self._check("stop", stops, "a tuple of non-empty strings")
        self._check("seed", _is_int(self.seed), "an integer")

    def _check(self, name: str, ok: bool, allowed: str) -> None:
        if not ok:
            raise SettingError(name, allowed, getattr(self, name))


@dataclass
class Sample:
    text: str
    ids: list[int]  # the continuation's token ids, without those in end_ids
    tokens: list[str]  # each id decoded on its own
    logprobs: list[float] = field(default_factory=list)
    stopped_by: str = "max_tokens"  # max_tokens, end_of_text or the stop string
    # What ended it: [end-of-text], the token(s) completing the stop string (the text keeps what of
    # them comes before the stop), or nothing at max_tokens; and their log-probabilities.
    end_ids: list[int] = field(default_factory=list)
    end_logprobs: list[float] = field(default_factory=list)

    @property
    def total_logprob(self) -> float:
        """The log-probability of all the model generated, its ending included."""
        return float(sum(self.logprobs) + sum(self.end_logprobs))

    @property
    def mean_logprob(self) -> float:
        """Per token generated, the ending's included: never empty, since max_tokens >= 1."""
        return self.total_logprob / (len(self.logprobs) + len(self.end_logprobs))


def next_token_probs(logits: torch.Tensor, settings: SamplingSettings) -> torch.Tensor:
    """The distribution a token is drawn from, given the last position's logits (..., vocab)."""
    logits = logits.float()
    if settings.temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    logits = logits / settings.temperature
    if 0 < settings.top_k < logits.shape[-1]:
        kth = torch.topk(logits, settings.top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    if settings.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
        before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs  # mass of the more likely tokens
        sorted_probs = sorted_probs.masked_fill(before >= settings.top_p, 0.0)  # already reached p
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
        probs = probs / probs.sum(-1, keepdim=True)
    return probs


@torch.no_grad()
def generate(
    model: GPT,
    tokenizer: Tokenizer,
    prompt: str,
    settings: SamplingSettings,
    generator: torch.Generator | None = None,
) -> Sample:
    """One continuation of `prompt`. Without `generator`, one seeded by settings.seed."""
    device = next(model.parameters()).device
    if generator is None:
        generator = torch.Generator(device="cpu").manual_seed(settings.seed)
    eot = end_of_text_id(tokenizer)
    context = tokenizer.encode(prompt).ids or [eot]  # an empty prompt starts a new document
    ids: list[int] = []  # generated, the ending included
    logprobs: list[float] = []
    model.eval()
    for _ in range(settings.max_tokens):
        window = torch.tensor([(context + ids)[-model.config.context :]], device=device)
        logits = model(window)[0, -1].float().cpu()
        token = int(torch.multinomial(next_token_probs(logits, settings), 1, generator=generator))
        ids.append(token)
        logprobs.append(float(torch.log_softmax(logits, -1)[token]))
        if token == eot:
            return _sample(tokenizer, tokenizer.decode(ids[:-1]), ids, logprobs, len(ids) - 1, "end_of_text")
        text = tokenizer.decode(ids)
        if stop := first_stop(text, settings.stop):
            cut = text[: text.index(stop)]
            return _sample(tokenizer, cut, ids, logprobs, _tokens_before(tokenizer, ids, len(cut)), stop)
    return _sample(tokenizer, tokenizer.decode(ids), ids, logprobs, len(ids), "max_tokens")


def first_stop(text: str, stops: tuple[str, ...]) -> str | None:
    """The stop string occurring first in `text` (of two at one place, the longer), or None."""
    found = [(text.find(stop), -len(stop), stop) for stop in stops if stop in text]
    return min(found)[2] if found else None


def _tokens_before(tokenizer: Tokenizer, ids: list[int], end: int) -> int:
    """How many of `ids` decode to text ending at or before character `end`, the start of the stop
    string: the others hold part of it."""
    kept = len(ids) - 1  # the last token completed the stop string
    while kept and len(tokenizer.decode(ids[:kept])) > end:
        kept -= 1
    return kept


def _sample(
    tokenizer: Tokenizer, text: str, ids: list[int], logprobs: list[float], kept: int, stopped_by: str
) -> Sample:
    """The Sample of generated `ids`: the first `kept` its continuation, the others its ending."""
    tokens = [tokenizer.decode([i]) for i in ids[:kept]]
    return Sample(text, ids[:kept], tokens, logprobs[:kept], stopped_by, ids[kept:], logprobs[kept:])


def best_of(
    model: GPT, tokenizer: Tokenizer, prompt: str, settings: SamplingSettings, n: int
) -> list[Sample]:
    """`n` samples from one seeded generator, the highest mean log-probability (their endings
    counted, see Sample.mean_logprob) first."""
    check_n(n)
    generator = torch.Generator(device="cpu").manual_seed(settings.seed)
    samples = [generate(model, tokenizer, prompt, settings, generator) for _ in range(n)]
    return sorted(samples, key=lambda s: s.mean_logprob, reverse=True)


@torch.no_grad()
def continuation_logprobs(model: GPT, prompt_ids: list[int], continuation_ids: list[int]) -> list[float]:
    """Each continuation token's log-probability given everything before it, in one forward pass
    (prompt and continuation together must fit the context)."""
    device = next(model.parameters()).device
    ids = torch.tensor([prompt_ids + continuation_ids], device=device)
    model.eval()
    logprobs = torch.log_softmax(model(ids[:, :-1])[0].float(), -1)
    start = len(prompt_ids) - 1
    targets = ids[0, len(prompt_ids) :]
    return logprobs[start:].gather(-1, targets[:, None])[:, 0].cpu().tolist()
