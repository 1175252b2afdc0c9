"""The tokenizer `curate tokenize` encodes with, from disk only (no download): a `tokenizer.json` of
the `tokenizers` library, or a Hugging Face tokenizer folder holding one (its
`tokenizer_config.json` / `special_tokens_map.json` name the end and start tokens)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.errors import UsageError

# Tried in order when the tokenizer's folder names no end-of-document token.
END_TOKENS = ("<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>", "[SEP]")
START_TOKENS = ("<|begin_of_text|>", "<s>", "<bos>", "[CLS]")


@dataclass(frozen=True)
class TokenizerFile:
    """Where the tokenizer is, what it is (a hash of its file), and its document-boundary ids."""

    path: Path  # the tokenizer.json
    digest: str
    vocab_size: int
    eos_id: int
    bos_id: int | None  # with --bos
    name: str  # for the formats' metadata: the folder or file name, with any '|' or line break as '_'

    def load(self) -> Any:
        from tokenizers import Tokenizer

        return Tokenizer.from_file(str(self.path))


def find_tokenizer(path: str | Path, eos: str | None = None, bos: bool = False) -> TokenizerFile:
    """The tokenizer at `path` (a tokenizer.json or a folder with one); `eos` names the end token
    when the folder does not; with `bos`, documents also start with the start token."""
    given = Path(path)
    file = given / "tokenizer.json" if given.is_dir() else given
    if not file.is_file():
        raise UsageError(
            f"--tokenizer {path}: no tokenizer.json there (a tokenizers file or a Hugging Face folder)"
        )
    try:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(file))
    except Exception as exc:  # the library raises its own exception types for a bad file
        raise UsageError(f"--tokenizer {path}: not a tokenizers file: {str(exc)[:200]}") from None
    declared = _declared_tokens(file.parent) if given.is_dir() else {}
    eos_id = _token_id(
        tokenizer, [eos] if eos else [declared.get("eos_token"), *END_TOKENS], "--eos-token", path
    )
    bos_id = None
    if bos:
        bos_id = _token_id(
            tokenizer, [declared.get("bos_token"), *START_TOKENS], "--bos (a start token)", path
        )
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    name = re.sub(r"[|\r\n]", "_", given.name)  # datatrove's metadata line takes no "|" or line break
    return TokenizerFile(file, digest, tokenizer.get_vocab_size(with_added_tokens=True), eos_id, bos_id, name)


def _declared_tokens(folder: Path) -> dict[str, str]:
    """eos_token and bos_token as a Hugging Face folder declares them (a string or {"content": ...})."""
    found: dict[str, str] = {}
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for key in ("eos_token", "bos_token"):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, dict):
                value = value.get("content")
            if isinstance(value, str) and key not in found:
                found[key] = value
    return found


def _token_id(tokenizer: Any, candidates: list[str | None], option: str, path: str | Path) -> int:
    for token in candidates:
        if token and tokenizer.token_to_id(token) is not None:
            return tokenizer.token_to_id(token)
    tried = ", ".join(token for token in candidates if token)
    raise UsageError(f"--tokenizer {path}: none of {tried} is a token of it; name one with {option}")
