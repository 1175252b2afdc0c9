"""Memory after the tasks: finalize, the statistics and the report stream the documents (batch by
batch, narrow columns) and aggregate them into tables of groups (languages, stages, reasons,
domains), so that their peak RSS grows neither with the kept or removed text nor with the number of
documents.

A run's outputs are generated (staged parts, removed documents with their text, a ledger, an error
log): the same documents at 1x and 8x the text, and short documents at 1x and 8x their number, over
the same languages, sites and reasons; finalize + stats + report run in a fresh process each time.
The peaks must differ by little while the text grows by hundreds of MB, or the documents by
hundreds of thousands. `python -m tests.stats.test_output_memory` prints the numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from curate.config import Config
from curate.document import DOCUMENT_SCHEMA, REMOVED_SCHEMA
from curate.layout import OutputLayout
from curate.ledger import ErrorLog, Ledger, write_ledger_table
from curate.shards import PartitionedWriter, ShardWriter

# The repository root (as tests.conftest.REPO, which the child process should not import)
REPO = Path(__file__).resolve().parents[2]
TASK = "generated.warc.gz-00000000"
INPUT = "generated.warc.gz"
DOCS = 600  # long documents kept, and as many removed
BASE_CHARS = 50_000  # per long document at 1x: 30 MB of kept text and 30 MB removed
MANY_DOCS = 50_000  # short documents kept at 1x, and as many removed
SHORT_CHARS = 60
BATCH_BYTES = 8 << 20  # of text per generated batch
LANGS = ("de", "en", "fr")
SITES = 37
REMOVALS = (("gopher_repetition", "dup_line_frac"), ("gopher_quality", "short"), ("c4", "lorem_ipsum"))
MAX_GROWTH_MB = 150  # 8x the text: hundreds of MB more
MAX_DOCS_GROWTH_MB = 100  # 8x the documents: a row per document was 500 MB more


def generated_config() -> Config:
    """Row groups far smaller than the text, so that both sizes span many of them: streaming
    holds a few row groups, whatever the total."""
    config = Config()
    config.dedup.enabled = False
    config.output.row_group_bytes = 4 << 20
    config.output.max_shard_bytes = 32 << 20
    config.output.keep_removed = True
    return config


def _documents(start: int, count: int, chars: int, schema: pa.Schema) -> pa.Table:
    """Documents start.. start+count-1 in `schema`, texts of about `chars` characters, with
    signals; columns the generator does not fill are null."""
    index = np.arange(start, start + count)
    site = index % SITES
    rng = np.random.default_rng(start)
    body = ("lorem ipsum dolor sit amet " * (chars // 27 + 1))[:chars]
    ratio = rng.random(count).astype(np.float32)
    ratio[index % 97 == 0] = np.nan  # a ratio over an empty text
    columns = {
        "id": [f"doc-{i:07d}" for i in index],
        # Every fifth document has no URL and no domain, as WET records and JSONL may not.
        "url": [f"https://site{s}.example/{i}" if i % 5 else None for i, s in zip(index, site)],
        "domain": [f"site{s}.example" if i % 5 else None for i, s in zip(index, site)],
        "lang": [LANGS[i % len(LANGS)] for i in index],
        "text": [f"doc-{i:07d} {body}" for i in index],
        "gopher_words": pa.array(8 * (index % 50), pa.int32()),
        "gopher_mean_word_len": pa.array(rng.gamma(9, 0.5, count).astype(np.float32)),
        "rep_dup_line_ratio": pa.array(ratio),
    }
    if "stage" in schema.names:
        stage, reason = zip(*(REMOVALS[i % len(REMOVALS)] for i in index))
        columns.update(stage=list(stage), reason=list(reason), chars=[len(t) for t in columns["text"]])
    return pa.table({f.name: columns.get(f.name, pa.nulls(count, f.type)) for f in schema}, schema=schema)


def _book(ledger: Ledger, table: pa.Table, stage: str, outcome: str, reason: str) -> None:
    """Every document of `table` read and booked, summed per language as the ledger sums them."""
    sizes = pl.from_arrow(table.select(["lang", "text"])).group_by("lang")
    for lang, docs, chars in sizes.agg(pl.len(), pl.col("text").str.len_chars().sum()).iter_rows():
        ledger.book("read", "read", "record", chars, docs=docs)
        ledger.book(stage, outcome, reason, chars, lang, docs, chars)


def generate(out: Path, docs: int, chars: int) -> int:
    """One finished task's outputs in `out`: `docs` staged documents and `docs` removed ones (with
    their text), texts of about `chars` characters; the ledger, an error log and the run record.
    Returns the characters of text generated."""
    config = generated_config()
    layout = OutputLayout(out)
    staged = PartitionedWriter(layout.staged_dir, layout.staged_prefix(TASK), DOCUMENT_SCHEMA, config.output)
    removed = ShardWriter(layout.removed_dir, TASK, REMOVED_SCHEMA, config.output)
    ledger, errors = Ledger(TASK, INPUT), ErrorLog(TASK, INPUT)
    batch = max(1, BATCH_BYTES // chars)
    for start in range(0, docs, batch):
        table = _documents(start, min(batch, docs - start), chars, DOCUMENT_SCHEMA)
        _book(ledger, table, "write", "kept", "kept")
        staged.write_partitioned(table)
    for start in range(docs, 2 * docs, batch):
        table = _documents(start, min(batch, 2 * docs - start), chars, REMOVED_SCHEMA)
        for stage, reason in REMOVALS:
            _book(ledger, table.filter(pc.equal(table["reason"], reason)), stage, "removed", reason)
        removed.write(table)
    ledger.read(0)
    ledger.book("extract", "error", "timeout")
    errors.add(
        "extract", "timeout", "doc-timeout", "https://slow.example/", TimeoutError("extraction took over 5 s")
    )
    staged.close()
    removed.close()
    write_ledger_table(layout.ledger(TASK), ledger.to_table())
    errors.write(layout.error_log(TASK))
    record = {"config": config.to_dict(), "tasks": [{"task": TASK, "input": INPUT, "failure": None}]}
    OutputLayout(out).run_record.write_text(json.dumps(record))
    return 2 * docs * chars


def finalize(out: Path) -> None:
    """The final shards from the staged parts, as `curate run` builds them after its tasks."""
    from curate.pipeline.finalize import build_shards

    build_shards(OutputLayout(out), [TASK], generated_config().output)


def report(out: Path) -> None:
    """The statistics and the report, as `curate run` and `curate report` write them."""
    from curate.statistics.report import produce_report

    produce_report(out)


def finalize_and_report(out: Path) -> None:
    """What `curate run` does after its tasks."""
    finalize(out)
    report(out)


# VmHWM, not getrusage's ru_maxrss: that one starts at the parent's RSS when it forked (the test's,
# after generating the outputs), VmHWM with the child's own memory.
CHILD = """
import sys
from pathlib import Path
from tests.stats import test_output_memory
getattr(test_output_memory, sys.argv[2])(Path(sys.argv[1]))
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def peak_rss_mb(out: Path, step: str) -> float:
    """Peak RSS of `step` (a function of this module) over `out`, in a fresh process."""
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), step], cwd=REPO, capture_output=True, text=True, check=True
    )
    return int(child.stdout.split()[-1]) / 1024  # in KiB


