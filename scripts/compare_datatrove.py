"""Feed the same texts through our filters and datatrove's, and print per-filter agreement.

    pip install -e '.[compare]'      # datatrove and spaCy (datatrove's English word tokenizer)
    python scripts/compare_datatrove.py [--data ../shared/data] [--show 3]

Texts: the 697 Common Crawl documents of the shared text sample, plus the documents `curate run`
extracts from the shared WARC files. Each filter is compared on its own (every text goes through
both implementations, not a chain), with the reference thresholds on both sides; English, as
datatrove's defaults. Prints agreement of keep/drop decisions, and the disagreements by reason.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"


def load_texts(data: Path) -> list[str]:
    """The shared Common Crawl text sample and the text curate extracts from the shared crawls."""
    from curate.config import Config
    from curate.pipeline.run import run_pipeline

    with gzip.open(data / "text" / "CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz", "rt") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    config = Config()
    config.langid.enabled = False
    config.filters.enabled = False
    with tempfile.TemporaryDirectory() as out:
        warcs = sorted(str(p) for p in (data / "warc").iterdir() if ".wat" not in p.name)
        run_pipeline(warcs, Path(out) / "run", config, show_progress=False)
        import polars as pl

        texts += pl.read_parquet(Path(out) / "run" / "shards" / "**" / "*.parquet")["text"].to_list()
    return [t for t in texts if t.strip()]


def prime_badwords_cache(lists: Path, assets: Path) -> Path:
    """Put the shared LDNOOBW English list where datatrove's C4BadWordsFilter looks before downloading."""
    from datatrove.io import strip_protocol
    from datatrove.pipeline.filters import c4_filters
    from huggingface_hub import cached_assets_path

    folder = cached_assets_path(
        library_name="datatrove", namespace="filters", subfolder="c4_badwords", assets_dir=assets
    )
    url = c4_filters._EN_BADWORDS_URL  # the pinned URL is how datatrove names the cached file
    cached = Path(folder) / strip_protocol(url).replace("/", "_")
    cached.write_bytes((lists / "en").read_bytes())
    Path(f"{cached}.completed").touch()
    return folder


def datatrove_decisions(texts: list[str]) -> dict[str, list[str | None]]:
    """Each datatrove filter's decision per text: None (keep) or its reason."""
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4BadWordsFilter,
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    filters = {
        "gopher_repetition": GopherRepetitionFilter(),
        "gopher_quality": GopherQualityFilter(),
        "c4": C4QualityFilter(filter_no_terminal_punct=False),  # as FineWeb runs it
        "c4_paper": C4QualityFilter(),
        "fineweb": FineWebQualityFilter(),
        "badwords": C4BadWordsFilter(default_language="en"),
    }
    decisions: dict[str, list[str | None]] = {}
    for name, reference in filters.items():
        results = []
        for i, text in enumerate(texts):
            outcome = reference.filter(Document(text=text, id=str(i), metadata={"language": "en"}))
            keep = outcome is True or (isinstance(outcome, tuple) and outcome[0])
            results.append(None if keep else (outcome[1] if isinstance(outcome, tuple) else "removed"))
        decisions[name] = results
    return decisions


def our_decisions(texts: list[str], badwords_dir: Path) -> dict[str, list[str | None]]:
    from filters import Badwords, C4Quality, C4Thresholds, FineWebQuality, GopherQuality, GopherRepetition
    from filters.text import TextFeatures

    filters = {
        "gopher_repetition": GopherRepetition(),
        "gopher_quality": GopherQuality(),
        "c4": C4Quality(C4Thresholds(require_terminal_punct=False)),
        "c4_paper": C4Quality(),
        "fineweb": FineWebQuality(),
        "badwords": Badwords(badwords_dir),
    }
    docs = [TextFeatures(text, "en") for text in texts]
    return {name: f(docs)[1] for name, f in filters.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--show", type=int, default=0, help="print this many disagreeing texts per filter")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    # Read once, when huggingface_hub is first imported: set it before datatrove is.
    assets = Path(tempfile.mkdtemp(prefix="datatrove-assets-"))
    os.environ["HF_ASSETS_CACHE"] = str(assets)
    try:
        import datatrove  # noqa: F401
    except ImportError:
        print("datatrove is not installed: pip install -e '.[compare]'", file=sys.stderr)
        return 2
    # datatrove downloads the badword list on first use: prime its asset cache with the shared copy.
    prime_badwords_cache(args.data / "ldnoobw", assets)
    texts = load_texts(args.data)
    theirs = datatrove_decisions(texts)
    ours = our_decisions(texts, args.data / "ldnoobw")
    print(f"{len(texts)} texts: the shared Common Crawl text sample and the shared crawls' HTML, extracted\n")
    print("| filter | agreement | both drop | both keep | only datatrove drops | only we drop |")
    print("|---|---:|---:|---:|---:|---:|")
    results = {}
    for name in theirs:
        pairs = list(zip(theirs[name], ours[name]))
        both_drop = sum(t is not None and o is not None for t, o in pairs)
        both_keep = sum(t is None and o is None for t, o in pairs)
        only_theirs = Counter(t for t, o in pairs if t is not None and o is None)
        only_ours = Counter(o for t, o in pairs if t is None and o is not None)
        agreement = (both_drop + both_keep) / len(pairs)
        results[name] = {
            "agreement": agreement,
            "only_datatrove": dict(only_theirs),
            "only_ours": dict(only_ours),
        }
        print(f"| {name} | {agreement:.2%} | {both_drop} | {both_keep} | {sum(only_theirs.values())} "
              f"| {sum(only_ours.values())} |")  # fmt: skip
    print()
    for name, result in results.items():
        if result["only_datatrove"] or result["only_ours"]:
            print(
                f"{name}: only datatrove drops {result['only_datatrove']}; only we drop {result['only_ours']}"
            )
        if args.show:
            shown = [
                i for i, (t, o) in enumerate(zip(theirs[name], ours[name])) if (t is None) != (o is None)
            ]
            for i in shown[: args.show]:
                print(
                    f"  --- text {i}: datatrove {theirs[name][i]}, ours {ours[name][i]}: {texts[i][:300]!r}"
                )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
