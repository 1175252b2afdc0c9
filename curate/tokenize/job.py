"""`curate tokenize OUT -o TOKENS`: the final shards of a run, encoded into a format trainers read.

1. Each shard is a task: its documents encoded into a part (parts.py), through the executors, so
   workers share the work and a rerun encodes only the shards whose part is missing or stale.
2. The documents are ordered (order.py): shuffled per language (`TOKENS/lang-xx/`, the language
   of the shard's folder `OUT/shards/lang-xx/`) or as one weighted mixture (`TOKENS/mixture/`) of
   languages (`weights`) or of topics (`topic_weights`, the shards' `topic` column).
3. Each output is written in the chosen format (formats.py), in files bounded by size.
4. The token counts per language and domain (`TOKENS/token_counts.parquet`, and a copy in OUT for
   its report and `curate budget`), then `TOKENS/tokenize.json`, written last: a folder without
   it, or whose record names other shards or settings, is not a finished tokenization.

TOKENS layout:
    TOKENS/lang-xx/tokens-00000.ds ...   (or mixture/; .ds + .ds.index + .ds.metadata, or .bin + .idx)
    TOKENS/token_counts.parquet          lang, domain, documents, tokens (each document once)
    TOKENS/tokenize.json                 what was tokenized, how, and the files written
    TOKENS/parts/<key>/                  the encoded shards, kept for resuming
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from curate.atomic import write_atomically, write_json
from curate.errors import UsageError
from curate.executors import WorkerSetup, make_executor, run_all
from curate.layout import OutputLayout
from curate.shards import partition_of
from curate.statistics.mixture import resolve_topics
from curate.statistics.topics import NO_TOPIC, TOPIC
from curate.tokenize import formats
from curate.tokenize.order import Placement, mixture, per_language
from curate.tokenize.parts import encode_shard, part_ids, part_key, part_record
from curate.tokenize.tokenizer_files import TokenizerFile

RECORD = "tokenize.json"
COUNTS = "token_counts.parquet"
PARTS = "parts"
MIXTURE = "mixture"
DEFAULT_MAX_FILE_BYTES = 1 << 30


@dataclass(frozen=True)
class TokenizeSettings:
    format: str = "datatrove"
    seed: int = 0
    weights: dict[str, float] = field(default_factory=dict)  # empty: one output per language
    langs: list[str] = field(default_factory=list)  # empty: every language
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    topic_weights: dict[str, float] = field(default_factory=dict)  # one mixture by topic instead


def _load_worker_tokenizer(tokenizer: TokenizerFile) -> tuple[Any, int, int | None]:
    return tokenizer.load(), tokenizer.eos_id, tokenizer.bos_id


def shards_by_part(out: Path, langs: list[str]) -> dict[Path, str]:
    """The run's final shards (of `langs`, if given) -> their part keys."""
    layout = OutputLayout(out)
    if not layout.run_record.is_file():
        raise UsageError(
            f"{out}: no curate run here (no {layout.run_record.name}); run `curate run ... -o {out}`"
        )
    every = layout.shard_paths()
    if not every:
        raise UsageError(f"{out}: no final shards to tokenize")
    present = sorted({partition_of(p) for p in every})
    missing = [lang for lang in langs if lang not in present]
    if missing:  # refused before any file is made (a mixture would find it only after encoding)
        raise UsageError(f"{out}: no documents in {', '.join(missing)} (languages: {', '.join(present)})")
    shards = [p for p in every if not langs or partition_of(p) in langs]
    return {shard: part_key(shard, layout.shards_dir) for shard in shards}


def shard_topics(shard: Path) -> pl.Series:
    """The topic of each document of `shard`, in its order (its part's); NO_TOPIC where it has
    none (a run made without the topic step)."""
    parquet = pq.ParquetFile(shard)
    if TOPIC not in parquet.schema_arrow.names:
        return pl.Series(TOPIC, [NO_TOPIC] * parquet.metadata.num_rows, dtype=pl.String)
    topics = pl.from_arrow(parquet.read(columns=[TOPIC]))[TOPIC]
    return topics.cast(pl.String).fill_null(NO_TOPIC)


