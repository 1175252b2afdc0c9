"""The training text: final shards read with `datasets` (streaming), a language mixture and a
validation split chosen by document id, so that it is the same whatever the order or the mixture."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from curate.document import UNDETERMINED_LANG
from curate.errors import UsageError
from curate.layout import OutputLayout
from curate.shards import partition_of

HASH_SPACE = 1 << 64


def id_hash(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=8).digest(), "big")


def validation_cutoff(
    path: Path, fraction: float, langs: list[str] | None = None, weights: dict[str, float] | None = None
) -> int:
    """Documents whose id hash is below the cutoff are held out: the first `fraction` of the hash
    space, widened to take at least one document so that a tiny dataset still has a validation set."""
    import polars as pl

    files = [f for group in chosen_files(path, langs, weights).values() for f in group]
    ids = pl.scan_parquet(files).select("id").collect()["id"]
    lowest = min((id_hash(doc_id) for doc_id in ids), default=0)
    return max(int(fraction * HASH_SPACE), lowest + 1)


def chosen_files(
    path: Path, langs: list[str] | None = None, weights: dict[str, float] | None = None
) -> dict[str, list[str]]:
    """The shard files of the languages trained on: `langs`, else those weighted, else all."""
    by_lang = shard_files(path)
    chosen = langs or sorted(weights or by_lang)
    missing = [lang for lang in chosen if lang not in by_lang]
    if missing:
        found = ", ".join(by_lang)
        raise UsageError(f"--langs/--weights: no shards for {', '.join(missing)} in {path} (found {found})")
    if weights and set(weights) != set(chosen):
        raise UsageError("--weights: give a weight for each language trained on, and only for those")
    return {lang: by_lang[lang] for lang in chosen}


def shard_files(path: Path) -> dict[str, list[str]]:
    """Parquet files by language (the `lang-xx` folder holding them), from a run's output dir, its
    shards/ dir or one lang-xx/ dir; files in no such folder count as undetermined."""
    shards = OutputLayout(path).shards_dir
    root = shards if shards.is_dir() else path
    files: dict[str, list[str]] = {}
    for file in sorted(root.glob("**/*.parquet")):
        lang = partition_of(file.resolve()) or UNDETERMINED_LANG
        files.setdefault(lang, []).append(str(file))
    if not files:
        raise UsageError(f"{path}: no Parquet shards found (expected OUT/shards/lang-xx/*.parquet)")
    return files


def _stream(files: list[str]):
    import datasets

    datasets.disable_progress_bars()
    return datasets.load_dataset("parquet", data_files=files, split="train", streaming=True).select_columns(
        ["id", "text"]
    )


def iter_documents(
    path: Path,
    split: str,
    cutoff: int,
    langs: list[str] | None = None,
    weights: dict[str, float] | None = None,
    seed: int = 0,
) -> Iterator[str]:
    """Texts of the `train` or `validation` split (the ids hashing below `cutoff`). With `weights`,
    languages are drawn in those proportions until each has been read once (smaller ones repeat);
    without, all are read in turn."""
    import datasets

    by_lang = chosen_files(path, langs, weights)
    held_out = split == "validation"
    streams = [
        _stream(by_lang[lang]).filter(lambda row: (id_hash(row["id"]) < cutoff) == held_out)
        for lang in by_lang
    ]
    if weights and split == "train":
        total = sum(weights.values())
        probabilities = [weights[lang] / total for lang in by_lang]
        streams = [
            datasets.interleave_datasets(
                streams, probabilities=probabilities, seed=seed, stopping_strategy="all_exhausted"
            )
        ]
    for stream in streams:
        for row in stream:
            yield row["text"]
