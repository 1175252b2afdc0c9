"""Documents -> token ids separated by end-of-text -> fixed-length training sequences.

The batch of a step depends only on (seed, step), so a resumed run sees exactly the batches an
uninterrupted one would."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import numpy as np
from tokenizers import Tokenizer

from curate.train.tokenizer import end_of_text_id


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(texts)
    while chunk := list(islice(iterator, size)):
        yield chunk


def encode_documents(tokenizer: Tokenizer, texts: Iterable[str], batch: int = 512) -> np.ndarray:
    """All documents' ids in one array, each followed by the end-of-text id."""
    eot = end_of_text_id(tokenizer)
    parts: list[np.ndarray] = []
    for chunk in _chunks(texts, batch):
        for encoding in tokenizer.encode_batch(chunk):
            parts.append(np.asarray(encoding.ids + [eot], dtype=np.int32))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


def sample_documents(tokens: np.ndarray, eot: int, target: int, seed: int) -> np.ndarray:
    """Whole documents of `tokens` (each ending with `eot`) in a seeded random order, until they
    hold at least `target` tokens."""
    documents = np.split(tokens, np.flatnonzero(tokens == eot) + 1)[:-1]  # the last piece is empty
    order = np.random.default_rng(seed).permutation(len(documents))
    lengths = np.cumsum([len(documents[i]) for i in order])
    taken = order[: int(np.searchsorted(lengths, target)) + 1]
    return np.concatenate([documents[i] for i in taken]) if len(taken) else tokens[:0]


class SequenceBatches:
    """Non-overlapping windows of context + 1 tokens (inputs and next-token targets), visited in a
    seeded random order, a new order each epoch."""

    def __init__(self, tokens: np.ndarray, context: int, batch_size: int, seed: int) -> None:
        self.windows = (len(tokens) - 1) // context
        if self.windows < 1:
            raise ValueError(f"{len(tokens)} tokens do not fill one sequence of {context + 1}")
        self.tokens, self.context, self.batch_size, self.seed = tokens, context, batch_size, seed
        self._epoch_order: tuple[int, np.ndarray] = (-1, np.zeros(0, dtype=np.int64))

    def _order(self, epoch: int) -> np.ndarray:
        if self._epoch_order[0] != epoch:
            self._epoch_order = (epoch, np.random.default_rng([self.seed, epoch]).permutation(self.windows))
        return self._epoch_order[1]

    def batch(self, step: int) -> np.ndarray:
        """Shape (batch_size, context + 1) for training step `step` (0-based)."""
        positions = np.arange(step * self.batch_size, (step + 1) * self.batch_size)
        picks = np.array([self._order(int(p // self.windows))[p % self.windows] for p in positions])
        return self._windows(picks)

    def _windows(self, picks: np.ndarray) -> np.ndarray:
        offsets = picks[:, None] * self.context + np.arange(self.context + 1)
        return self.tokens[offsets]
