"""Hygiene benchmark: decontamination's n-gram index (build time and peak RSS for 10k, 100k and
300k generated benchmark items), then the ms/doc of Unicode repair, PII masking and the index's
match on the shared Common Crawl text, against language ID's in the same run.

    python scripts/bench_hygiene.py [--data ../shared/data] [--rounds 5]

Items are ~40 random words of a 20,000-word vocabulary (about 28 distinct 13-grams each: the worst
case for memory, real benchmarks repeat their templates). Each build runs in a fresh process, so
its peak RSS (VmHWM) is its own. Only the standard library at module level: the children import
curate themselves.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CC_TEXT = "text/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"
SIZES = (10_000, 100_000, 300_000)
VOCABULARY = 20_000
BATCH = 1000  # documents per call, as in `curate run`

# Peak RSS from VmHWM: getrusage's ru_maxrss of a child starts at its parent's RSS when it forked.
IMPORT = """
import json, sys, time
from curate.decontaminate.index import ContaminationIndex
peak = lambda: next(int(line.split()[1]) / 1024 for line in open("/proc/self/status") if "VmHWM" in line)
"""
BUILD = """
started = time.perf_counter()
index = ContaminationIndex.build([sys.argv[1]])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mb": peak(), "ngrams": len(index), "mb": index.nbytes / 2**20}))
"""


def write_items(path: Path, count: int, seed: int = 0) -> None:
    """`count` benchmark rows of ~40 random words (30 to 50) in `question`, JSONL."""
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10))) for _ in range(VOCABULARY)
    ]
    with path.open("w") as fh:
        for _ in range(count):
            fh.write(
                json.dumps({"question": " ".join(rng.choices(vocabulary, k=rng.randint(30, 50)))}) + "\n"
            )


def in_child(code: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def measure_build(path: Path) -> dict[str, float]:
    return json.loads(in_child(IMPORT + BUILD, str(path)))


def baseline_mb() -> float:
    """Peak RSS of a process that only imports the index module (NumPy, pyarrow, curate)."""
    return float(in_child(IMPORT + "print(peak())"))


def best_times(variants: dict, rounds: int) -> dict[str, float]:
    """Best wall time of each variant over `rounds` rounds, the variants interleaved in each."""
    best = {name: float("inf") for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def step_costs(items: Path, shared: Path, rounds: int) -> dict[str, float]:
    """Prints and returns the ms/doc of each hygiene step on the shared Common Crawl text, against
    language ID's in the same rounds (decontamination matched against the index of `items`)."""
    sys.path.insert(0, str(REPO))
    from curate.decontaminate.index import ContaminationIndex
    from filters.pii import PiiThresholds, mask_pii
    from filters.unicode_repair import repair_text
    from langid import LanguageIdentifier

    with gzip.open(shared / CC_TEXT, "rt") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    index = ContaminationIndex.build([str(items)])
    identifier = LanguageIdentifier()
    matched = sum(m is not None for m in index.match(texts))

    def batches(predict):
        return lambda: [predict(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]

    def each(function):
        return lambda: [function(text) for text in texts]

    on, with_phones = PiiThresholds(), PiiThresholds(phones=True)
    langid = "language ID: LanguageIdentifier().predict"
    variants = {
        "Unicode repair: repair_text": each(repair_text),
        "PII masking: e-mails and IPs (the default)": each(lambda text: mask_pii(text, on)),
        "PII masking: with phones": each(lambda text: mask_pii(text, with_phones)),
        f"decontaminate: match against {len(index):,} n-grams": batches(index.match),
        langid: batches(identifier.predict),
    }
    best = best_times(variants, rounds)
    chars = sum(map(len, texts)) / len(texts)
    print(f"\n{len(texts)} Common Crawl documents ({chars:,.0f} characters on average), best of {rounds}\n")
    print("| step | ms/doc | x language ID |\n|---|---:|---:|")
    ms = {name: seconds / len(texts) * 1000 for name, seconds in best.items()}
    for name, seconds in best.items():
        print(f"| {name} | {ms[name]:.3f} | {seconds / best[langid]:.2f} |")
    print(f"\ndocuments matched (random-word items: any match would be a false positive): {matched}")
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"Index build, one fresh process each (imports alone: {baseline_mb():.0f} MB peak RSS)\n")
        print("| items | build s | distinct 13-grams | index MB | peak RSS MB |\n|---:|---:|---:|---:|---:|")
        for size in SIZES:
            items = Path(tmp) / f"items-{size}.jsonl"
            write_items(items, size)
            result = measure_build(items)
            print(
                f"| {size:,} | {result['seconds']:.1f} | {result['ngrams']:,} | {result['mb']:.0f} "
                f"| {result['peak_mb']:.0f} |"
            )
        step_costs(items, args.data, args.rounds)


if __name__ == "__main__":
    main()
