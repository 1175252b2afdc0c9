"""Filter-chain benchmark for scripts/bench.py: our filters against datatrove's on the same texts,
then the word segmenters of the unspaced languages against today's splitter on the UDHR's articles.

    python scripts/bench_filters.py [--repeat 3]     # the segmenters' table alone

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_hygiene import step_costs, write_items  # noqa: E402 - scripts/ is on sys.path

CC_TEXT = "text/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
UDHR = "langid/udhr_articles.jsonl"
# language: its UDHR texts (ISO 639-3), every version of each (cmn: 7 versions, jpn: 3, tha: 2)
SEGMENTED = {
    "zh": ("cmn", "zho"), "ja": ("jpn",), "th": ("tha",), "ko": ("kor",),
    "lo": ("lao",), "km": ("khm",), "my": ("mya",), "bo": ("bod",),
}  # fmt: skip


def _texts(shared: Path) -> list[str]:
    with gzip.open(shared / CC_TEXT, "rt") as fh:
        return [t for t in (json.loads(line)["text"] for line in fh) if t.strip()]


def _our_chain(shared: Path):
    from curate.config import Config
    from curate.document import DOCUMENT_SCHEMA
    from curate.pipeline.steps.filters import FilterStep

    config = Config()
    config.filters.badwords_dir = str(shared / "ldnoobw")
    config.filters.order = [name for name in config.filters.order if name != "pii"]  # datatrove's five
    stage = FilterStep(config.filters)

    def run(texts: list[str]) -> int:
        columns = {name: [None] * len(texts) for name in DOCUMENT_SCHEMA.names}
        columns["text"], columns["lang"] = list(texts), ["en"] * len(texts)
        return sum(removal is None for removal in stage.apply(columns))

    return run


def _datatrove_chain(shared: Path):
    """FineWeb's filter order in datatrove, each document stopping at its first drop."""
    assets = Path(tempfile.mkdtemp(prefix="datatrove-assets-"))
    os.environ["HF_ASSETS_CACHE"] = str(assets)  # before huggingface_hub is imported
    from compare_datatrove import prime_badwords_cache
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4BadWordsFilter,
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    prime_badwords_cache(shared / "ldnoobw", assets)
    chain = [
        GopherRepetitionFilter(),
        GopherQualityFilter(),
        C4QualityFilter(filter_no_terminal_punct=False),
        FineWebQualityFilter(),
        C4BadWordsFilter(default_language="en"),
    ]

    def run(texts: list[str]) -> int:
        kept = 0
        for i, text in enumerate(texts):
            doc = Document(text=text, id=str(i), metadata={"language": "en"})
            kept += all(f.filter(doc) is True for f in chain)
        return kept

    return run


