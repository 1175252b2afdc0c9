"""--languages: who each filter profile keeps, per language, on genuine prose (issue #20).

Documents are built offline from the UDHR translations in ../shared/data/langid/ (stage >= 4): for
every translation in a language lid.176 knows, documents of DOC_LINES consecutive lines (one article
paragraph a line, in order, the declaration read round), DOCS_PER_LANGUAGE of them, each starting
further on. They are genuine prose in one language with no boilerplate, so a fair pipeline keeps
every language about as often as English. Each profile runs `curate run` over the same JSONL file
with language ID and the filters on and dedup off (the documents share sentences by construction);
a document counts as kept for the language it was written in, whatever language ID said.

Only the standard library at module level (bench.py's rule: spawned children re-import it).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

# Where a language has several translations that tie on the ranks below, the one in its standard
# orthography today (the form its web pages are written in), not the first by name: Greek's
# monotonic (official since 1982) over polytonic, Uyghur's Arabic script over Latin, Mandarin in
# Simplified characters over a city's dialect rendering, German's and Romanian's current spellings,
# Iranian Persian over Dari.
STANDARD_TRANSLATION = {
    "el": "ell_monotonic",
    "ug": "uig_arab",
    "zh": "cmn_hans",
    "de": "deu_1996",
    "ro": "ron_2006",
    "fa": "pes_1",
}
DOC_LINES = 30
DOCS_PER_LANGUAGE = 10
REFERENCE = "en"
FAIR_SHARE = 0.8  # the bar: every language kept at >= 80% of English's rate
# variant -> (built-in preset or None, language-ID profile, filter profile)
VARIANTS = {
    "fineweb (default)": (None, "fineweb", "fineweb"),
    "fineweb2 profiles": (None, "fineweb2", "fineweb2"),
    "--preset multilingual": ("multilingual", None, None),
}
RECOMMENDED = "--preset multilingual"


def build_documents(shared: Path, out: Path) -> dict[str, int]:
    """Write the benchmark's documents to `out` (JSONL: id, text, lang of the writer); documents
    per language. One translation per language: the main one (its UDHR code is the ISO code, or its
    name names no variety), else the one with most lines; UDHR files some dialects under the
    language's code (French (Welche) is `fra`); STANDARD_TRANSLATION settles ties."""
    from langid import LanguageIdentifier
    from langid.labels import normalize_code

    known = set(LanguageIdentifier().labels())
    lines_by_translation: dict[str, list[str]] = defaultdict(list)
    rank_of: dict[str, tuple[str, bool, bool]] = {}
    with open(shared / "langid" / "udhr_articles.jsonl") as fh:
        for row in map(json.loads, fh):
            if row["stage"] < 4:
                continue
            lines = (line for line in row["text"].split("\n") if line.strip())
            lines_by_translation[row["udhr_code"]].extend(lines)
            main = row["udhr_code"] == row["iso639_3"]
            rank_of[row["udhr_code"]] = (normalize_code(row["iso639_3"]), main, "(" not in row["name"])
    best: dict[str, tuple[bool, bool, int, str]] = {}
    for code, lines in sorted(lines_by_translation.items()):
        lang, main, plain = rank_of[code]
        candidate = (main, plain, len(lines), code)
        if lang in known and candidate > best.get(lang, (False, False, -1, "")):
            best[lang] = candidate
    chosen = {
        lang: lines_by_translation[STANDARD_TRANSLATION.get(lang, rank[3])] for lang, rank in best.items()
    }
    counts = {}
    with open(out, "w") as fh:
        for lang, lines in sorted(chosen.items()):
            step = max(1, len(lines) // DOCS_PER_LANGUAGE)
            for n in range(DOCS_PER_LANGUAGE):
                text = "\n".join(lines[(n * step + i) % len(lines)] for i in range(DOC_LINES))
                fh.write(json.dumps({"id": f"{lang}-{n}", "text": text}, ensure_ascii=False) + "\n")
            counts[lang] = DOCS_PER_LANGUAGE
    return counts


def variant_config(preset: str | None, langid_profile: str | None, filter_profile: str | None):
    from curate.config import Config, preset_config

    config = preset_config(preset) if preset else Config()
    config.dedup.enabled = False
    if langid_profile:
        config.langid.profile = langid_profile
    if filter_profile:
        config.filters.profile = filter_profile
    return config.validate()


def run_variant(documents: Path, out_dir: Path, config) -> dict[str, Any]:
    """`curate run` with `config`: per writer language, the documents kept (and of them those
    labelled `und` and those labelled another language), and the (step/reason) of those removed."""
    import polars as pl

    from curate.layout import OutputLayout
    from curate.pipeline.run import run_pipeline

    result = run_pipeline([str(documents)], out_dir, config, show_progress=False, force=True)
    if result.failed:
        raise RuntimeError(result.failed[0].failure)
    layout = OutputLayout(out_dir)
    writer = pl.col("id").str.split("-").list.first().alias("writer")
    kept, und, mislabelled = Counter(), Counter(), Counter()
    for path in layout.shard_paths():
        for lang, label in pl.read_parquet(path, columns=["id", "lang"]).select(writer, "lang").iter_rows():
            kept[lang] += 1
            und[lang] += label == "und"
            mislabelled[lang] += label not in (lang, "und")
    removed: dict[str, Counter] = defaultdict(Counter)
    for path in layout.removed_files():
        frame = pl.read_parquet(path, columns=["id", "stage", "reason"]).with_columns(writer)
        for lang, stage, reason in frame.select("writer", "stage", "reason").iter_rows():
            removed[lang][f"{stage}/{reason}"] += 1
    return {"kept": kept, "und": und, "mislabelled": mislabelled, "removed": removed}


def bench_languages(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Keep rate per language of genuine prose (UDHR), by configuration, against English's."""
    documents = workdir / "udhr-documents.jsonl"
    counts = build_documents(args.data.parent, documents)
    results = {
        name: run_variant(documents, workdir / f"out-{n}", variant_config(*variant))
        for n, (name, variant) in enumerate(VARIANTS.items())
    }
    rates = {
        name: {lang: result["kept"][lang] / docs for lang, docs in counts.items()}
        for name, result in results.items()
    }
    print(
        f"input: {sum(counts.values())} documents of {DOC_LINES} UDHR lines, {DOCS_PER_LANGUAGE} in each of "
        f"{len(counts)} languages lid.176 knows; language ID + the five filters, dedup off\n"
    )
    columns = " | ".join(f"{name} kept | vs {REFERENCE}" for name in VARIANTS)
    recommended = results[RECOMMENDED]
    print(f"| lang | {columns} | {RECOMMENDED}: kept as und / as another language | why removed |")
    print("|---|" + "---:|---:|" * len(VARIANTS) + "---:|---|")
    for lang in sorted(counts, key=lambda code: (rates[RECOMMENDED][code], code)):
        cells = []
        for name in VARIANTS:
            reference = rates[name].get(REFERENCE) or 1.0
            cells.append(f"{rates[name][lang]:.0%} | {rates[name][lang] / reference:.2f}")
        labels = f"{recommended['und'][lang]} / {recommended['mislabelled'][lang]}"
        why = ", ".join(f"{reason} {n}" for reason, n in recommended["removed"][lang].most_common(2))
        print(f"| {lang} | " + " | ".join(cells) + f" | {labels} | {why} |")
    summary = {}
    for name, result in results.items():
        reference = rates[name].get(REFERENCE) or 1.0
        below = sorted(lang for lang, rate in rates[name].items() if rate < FAIR_SHARE * reference)
        kept = sum(result["kept"].values())
        und, mislabelled = sum(result["und"].values()), sum(result["mislabelled"].values())
        summary[name] = {
            "reference_rate": reference,
            "below_fair_share": below,
            "kept": kept,
            "kept_as_und": und,
            "kept_mislabelled": mislabelled,
        }
        print(
            f"\n{name}: {REFERENCE} keeps {reference:.0%}; {len(below)} of {len(counts)} languages keep less "
            f"than {FAIR_SHARE:.0%} of that: {', '.join(below) or 'none'}. Of the {kept} documents kept, "
            f"{und} are labelled und and {mislabelled} another language than their own"
        )
    return {"documents": counts, "rates": rates, "summary": summary}
