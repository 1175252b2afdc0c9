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

DOC_LINES = 30
DOCS_PER_LANGUAGE = 10
REFERENCE = "en"
FAIR_SHARE = 0.8  # the bar: every language kept at >= 80% of English's rate
# variant -> (language-ID profile, filter profile)
PROFILES = {
    "fineweb": ("fineweb", "fineweb"),
    "fineweb2": ("fineweb2", "fineweb2"),
    "fineweb2 langid": ("fineweb2", "fineweb"),
}


def build_documents(shared: Path, out: Path) -> dict[str, int]:
    """Write the benchmark's documents to `out` (JSONL: id, text, lang of the writer); documents
    per language. One translation per language: the main one (its UDHR code is the ISO code, or its
    name names no variety), else the one with most lines; UDHR files some dialects under the
    language's code (French (Welche) is `fra`)."""
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
    chosen = {lang: lines_by_translation[rank[3]] for lang, rank in best.items()}
    counts = {}
    with open(out, "w") as fh:
        for lang, lines in sorted(chosen.items()):
            step = max(1, len(lines) // DOCS_PER_LANGUAGE)
            for n in range(DOCS_PER_LANGUAGE):
                text = "\n".join(lines[(n * step + i) % len(lines)] for i in range(DOC_LINES))
                fh.write(json.dumps({"id": f"{lang}-{n}", "text": text}, ensure_ascii=False) + "\n")
            counts[lang] = DOCS_PER_LANGUAGE
    return counts


def run_profile(
    documents: Path, out_dir: Path, langid_profile: str, filter_profile: str
) -> tuple[Counter, dict[str, Counter]]:
    """`curate run` with these profiles: documents kept per language, and per language the
    (step, reason) of those removed."""
    import polars as pl

    from curate.config import Config
    from curate.layout import OutputLayout
    from curate.pipeline.run import run_pipeline

    config = Config()
    config.dedup.enabled = False
    config.langid.profile = langid_profile
    config.filters.profile = filter_profile
    result = run_pipeline([str(documents)], out_dir, config.validate(), show_progress=False, force=True)
    if result.failed:
        raise RuntimeError(result.failed[0].failure)
    layout = OutputLayout(out_dir)
    writer_lang = pl.col("id").str.split("-").list.first().alias("writer")
    kept = Counter()
    for path in layout.shard_paths():
        kept.update(pl.read_parquet(path, columns=["id"]).select(writer_lang)["writer"].to_list())
    removed: dict[str, Counter] = defaultdict(Counter)
    for path in layout.removed_files():
        frame = pl.read_parquet(path, columns=["id", "stage", "reason"]).with_columns(writer_lang)
        for writer, stage, reason in frame.select("writer", "stage", "reason").iter_rows():
            removed[writer][f"{stage}/{reason}"] += 1
    return kept, removed


def bench_languages(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Keep rate per language of genuine prose (UDHR), by filter profile, against English's."""
    documents = workdir / "udhr-documents.jsonl"
    counts = build_documents(args.data.parent, documents)
    results = {
        name: run_profile(documents, workdir / f"out-{name.replace(' ', '-')}", *profiles)
        for name, profiles in PROFILES.items()
    }
    last = list(PROFILES)[-1]
    rates = {
        profile: {lang: kept[lang] / docs for lang, docs in counts.items()}
        for profile, (kept, _) in results.items()
    }
    print(
        f"input: {sum(counts.values())} documents of {DOC_LINES} UDHR lines, {DOCS_PER_LANGUAGE} in each of "
        f"{len(counts)} languages lid.176 knows; language ID + the five filters, dedup off\n"
    )
    columns = " | ".join(f"{p} kept | vs {REFERENCE}" for p in PROFILES)
    print(f"| lang | {columns} | why removed ({last}) |")
    print("|---|" + "---:|---:|" * len(PROFILES) + "---|")
    for lang in sorted(counts, key=lambda code: (rates[last][code], code)):
        cells = []
        for profile in PROFILES:
            reference = rates[profile].get(REFERENCE) or 1.0
            cells.append(f"{rates[profile][lang]:.0%} | {rates[profile][lang] / reference:.2f}")
        why = ", ".join(f"{reason} {n}" for reason, n in results[last][1][lang].most_common(2))
        print(f"| {lang} | " + " | ".join(cells) + f" | {why} |")
    summary = {}
    for profile in PROFILES:
        reference = rates[profile].get(REFERENCE) or 1.0
        below = sorted(lang for lang, rate in rates[profile].items() if rate < FAIR_SHARE * reference)
        summary[profile] = {"reference_rate": reference, "below_fair_share": below}
        print(
            f"\n{profile}: {REFERENCE} keeps {reference:.0%}; {len(below)} of {len(counts)} languages "
            f"keep less than {FAIR_SHARE:.0%} of that: {', '.join(below) or 'none'}"
        )
    return {"documents": counts, "rates": rates, "summary": summary}
