"""One task = one input file: read -> URL filter -> extract -> langid -> filters -> staged Parquet +
ledger. Knows nothing of executors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from curate.config import Config
from curate.dedup.files import remove_sealed
from curate.dedup.minhash import MinHasher
from curate.dedup.signatures import SignatureWriter, minhash_params, signatures_path
from curate.document import DOCUMENT_SCHEMA, UNDETERMINED_LANG, Record
from curate.domains import registered_domain
from curate.errors import CurateError
from curate.extract import EMPTY_TEXT, TOO_LARGE, Extractor
from curate.filter_stage import FilterStage, UrlStage
from curate.langid_stage import LangidStage
from curate.ledger import Ledger, write_ledger_table
from curate.readers import read_input
from curate.removed import SIZE_COLUMNS, RemovedWriter, document_sizes, removed_files, text_sizes
from curate.shards import TMP_SUFFIX, PartitionedWriter

BATCH_DOCS = 1000
SIGNAL_COLUMNS = DOCUMENT_SCHEMA.names[DOCUMENT_SCHEMA.names.index("text") + 1 :]
STAGED_DIR = "staged"
STATS_DIR = "stats"
SKIP_REASONS_OF_EXTRACT = (TOO_LARGE, EMPTY_TEXT)

Progress = Callable[[int, int | None], None]  # (compressed bytes read, total bytes or None)


def task_id_for(location: str) -> str:
    """Stable, readable id of the task reading `location`: its file name plus a hash of the path."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", location.rstrip("/").rsplit("/", 1)[-1])[:80]
    return f"{name}-{hashlib.sha1(location.encode()).hexdigest()[:8]}"


@dataclass
class TaskResult:
    task: str
    input: str
    totals: dict[str, int] = field(default_factory=dict)
    failure: str | None = None
    resumed: bool = False  # done by an earlier run of the same command (its marker matched)


class Stage(Protocol):
    """A batch stage: fills its columns in place, returns each document's removal
    as (stage, reason), or None to keep it."""

    def apply(self, columns: dict[str, list]) -> list[tuple[str, str] | None]: ...


@dataclass
class Processors:
    """What every task of a run shares: built once (models load once), closed at the end."""

    extractor: Extractor
    stages: list[Stage]
    url_stage: UrlStage | None = None
    hasher: MinHasher | None = None  # dedup's signatures of the staged documents

    def close(self) -> None:
        self.extractor.close()


def build_processors(config: Config) -> Processors:
    stages: list[Stage] = [LangidStage(config.langid)] if config.langid.enabled else []
    url_stage = None
    if config.filters.enabled:
        stages.append(FilterStage(config.filters))
        url_stage = UrlStage(config.filters)
    hasher = MinHasher(minhash_params(config.dedup)) if config.dedup.enabled else None
    return Processors(Extractor(config.extract), stages, url_stage, hasher)


class _Batch:
    """Documents as columns; every BATCH_DOCS documents the stages run and the rest is written."""

    def __init__(
        self,
        writer: PartitionedWriter,
        ledger: Ledger,
        stages: list[Stage],
        removed: RemovedWriter,
        signatures: SignatureWriter | None = None,
    ):
        self.writer = writer
        self.removed = removed
        self.signatures = signatures
        self.ledger = ledger
        self.stages = stages
        self.columns: dict[str, list] = {name: [] for name in DOCUMENT_SCHEMA.names}

    def add(self, record: Record, text: str, source: str) -> None:
        columns = self.columns
        columns["id"].append(record.id)
        columns["url"].append(record.url)
        columns["domain"].append(registered_domain(record.url))
        columns["crawl_date"].append(record.crawl_date)
        columns["source"].append(source)
        columns["content_type"].append(record.content_type)
        columns["lang"].append(str(record.lang) if record.lang else UNDETERMINED_LANG)
        columns["lang_score"].append(None)
        columns["lang_script"].append(None)
        columns["lang_alternatives"].append([])
        columns["text"].append(text)
        for name in SIGNAL_COLUMNS:
            columns[name].append(None)
        if len(columns["id"]) >= BATCH_DOCS:
            self.flush()

    def _run_stage(self, stage: Stage, columns: dict[str, list]) -> dict[str, list]:
        removals = stage.apply(columns)
        if not any(removals):
            return columns
        removed, booked = [], []
        for i, removal in enumerate(removals):
            if removal:
                chars, words, nbytes = sizes = text_sizes(columns["text"][i])
                lang = columns["lang"][i]
                self.ledger.book(removal[0], "removed", removal[1], nbytes, lang, chars=chars, words=words)
                removed.append(i)
                booked.append((removal[0], removal[1], sizes))
        self.removed.write({name: [values[i] for i in removed] for name, values in columns.items()}, booked)
        keep = [i for i, removal in enumerate(removals) if removal is None]
        return {name: [values[i] for i in keep] for name, values in columns.items()}

    def flush(self) -> None:
        columns = self.columns
        self.columns = {name: [] for name in DOCUMENT_SCHEMA.names}
        for stage in self.stages:
            if columns["id"]:
                columns = self._run_stage(stage, columns)
        langs = columns["lang"]
        if not langs:
            return
        table = pa.Table.from_pydict(columns, schema=DOCUMENT_SCHEMA)
        sizes = document_sizes(table["text"])  # once, for the ledger and the signatures
        if self.signatures:
            self.signatures.write(table, sizes)
        distinct = sorted(set(langs))
        for lang in distinct:
            mask = None if len(distinct) == 1 else pc.equal(table["lang"], lang)
            part, part_sizes = (table, sizes) if mask is None else (table.filter(mask), sizes.filter(mask))
            chars, words, nbytes = (pc.sum(part_sizes[name]).as_py() or 0 for name in SIZE_COLUMNS)
            self.ledger.book("write", "kept", "kept", nbytes, lang, part.num_rows, chars, words)
            self.writer.write(lang, part)