def checked_settings(out: Path, settings: TokenizeSettings) -> tuple[dict[Path, str], TokenizeSettings]:
    """The shards to tokenize (shards_by_part) and `settings` with each topic of its topic weights
    named as the shards name it (a cluster by its prefix): what they name that the run lacks is
    refused (UsageError) before any file is made."""
    if settings.weights and settings.topic_weights:
        raise UsageError("--weights and --topic-weights: give one (a mixture by language or by topic)")
    shards = shards_by_part(out, settings.langs)
    if not settings.topic_weights:
        return shards, settings
    topics = {topic for shard in shards for topic in shard_topics(shard).unique().to_list()}
    return shards, replace(settings, topic_weights=resolve_topics(settings.topic_weights, topics))


def tokenize_run(
    out: Path,
    tokens: Path,
    tokenizer: TokenizerFile,
    settings: TokenizeSettings,
    workers: int = 1,
    progress: Callable[[str], None] = lambda message: None,
    executor: str = "local",
    ray_address: str | None = None,
) -> dict[str, Any]:
    """Tokenize the run in `out` into `tokens` with `workers` processes of `executor` (the files are
    the same whatever their number: with Ray, OUT and TOKENS must be paths every worker shares); the
    record written to TOKENS/tokenize.json."""
    if settings.format not in formats.FORMATS:
        raise UsageError(f"--format {settings.format}: unknown (allowed: {', '.join(formats.FORMATS)})")
    shards, settings = checked_settings(out, settings)
    earlier = read_record(tokens)
    (tokens / RECORD).unlink(missing_ok=True)  # unfinished until the new record is written
    encoding = {"tokenizer": tokenizer.digest, "eos_id": tokenizer.eos_id, "bos_id": tokenizer.bos_id}
    tasks = [
        (str(shard), str(tokens / PARTS / key), part_record(shard, encoding)) for shard, key in shards.items()
    ]
    setup = WorkerSetup(partial(_load_worker_tokenizer, tokenizer), key=f"tokenizer:{tokenizer.digest}")
    runner = make_executor(executor, workers, ray_address, setup)
    try:
        progress(f"encoding {len(tasks)} shard(s) with {workers} {executor} worker(s)")
        run_all(runner, encode_shard, tasks)
    finally:
        runner.close()
    keys = list(shards.values())
    docs = _documents(tokens, shards)
    _remove_stale_parts(tokens, set(keys))
    if settings.weights:
        outputs = {MIXTURE: mixture(docs, settings.weights, settings.seed)}
    elif settings.topic_weights:
        outputs = {MIXTURE: mixture(docs, settings.topic_weights, settings.seed, TOPIC)}
    else:
        outputs = {f"lang-{lang}": placement for lang, placement in per_language(docs, settings.seed).items()}
    _remove_earlier_outputs(tokens, earlier, set(outputs))
    written = {}
    for name, placement in outputs.items():
        progress(f"writing {name}: {placement.tokens:,} tokens")
        written[name] = _write_output(tokens, name, placement, keys, tokenizer, settings)
    counts = token_counts(docs)
    _write_counts(counts, tokens / COUNTS)
    write_run_counts(out, counts, docs, shards, tokenizer)
    record = {
        "source": str(out.resolve()),
        "shards": sorted(str(shard.resolve()) for shard in shards),
        "tokenizer": {
            "path": str(tokenizer.path.resolve()),  # what `curate pretrain TOKENS` loads, from anywhere
            "name": tokenizer.name,
            "sha256": tokenizer.digest,
            "vocab_size": tokenizer.vocab_size,
            "eos_id": tokenizer.eos_id,
            "bos_id": tokenizer.bos_id,
        },
        "settings": asdict(settings),
        "documents": docs.height,
        "tokens": int(docs["length"].sum()),
        "outputs": written,
    }
    write_json(tokens / RECORD, record)
    return record