# case -> (documents kept, characters per document) at scale s, and the step measured. Many
# documents: the statistics alone (finalize, run before, streams row groups whatever their rows).
CASES = {
    "text": (lambda s: (DOCS, BASE_CHARS * s), "finalize_and_report"),
    "documents": (lambda s: (MANY_DOCS * s, SHORT_CHARS), "report"),
}


def measure(root: Path, case: str) -> list[tuple[int, float, float]]:
    """(scale, MB of text, peak RSS in MB) at 1x and 8x of `case`."""
    sizes, step = CASES[case]
    results = []
    for scale in (1, 8):
        out = root / f"{case}-x{scale}"
        chars = generate(out, *sizes(scale))
        if step == "report":
            finalize(out)
        results.append((scale, chars / 1e6, peak_rss_mb(out, step)))
    return results


def test_finalize_stats_and_report_memory_does_not_grow_with_text(tmp_path):
    (_, small_text, small), (_, large_text, large) = measure(tmp_path, "text")
    assert large_text - small_text > 300
    assert large - small < MAX_GROWTH_MB, f"peak RSS {small:.0f} MB at 1x, {large:.0f} MB at 8x"


def test_stats_and_report_memory_does_not_grow_with_documents(tmp_path):
    (_, _, small), (_, _, large) = measure(tmp_path, "documents")
    assert large - small < MAX_DOCS_GROWTH_MB, (
        f"peak RSS {small:.0f} MB at {2 * MANY_DOCS:,} documents, {large:.0f} MB at {16 * MANY_DOCS:,}"
    )


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        for case in CASES:
            for scale, text_mb, rss in measure(Path(directory), case):
                docs = 2 * CASES[case][0](scale)[0]
                print(
                    f"{case} {scale}x: {docs:,} documents, {text_mb:,.0f} MB of text, peak RSS {rss:,.0f} MB"
                )
