"""Training text from a `curate tokenize` folder instead of shards: its documents, already encoded,
split into train and validation.

A document goes to validation when the hash of its token ids falls in the first `fraction` of the
hash space: a mixture's repeated copies of a document hash alike, so none of them trains while
another is scored. Per-language outputs (TOKENS/lang-xx/) keep their language for the validation
loss per language; a mixture's documents are one group.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from curate.errors import UsageError
from curate.tokenize import formats
from curate.tokenize.job import MIXTURE, RECORD, read_record

HASH_SPACE = 1 << 64
LANG_PREFIX = "lang-"


def chosen_outputs(record: dict[str, Any], langs: list[str] | None) -> list[str]:
    """The outputs trained on: the mixture, or the languages asked for (else every language)."""
    outputs = sorted(record["outputs"])
    if MIXTURE in outputs:
        if langs:
            raise UsageError(
                "--langs: these tokens are one mixture (curate tokenize --weights); drop --langs"
            )
        return [MIXTURE]
    if not langs:
        return outputs
    missing = [lang for lang in langs if f"{LANG_PREFIX}{lang}" not in outputs]
    if missing:
        found = ", ".join(name.removeprefix(LANG_PREFIX) for name in outputs)
        raise UsageError(f"--langs: no tokens of {', '.join(missing)} (found {found})")
    return [f"{LANG_PREFIX}{lang}" for lang in langs]


def document_hash(document: np.ndarray) -> int:
    ids = np.ascontiguousarray(document, dtype=np.uint32).tobytes()
    return int.from_bytes(hashlib.blake2b(ids, digest_size=8).digest(), "big")


def split_tokens(
    folder: Path, fraction: float, langs: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, tuple[int, int]] | None]:
    """(train ids, validation ids, where each language's validation ids lie, or None for a
    mixture) of the folder's chosen outputs, documents in their written order. The cut-off is
    widened to hold out at least one document, so that a tiny folder still has a validation set."""
    record = read_record(Path(folder))
    if record is None:
        raise UsageError(f"{folder}: not a finished `curate tokenize` folder (no {RECORD})")
    documents = [
        (name, document)
        for name in chosen_outputs(record, langs)
        for path in formats.data_files(Path(folder) / name, record["settings"]["format"])
        for document in formats.read_documents(path)
    ]
    hashes = [document_hash(document) for _, document in documents]
    cutoff = max(int(fraction * HASH_SPACE), min(hashes, default=0) + 1)
    train, validation, spans, held = [], [], {}, 0
    for (name, document), key in zip(documents, hashes):
        if key >= cutoff:
            train.append(document)
            continue
        first, _ = spans.get(name, (held, held))
        held += len(document)
        spans[name] = (first, held)
        validation.append(document)
    by_language = {name.removeprefix(LANG_PREFIX): span for name, span in spans.items() if name != MIXTURE}
    return _ids(train), _ids(validation), by_language or None


def _ids(documents: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(documents).astype(np.int32) if documents else np.zeros(0, dtype=np.int32)
