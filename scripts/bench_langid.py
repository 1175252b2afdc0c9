"""Language-ID benchmarks for scripts/bench.py: stage throughput and the prefix-length table.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

BATCH = 1000  # documents per predict call, as in `curate run`
PREFIXES = (None, 10000, 5000, 2000, 1000, 500, 200)


def _shared(args: argparse.Namespace) -> Path:
    return args.data.parent  # --data points at shared/data/warc


def load_texts(shared: Path) -> dict[str, Any]:
    """Web text (the Common Crawl sample) and labelled UDHR text: articles and whole declarations."""
    cc_path = shared / "text" / "CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
    with gzip.open(cc_path, "rt") as fh:
        web = [t for t in (json.loads(line)["text"] for line in fh) if t.strip()]
    with open(shared / "langid" / "udhr_articles.jsonl") as fh:
        rows = [json.loads(line) for line in fh]
    rows = [r for r in rows if r["stage"] >= 4]
    declarations: dict[str, list[str]] = defaultdict(list)
    labels = {}
    for row in rows:
        declarations[row["udhr_code"]].append(row["text"])
        labels[row["udhr_code"]] = row["iso639_3"]
    return {
        "web": web,
        "articles": ([r["text"] for r in rows], [r["iso639_3"] for r in rows]),
        "declarations": (["\n".join(v) for v in declarations.values()], [labels[k] for k in declarations]),
    }


def _best_rate(run, documents: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return documents / best


def bench_langid(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Language-ID stage throughput against a bare fastText predict loop on the same texts."""
    from curate.config import LangidConfig
    from curate.pipeline.steps.language import LanguageStep

    texts = load_texts(_shared(args))["web"] * 2
    rounds = 5 * args.repeat  # short rounds, many of them: the best of each is robust to noise
    full_stage = LanguageStep(LangidConfig(prefix_chars=0))
    default_stage = LanguageStep(LangidConfig())
    model = full_stage.identifier.model

    def bare() -> None:
        for i in range(0, len(texts), BATCH):
            model.predict([t.replace("\n", " ") for t in texts[i : i + BATCH]])

    def stage(which: LanguageStep):
        def run() -> None:
            for i in range(0, len(texts), BATCH):
                chunk = texts[i : i + BATCH]
                n = len(chunk)
                columns = {"text": chunk, "lang": [None] * n, "lang_score": [None] * n,
                           "lang_script": [None] * n, "lang_alternatives": [None] * n}  # fmt: skip
                which.apply(columns)

        return run

    variants = {"bare model.predict(list)": bare, "stage, whole text": stage(full_stage),
                "stage, default prefix (5000 chars)": stage(default_stage)}  # fmt: skip
    rates: dict[str, float] = {name: 0.0 for name in variants}
    for _ in range(rounds):  # interleaved, so noise hits every variant alike
        for name, run in variants.items():
            rates[name] = max(rates[name], _best_rate(run, len(texts), 1))
    base = rates["bare model.predict(list)"]
    print(f"{len(texts):,} Common Crawl documents (the shared text sample x2), best of {rounds} rounds\n")
    print("| variant | docs/s | vs bare |\n|---|---:|---:|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:,.0f} | {rate / base:.2f}x |")
    return {"documents": len(texts), "docs_per_s": rates}


def bench_langid_prefix(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Accuracy and speed of language ID by prefix length: the table behind the default."""
    from langid import LanguageIdentifier
    from langid.evaluate import evaluate

    data = load_texts(_shared(args))
    web = data["web"]
    full_labels = [p.lang for p in LanguageIdentifier(prefix_chars=None).predict(web)]
    rows = []
    for prefix in PREFIXES:
        identifier = LanguageIdentifier(prefix_chars=prefix)
        declarations = evaluate(identifier, *data["declarations"])
        articles = evaluate(identifier, *data["articles"])
        web_rate = _best_rate(lambda i=identifier: i.predict(web), len(web), args.repeat)
        decl_rate = _best_rate(
            lambda i=identifier: evaluate(i, *data["declarations"]), declarations.documents, args.repeat
        )
        agreement = sum(p.lang == f for p, f in zip(identifier.predict(web), full_labels)) / len(web)
        rows.append({"prefix": prefix or "all", "declarations_accuracy": declarations.accuracy,
                     "declarations_docs_per_s": decl_rate, "articles_accuracy": articles.accuracy,
                     "web_agreement_with_whole_text": agreement, "web_docs_per_s": web_rate})  # fmt: skip
    print(f"UDHR (stage 4, languages lid.176 knows): {declarations.documents} whole declarations, "
          f"{articles.documents} articles; web: {len(web)} Common Crawl documents\n")  # fmt: skip
    print("| prefix chars | declarations accuracy | declarations docs/s | articles accuracy "
          "| web: same label as whole text | web docs/s |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['prefix']} | {r['declarations_accuracy']:.4f} | {r['declarations_docs_per_s']:,.0f} "
              f"| {r['articles_accuracy']:.4f} | {r['web_agreement_with_whole_text']:.2%} "
              f"| {r['web_docs_per_s']:,.0f} |")  # fmt: skip
    return {"rows": rows}
