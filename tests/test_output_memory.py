"""Memory after the tasks: finalize, the statistics and the report stream the documents (row group by
row group, narrow columns), so that their peak RSS does not grow with the kept or removed text.

A run's outputs are generated (staged parts, removed documents with their text, a ledger, an error
log) with the same documents at 1x and 8x the text; finalize + stats + report run in a fresh
process each time. The peaks must differ by little while the text grows by hundreds of MB.
`python -m tests.test_output_memory` prints the numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from curate.config import Config
from curate.document import DOCUMENT_SCHEMA
from curate.error_log import ErrorLog
from curate.ledger import Ledger, write_ledger_table
from curate.removed import REMOVED_DIR, REMOVED_SCHEMA
from curate.shards import PartitionedWriter, ShardWriter
from curate.task import STAGED_DIR, STATS_DIR

REPO = Path(__file__).resolve().parents[1]
TASK = "generated.warc.gz-00000000"
INPUT = "generated.warc.gz"
DOCS = 600  # kept, and as many removed
BASE_CHARS = 50_000  # per document at 1x: 30 MB of kept text and 30 MB removed
BATCH = 40
LANGS = ("de", "en", "fr")
MAX_GROWTH_MB = 150


def generated_config() -> Config:
    """Row groups far smaller than the text, so that both sizes span many of them: streaming
    holds a few row groups, whatever the total."""
    config = Config()
    config.dedup.enabled = False
    config.output.row_group_bytes = 4 << 20
    config.output.max_shard_bytes = 32 << 20
    config.output.keep_removed = True
    return config


def _rows(start: int, chars: int) -> list[dict]:
    body = ("lorem ipsum dolor sit amet " * (chars // 27 + 1))[:chars]
    rows = []
    for i in range(start, start + BATCH):
        site = i % 37
        rows.append(
            {
                "id": f"doc-{i:06d}",
                # Every fifth document has no URL and no domain, as WET records and JSONL may not.
                "url": f"https://site{site}.example/{i}" if i % 5 else None,
                "domain": f"site{site}.example" if i % 5 else None,
                "lang": LANGS[i % len(LANGS)],
                "text": f"doc-{i:06d} {body}",
                "gopher_words": 8 * (i % 50),
            }
        )
    return rows


def generate(out: Path, scale: int) -> int:
    """One finished task's outputs in `out`, texts `scale` times BASE_CHARS long: DOCS staged
    documents, DOCS removed ones (with their text), the ledger, an error log and the run record.
    Returns the characters of text generated."""
    config = generated_config()
    staged = PartitionedWriter(out / STAGED_DIR, f"part-{TASK}", DOCUMENT_SCHEMA, config.output)
    removed = ShardWriter(out / STATS_DIR / REMOVED_DIR, TASK, REMOVED_SCHEMA, config.output)
    ledger, errors = Ledger(TASK, INPUT), ErrorLog(TASK, INPUT)
    for start in range(0, 2 * DOCS, BATCH):
        rows = _rows(start, BASE_CHARS * scale)
        for row in rows:
            ledger.read(len(row["text"]))
            outcome = ("write", "kept", "kept") if start < DOCS else ("gopher_quality", "removed", "short")
            ledger.book(*outcome, len(row["text"]), row["lang"], 1, len(row["text"]))
            row.update(stage=outcome[0], reason=outcome[2], chars=len(row["text"]))
        if start >= DOCS:
            removed.write(pa.Table.from_pylist(rows, schema=REMOVED_SCHEMA))
            continue
        for lang in LANGS:
            staged.write(
                lang, pa.Table.from_pylist([r for r in rows if r["lang"] == lang], schema=DOCUMENT_SCHEMA)
            )
    ledger.read(0)
    ledger.book("extract", "error", "timeout")
    errors.add(
        "extract", "timeout", "doc-timeout", "https://slow.example/", TimeoutError("extraction took over 5 s")
    )
    staged.close()
    removed.close()
    write_ledger_table(out / STATS_DIR, TASK, ledger.to_table())
    errors.write(out / STATS_DIR)
    record = {"config": config.to_dict(), "tasks": [{"task": TASK, "input": INPUT, "failure": None}]}
    (out / "run.json").write_text(json.dumps(record))
    return 2 * DOCS * BASE_CHARS * scale


def finalize_and_report(out: Path) -> None:
    """What `curate run` does after its tasks: the final shards, then the statistics and report."""
    from curate.finalize import build_shards
    from curate.stats_cli import produce_report

    build_shards(out, [TASK], generated_config().output)
    produce_report(out)


CHILD = """
import resource, sys
from pathlib import Path
from tests.test_output_memory import finalize_and_report
finalize_and_report(Path(sys.argv[1]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(out: Path) -> float:
    """Peak RSS of finalize + stats + report over `out`, in a fresh process."""
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(out)], cwd=REPO, capture_output=True, text=True, check=True
    )
    return int(child.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def measure(root: Path) -> list[tuple[int, float, float]]:
    """(scale, MB of text, peak RSS in MB) at 1x and 8x."""
    results = []
    for scale in (1, 8):
        out = root / f"x{scale}"
        chars = generate(out, scale)
        results.append((scale, chars / 1e6, peak_rss_mb(out)))
    return results


def test_finalize_stats_and_report_memory_does_not_grow_with_text(tmp_path):
    (_, small_text, small), (_, large_text, large) = measure(tmp_path)
    assert large_text - small_text > 300
    assert large - small < MAX_GROWTH_MB, f"peak RSS {small:.0f} MB at 1x, {large:.0f} MB at 8x"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        for scale, text_mb, rss in measure(Path(directory)):
            print(f"{scale}x: {text_mb:,.0f} MB of text, peak RSS {rss:,.0f} MB")
