"""Drawing text from a trained model: greedy, temperature, top-k and top-p (nucleus) sampling,
stop strings, per-token log-probabilities, and best-of-n ranking by mean log-probability.

Log-probabilities are the model's own (temperature 1, nothing truncated), so they measure how
likely the model finds the text, whatever setting drew it."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from tokenizers import Tokenizer

from curate.train.model import GPT
from curate.train.tokenizer import end_of_text_id


@dataclass(frozen=True)
class SamplingSettings:
    temperature: float = 1.0  # 0: greedy
    top_k: int = 0  # keep only the k most likely tokens (0: all)
    top_p: float = 1.0  # keep the smallest set of most likely tokens whose probability reaches p
    max_tokens: int = 100
    stop: tuple[str, ...] = ()
    seed: int = 0


@dataclass
class Sample:
    text: str
    ids: list[int]  # the continuation's token ids (without the end-of-text or stop that ended it)
    tokens: list[str]  # each id decoded on its own
    logprobs: list[float] = field(default_factory=list)
    stopped_by: str = "max_tokens"  # max_tokens, end_of_text or the stop string

    @property
    def total_logprob(self) -> float:
        return float(sum(self.logprobs))

    @property
    def mean_logprob(self) -> float:
        return self.total_logprob / len(self.logprobs) if self.logprobs else 0.0


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
    new_ids: list[int] = []
    logprobs: list[float] = []
    stopped_by = "max_tokens"
    model.eval()
    for _ in range(settings.max_tokens):
        window = torch.tensor([(context + new_ids)[-model.config.context :]], device=device)
        logits = model(window)[0, -1].float().cpu()
        token = int(torch.multinomial(next_token_probs(logits, settings), 1, generator=generator))
        if token == eot:
            stopped_by = "end_of_text"
            break
        new_ids.append(token)
        logprobs.append(float(torch.log_softmax(logits, -1)[token]))
        text = tokenizer.decode(new_ids)
        hit = next((s for s in settings.stop if s in text), None)
        if hit:
            stopped_by = hit
            break
    text = tokenizer.decode(new_ids)
    if stopped_by in settings.stop:
        text = text[: text.index(stopped_by)]
    return Sample(text, new_ids, [tokenizer.decode([i]) for i in new_ids], logprobs, stopped_by)


def best_of(
    model: GPT, tokenizer: Tokenizer, prompt: str, settings: SamplingSettings, n: int
) -> list[Sample]:
    """`n` samples from one seeded generator, the highest mean log-probability first."""
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