def bench_filters(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """All filters (FineWeb order, badwords included) against datatrove's chain, ms per document."""
    shared = args.data.parent
    texts = _texts(shared)
    chains = {"curate filters": _our_chain(shared)}
    try:
        chains["datatrove filters"] = _datatrove_chain(shared)
    except ImportError as exc:
        print(f"datatrove not measured ({exc}): pip install -e '.[compare]'")
    best: dict[str, float] = {name: float("inf") for name in chains}
    kept: dict[str, int] = {}
    for _ in range(args.repeat):  # interleaved rounds, best of each
        for name, run in chains.items():
            started = time.perf_counter()
            kept[name] = run(texts)
            best[name] = min(best[name], time.perf_counter() - started)
    rounds = f"best of {args.repeat} rounds"
    print(f"{len(texts)} Common Crawl documents (the shared text sample), one core, {rounds}\n")
    print("| chain | ms/doc | documents kept | vs curate |\n|---|---:|---:|---:|")
    ours = best["curate filters"]
    for name, seconds in best.items():
        print(f"| {name} | {seconds / len(texts) * 1000:.2f} | {kept[name]} | {seconds / ours:.1f}x |")
    print("\nThe hygiene steps (Unicode repair, PII masking, decontamination against 10,000 generated items)")
    items = workdir / "hygiene-items.jsonl"
    write_items(items, 10_000)
    hygiene = step_costs(items, shared, args.repeat)
    print()
    segmenters = bench_segmenters(shared, args.repeat)
    return {
        "documents": len(texts),
        "seconds": best,
        "kept": kept,
        "hygiene": hygiene,
        "segmenters": segmenters,
    }


def _alternatives(lang: str) -> dict[str, Any]:
    """Segmenters measured beside the chosen one, where installed: {name: split(text) -> words}."""
    import importlib.util

    from filters.segmenters import ScriptRunSegmenter, _icu, _jieba

    def has(*modules: str) -> bool:
        return all(importlib.util.find_spec(module) for module in modules)

    cuts = {}
    if lang == "zh" and has("jieba"):
        _jieba()  # loaded once, its logging silenced
        import jieba

        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        cuts["jieba, HMM off"] = lambda run: tokenizer.lcut(run, HMM=False)
    if lang == "ja" and has("sudachipy", "sudachidict_core"):
        from sudachipy import Dictionary, SplitMode

        sudachi = Dictionary(dict="core").tokenizer(SplitMode.C)
        cuts["sudachipy core, mode C"] = lambda run: [m.surface() for m in sudachi.tokenize(run)]
    if lang == "th" and has("icu"):
        cuts["icu"] = _icu("th")
    found = {name: ScriptRunSegmenter(lang, name, cut).split for name, cut in cuts.items()}
    if lang == "ko" and has("kiwipiepy"):  # its morphemes, as their surface text
        from kiwipiepy import Kiwi

        kiwi = Kiwi()
        found["kiwipiepy"] = lambda text: [text[m.start : m.start + m.len] for m in kiwi.tokenize(text)]
    return found


def bench_segmenters(shared: Path, repeat: int) -> list[dict[str, Any]]:
    """Each language's segmenter (and the alternatives installed) against today's splitter."""
    from filters.segmenters import ScriptRunSegmenter, segmenter_for
    from filters.words import split_words

    with open(shared / UDHR, encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh]
    rows: list[dict[str, Any]] = []
    for lang, codes in SEGMENTED.items():
        texts = [a["text"] for a in articles if a["iso639_3"] in codes]
        loads: dict[str, float] = {}
        started = time.perf_counter()
        chosen = segmenter_for(lang)
        today = "today's splitter"
        splits = {today: lambda text, lang=lang: split_words(text, lang)}
        if isinstance(chosen, ScriptRunSegmenter):
            splits[chosen.name], loads[chosen.name] = chosen.split, time.perf_counter() - started
        else:  # the fallback, or a spaced language's whitespace split: today's splitter itself
            splits = {f"{today} ({chosen.name})": splits[today]}
            today = next(iter(splits))
        started = time.perf_counter()
        alternatives = _alternatives(lang)
        splits.update(alternatives)
        loads.update(dict.fromkeys(alternatives, (time.perf_counter() - started) / max(len(alternatives), 1)))
        for name, split in splits.items():  # a first call, counted as loading: some load lazily
            started = time.perf_counter()
            split(texts[0])
            loads[name] = loads.get(name, 0.0) + time.perf_counter() - started
        best = dict.fromkeys(splits, float("inf"))
        words: dict[str, int] = {}
        for _ in range(repeat):  # interleaved rounds, best of each
            for name, split in splits.items():
                started = time.perf_counter()
                words[name] = sum(len(split(text)) for text in texts)
                best[name] = min(best[name], time.perf_counter() - started)
        chars = sum(map(len, texts)) / len(texts)
        for name, seconds in best.items():
            rows.append(
                {"language": lang, "segmenter": name, "docs": len(texts), "chars_per_doc": chars,
                 "words": words[name], "seconds": seconds, "load_s": loads[name],
                 "vs_today": seconds / best[today]}
            )  # fmt: skip
    print(f"Word segmenters on the UDHR's articles (one core, best of {repeat} rounds; load: first use)\n")
    print("| language | segmenter | docs | chars/doc | words | ms/doc | words/s | vs today's | load s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['language']} | {r['segmenter']} | {r['docs']} | {r['chars_per_doc']:.0f} | {r['words']} "
            f"| {r['seconds'] / r['docs'] * 1000:.3f} | {r['words'] / r['seconds']:,.0f} "
            f"| {r['vs_today']:.1f}x | {r['load_s']:.2f} |"
        )
    return rows


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    parser = argparse.ArgumentParser(description="the word segmenters' table alone")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    cli = parser.parse_args()
    bench_segmenters(cli.data, cli.repeat)