def _documents(tokens: Path, shards: dict[Path, str]) -> pl.DataFrame:
    """Every document of every part, with the part's index, in part order. A document's language
    is its shard's folder (`lang-xx`), a safe folder name whatever the shard's `lang` column holds;
    its topic is the shard's (read here: parts made before topics stay valid)."""
    frames = [
        pl.read_parquet(tokens / PARTS / key / "docs.parquet").with_columns(
            pl.lit(partition_of(shard), dtype=pl.String).alias("lang"),
            shard_topics(shard),
            pl.lit(index).alias("part"),
            pl.lit(key).alias("shard"),
        )
        for index, (shard, key) in enumerate(shards.items())
    ]
    return pl.concat(frames).with_columns(pl.col("domain").fill_null(""))


def _remove_stale_parts(tokens: Path, keep: set[str]) -> None:
    """Parts of shards the run no longer has (or temporaries of a killed task)."""
    for folder in (tokens / PARTS).iterdir():
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def _remove_earlier_outputs(tokens: Path, earlier: dict[str, Any] | None, keep: set[str]) -> None:
    """The outputs an earlier tokenization here wrote that this one does not (other languages, a
    mixture): only folders its record names, never anything else in TOKENS."""
    for name in set((earlier or {}).get("outputs", {})) - keep:
        if "/" not in name and name not in (PARTS, "..", "."):
            shutil.rmtree(tokens / name, ignore_errors=True)


def _write_output(
    tokens: Path,
    name: str,
    placement: Placement,
    keys: list[str],
    tokenizer: TokenizerFile,
    settings: TokenizeSettings,
) -> dict[str, Any]:
    folder = tokens / name
    shutil.rmtree(folder, ignore_errors=True)  # an interrupted or earlier writing of this output
    folder.mkdir(parents=True)
    ids = {int(part): part_ids(tokens / PARTS / keys[part]) for part in np.unique(placement.part)}
    writer = formats.open_writer(
        settings.format, folder, "tokens", tokenizer.vocab_size, settings.max_file_bytes, tokenizer.name
    )
    for part, start, length in zip(
        placement.part.tolist(), placement.start.tolist(), placement.length.tolist()
    ):
        writer.add(ids[part][start : start + length])
    files = writer.close()
    return {
        "files": [str(path.relative_to(tokens)) for path in files],
        "documents": len(placement.length),
        "tokens": placement.tokens,
        "repeats": placement.repeats,
    }


def token_counts(docs: pl.DataFrame) -> pl.DataFrame:
    """Documents and tokens per (lang, domain), each document once (before a mixture's repeats)."""
    return (
        docs.group_by("lang", "domain")
        .agg(pl.len().alias("documents"), pl.col("length").sum().alias("tokens"))
        .sort("lang", "tokens", "domain", descending=[False, True, False])
    )


def _write_counts(counts: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda temporary: counts.write_parquet(temporary))


def write_run_counts(
    out: Path, counts: pl.DataFrame, docs: pl.DataFrame, shards: dict[Path, str], tokenizer: TokenizerFile
) -> None:
    """The counts into OUT too (and each document's, for `curate budget` to sum a split), with the
    shards (and their sizes) they were counted on: used only while the run's shards are still those."""
    folder = OutputLayout(out).token_counts_dir
    _write_counts(counts, folder / "counts.parquet")
    _write_counts(docs.select("id", "lang", pl.col("length").alias("tokens")), folder / "documents.parquet")
    write_json(
        folder / "shards.json",
        {
            "tokenizer": tokenizer.name,
            "sha256": tokenizer.digest,
            "shards": OutputLayout(out).shard_sizes(list(shards)),
        },
    )


def read_record(tokens: Path) -> dict[str, Any] | None:
    """The record of the finished tokenization in `tokens`, or None when it holds none."""
    try:
        return json.loads((tokens / RECORD).read_text())
    except (OSError, ValueError):
        return None