def _book_unusable(ledger: Ledger, record: Record) -> bool:
    """Book a record that is not a document; True if it was one of those."""
    if record.error:
        ledger.book("read", "error", record.error, record.size)
    elif record.skip:
        ledger.book("read", "skipped", record.skip, record.size)
    else:
        return False
    return True


def clear_task_outputs(out_dir: Path, task: str) -> None:
    """Remove what an earlier, interrupted attempt at `task` left, so a rerun cannot double it."""
    for path in (out_dir / STAGED_DIR).glob(f"lang=*/part-{task}-*.parquet"):
        path.unlink()
    for path in (out_dir / STAGED_DIR).glob(f"lang=*/.part-{task}-*{TMP_SUFFIX}"):
        path.unlink()
    remove_sealed(signatures_path(out_dir, task))
    for path in removed_files(out_dir / STATS_DIR, task):
        path.unlink()


def write_ledger(out_dir: Path, ledger: Ledger) -> Path:
    return write_ledger_table(out_dir / STATS_DIR, ledger.task, ledger.to_table())


def run_task(
    location: str,
    out_dir: Path,
    config: Config,
    processors: Processors,
    progress: Progress | None = None,
) -> TaskResult:
    """Process one input file; a failure is returned (with nothing of this task left), not raised."""
    task = task_id_for(location)
    clear_task_outputs(out_dir, task)
    ledger = Ledger(task, location)
    writer = PartitionedWriter(out_dir / STAGED_DIR, f"part-{task}", DOCUMENT_SCHEMA, config.output)
    signatures = processors.hasher and SignatureWriter(signatures_path(out_dir, task), processors.hasher)
    removed = RemovedWriter(out_dir / STATS_DIR, task, config.output, config.output.keep_removed)
    batch = _Batch(writer, ledger, processors.stages, removed, signatures)
    try:
        with read_input(location, config.read) as opened:
            for count, record in enumerate(opened.records, start=1):
                ledger.read(record.size)
                if progress and count % 64 == 0:
                    progress(*opened.progress())
                if _book_unusable(ledger, record):
                    continue
                url_reason = processors.url_stage and processors.url_stage.reason(record.url)
                if url_reason:
                    ledger.book("url", "removed", url_reason, record.size)
                    continue
                text = record.text
                if record.html is not None:
                    text, reason = processors.extractor.run(record.html, record.http_charset)
                    if reason:
                        outcome = "skipped" if reason in SKIP_REASONS_OF_EXTRACT else "error"
                        ledger.book("extract", outcome, reason, record.size)
                        continue
                batch.add(record, text, location)
            if progress:
                progress(*opened.progress())
        batch.flush()
        writer.close()
        removed.close()
        if signatures:
            signatures.close()
        ledger.check_invariant()
        write_ledger(out_dir, ledger)
    except (CurateError, OSError) as exc:
        # OSError here is the output side (a full disk, a lost mount): reading turns its own I/O
        # errors into booked damage. Either way this input fails alone and leaves nothing.
        writer.abort()
        removed.abort()
        if signatures:
            signatures.abort()
        clear_task_outputs(out_dir, task)
        failure = str(exc) if isinstance(exc, CurateError) else f"{location}: cannot write its output: {exc}"
        return TaskResult(task, location, failure=failure)
    totals = {outcome: ledger.total(outcome) for outcome in ("read", "kept", "removed", "skipped", "error")}
    return TaskResult(task, location, totals)
