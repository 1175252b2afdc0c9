"""One task of `curate tokenize`: a final shard's documents encoded into a part, the unit of resuming.

A part is a folder `TOKENS/parts/<key>/`: `ids.u32` (every document's token ids back to back,
little-endian uint32, with the end token and optional start token already in; a null text is
encoded as an empty one), `docs.parquet` (per document: id, domain, start and length in tokens,
in the shard's order; its language is its shard folder's, job.py) and `part.json`, written last,
naming the shard, its size and what it was encoded with. The folder is written under a temporary
name and renamed whole, so a part either exists complete or not at all; a part whose `part.json`
matches the shard and the settings is not encoded again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curate.executors.worker import resource
from curate.shards import row_groups

TOKEN_DTYPE = np.dtype("<u4")
DOC_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("domain", pa.string()),
        ("start", pa.int64()),
        ("length", pa.int64()),
    ]
)
# Texts encoded per call: encode_batch spreads one call over the tokenizer's threads.
ENCODE_BATCH = 256


def part_key(shard: Path, shards_root: Path) -> str:
    """A stable folder name for the part of `shard`: its path under the shards folder, hashed."""
    relative = shard.resolve().relative_to(shards_root.resolve()).as_posix()
    return hashlib.blake2b(relative.encode(), digest_size=10).hexdigest()


def part_record(shard: Path, settings: dict[str, Any]) -> dict[str, Any]:
    """What a finished part must match to be reused: the shard (path, size) and the settings."""
    return {"shard": str(shard.resolve()), "shard_bytes": shard.stat().st_size, **settings}


def part_is_done(folder: Path, record: dict[str, Any]) -> bool:
    try:
        done = json.loads((folder / "part.json").read_text())
    except (OSError, ValueError):
        return False
    return {key: done.get(key) for key in record} == record


def encode_shard(shard: str, folder: str, record: dict[str, Any]) -> dict[str, Any]:
    """Encode one shard into the part `folder` (a task: the worker's tokenizer is `resource()`);
    returns the part's totals."""
    tokenizer, eos_id, bos_id = resource()
    target = Path(folder)
    if part_is_done(target, record):
        return json.loads((target / "part.json").read_text())["totals"]
    temporary = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    columns: dict[str, list] = {name: [] for name in DOC_SCHEMA.names}
    position = 0
    start_ids = [bos_id] if bos_id is not None else []
    with open(temporary / "ids.u32", "wb") as ids_file:
        for table in row_groups(Path(shard), ["id", "text", "domain"]):
            rows = table.to_pydict()
            texts = [text or "" for text in rows["text"]]  # a null text: a document of its end token
            for start in range(0, len(rows["id"]), ENCODE_BATCH):
                batch = slice(start, start + ENCODE_BATCH)
                documents = [
                    start_ids + encoding.ids + [eos_id]
                    for encoding in tokenizer.encode_batch(texts[batch], add_special_tokens=False)
                ]
                lengths = [len(document) for document in documents]
                flat = np.fromiter(chain.from_iterable(documents), dtype=TOKEN_DTYPE, count=sum(lengths))
                flat.tofile(ids_file)
                columns["start"] += (position + np.cumsum([0, *lengths[:-1]])).tolist()
                columns["length"] += lengths
                position += sum(lengths)
                for name in ("id", "domain"):
                    columns[name] += rows.get(name, [None] * len(rows["id"]))[batch]
    pq.write_table(pa.table(columns, schema=DOC_SCHEMA), temporary / "docs.parquet")
    totals = {"documents": len(columns["id"]), "tokens": position}
    (temporary / "part.json").write_text(json.dumps({**record, "totals": totals}))
    shutil.rmtree(target, ignore_errors=True)  # an older part of another setting
    temporary.rename(target)
    return totals


def part_ids(folder: Path) -> np.ndarray:
    """The part's token ids, mapped from disk (not read into memory)."""
    path = folder / "ids.u32"
    if path.stat().st_size == 0:
        return np.zeros(0, dtype=TOKEN_DTYPE)
    return np.memmap(path, dtype=TOKEN_DTYPE, mode="r")
