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
from curate.dedup.files import checksum_path, remove_sealed
from curate.dedup.minhash import MinHasher
from curate.dedup.signatures import SignatureWriter, minhash_params, signatures_path
from curate.document import DOCUMENT_SCHEMA, UNDETERMINED_LANG, Record
from curate.domains import registered_domain
from curate.error_log import ErrorLog, error_log_path
from curate.errors import CurateError, first_line
from curate.extract import EMPTY_TEXT, TOO_LARGE, Extractor
from curate.filter_stage import FilterStage, Removal, UrlStage
from curate.langid_stage import LangidStage
from curate.ledger import OUTCOMES, Ledger, write_ledger_table
from curate.readers import read_input
from curate.record_ids import DUPLICATE_ID, UniqueIds, safe_lang
from curate.removed import SIZE_COLUMNS, RemovedWriter, document_sizes, removed_files, text_sizes
from curate.shards import TMP_SUFFIX, PartitionedWriter
from curate.step_failures import StepFailure, each_or_failure, failed_reason, run_isolated

BATCH_DOCS = 1000
SIGNAL_COLUMNS = DOCUMENT_SCHEMA.names[DOCUMENT_SCHEMA.names.index("text") + 1 :]
STAGED_DIR = "staged"
STATS_DIR = "stats"
SKIP_REASONS_OF_EXTRACT = (TOO_LARGE, EMPTY_TEXT)
WRITE_STEP, SIGNATURES_STEP = "write", "signatures"

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
    """A batch stage: fills its columns in place, returns each document's removal as (stage,
    reason), a StepFailure, or None to keep it."""

    name: str

    def apply(self, columns: dict[str, list]) -> list[Removal]: ...


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


class TaskBooks:
    """One task's ledger and error log, booked together: every error has its row with the
    record's id and URL."""

    def __init__(self, task: str, location: str):
        self.ledger = Ledger(task, location)
        self.errors = ErrorLog(task, location)

    def error(
        self,
        stage: str,
        reason: str,
        nbytes: int,
        record_id: str | None,
        url: str | None,
        exc: BaseException | None = None,
        lang: str = UNDETERMINED_LANG,
    ) -> None:
        self.ledger.book(stage, "error", reason, nbytes, lang)
        self.errors.add(stage, reason, record_id, url, exc)


class _Batch:
    """Documents as columns; every BATCH_DOCS documents the stages run and the rest is written."""

    def __init__(
        self,
        writer: PartitionedWriter,
        books: TaskBooks,
        stages: list[Stage],
        removed: RemovedWriter,
        signatures: SignatureWriter | None = None,
    ):
        self.writer = writer
        self.removed = removed
        self.signatures = signatures
        self.books = books
        self.ledger = books.ledger
        self.stages = stages
        self.columns: dict[str, list] = {name: [] for name in DOCUMENT_SCHEMA.names}

    def add(self, record: Record, text: str, source: str, domain: str | None) -> None:
        columns = self.columns
        columns["id"].append(record.id)
        columns["url"].append(record.url)
        columns["domain"].append(domain)
        columns["crawl_date"].append(record.crawl_date)
        columns["source"].append(source)
        columns["content_type"].append(record.content_type)
        columns["lang"].append(safe_lang(record.lang) if isinstance(record.lang, str) else UNDETERMINED_LANG)
        columns["lang_score"].append(None)
        columns["lang_script"].append(None)
        columns["lang_alternatives"].append([])
        columns["text"].append(text)
        for name in SIGNAL_COLUMNS:
            columns[name].append(None)
        if len(columns["id"]) >= BATCH_DOCS:
            self.flush()

    def _drop(self, columns: dict[str, list], removals: list[Removal]) -> dict[str, list]:
        """Book the documents with a removal (or a failure) and return the columns of the rest."""
        if not any(removals):
            return columns
        removed, booked = [], []
        for i, removal in enumerate(removals):
            if isinstance(removal, StepFailure):
                self.books.error(
                    removal.stage, removal.reason, _byte_size(columns["text"][i]), columns["id"][i],
                    columns["url"][i],
                    removal.error, columns["lang"][i],
                )  # fmt: skip
            elif removal:
                chars, words, nbytes = sizes = text_sizes(columns["text"][i])
                lang = columns["lang"][i]
                self.ledger.book(removal[0], "removed", removal[1], nbytes, lang, chars=chars, words=words)
                removed.append(i)
                booked.append((removal[0], removal[1], sizes))
        if removed:
            rows = {name: [values[i] for i in removed] for name, values in columns.items()}
            self.removed.write(rows, booked)
        keep = [i for i, removal in enumerate(removals) if removal is None]
        return {name: [values[i] for i in keep] for name, values in columns.items()}

    def _to_table(self, columns: dict[str, list]) -> pa.Table | None:
        """The documents as an Arrow table; a row Arrow cannot take is a `write_failed` error."""
        try:
            return pa.Table.from_pydict(columns, schema=DOCUMENT_SCHEMA)
        except Exception:
            pass
        failures = run_isolated(WRITE_STEP, columns, self._check_row)
        columns = self._drop(columns, failures)
        return pa.Table.from_pydict(columns, schema=DOCUMENT_SCHEMA) if columns["id"] else None

    @staticmethod
    def _check_row(columns: dict[str, list]) -> list[None]:
        pa.Table.from_pydict(columns, schema=DOCUMENT_SCHEMA)
        return [None] * len(columns["id"])

    def _write_signatures(self, table: pa.Table, sizes: pa.Table) -> tuple[pa.Table, pa.Table]:
        """Signatures of the table's documents; one that cannot be signed is a `signatures_failed`
        error and is not staged (dedup could not see it)."""

        def sign(rows: list[int]) -> list[None]:
            if len(rows) == table.num_rows:
                self.signatures.write(table, sizes)
            else:
                picked = pa.array(rows, pa.int64())
                self.signatures.write(table.take(picked), sizes.take(picked))
            return [None] * len(rows)

        good = []
        for i, result in enumerate(each_or_failure(SIGNATURES_STEP, list(range(table.num_rows)), sign)):
            if not isinstance(result, StepFailure):
                good.append(i)
                continue
            row = table.slice(i, 1).to_pylist()[0]
            self.books.error(
                SIGNATURES_STEP, result.reason, sizes["bytes"][i].as_py(),
                row["id"], row["url"], result.error, row["lang"],
            )  # fmt: skip
        if len(good) == table.num_rows:
            return table, sizes
        rows = pa.array(good, pa.int64())  # typed: an empty list would be a null array, which take refuses
        return table.take(rows), sizes.take(rows)

    def flush(self) -> None:
        columns = self.columns
        self.columns = {name: [] for name in DOCUMENT_SCHEMA.names}
        for stage in self.stages:
            if columns["id"]:
                columns = self._drop(columns, run_isolated(stage.name, columns, stage.apply))
        if not columns["id"]:
            return
        table = self._to_table(columns)
        if table is None:
            return
        sizes = document_sizes(table["text"])  # once, for the ledger and the signatures
        if self.signatures:
            table, sizes = self._write_signatures(table, sizes)
        distinct = sorted(set(table["lang"].to_pylist()))
        for lang in distinct:
            mask = None if len(distinct) == 1 else pc.equal(table["lang"], lang)
            part, part_sizes = (table, sizes) if mask is None else (table.filter(mask), sizes.filter(mask))
            chars, words, nbytes = (pc.sum(part_sizes[name]).as_py() or 0 for name in SIZE_COLUMNS)
            self.ledger.book("write", "kept", "kept", nbytes, lang, part.num_rows, chars, words)
            self.writer.write(lang, part)


def _byte_size(text: object) -> int:
    return text_sizes(text)[2] if isinstance(text, str) else 0


def _book_unusable(books: TaskBooks, record: Record) -> bool:
    """Book a record that is not a document; True if it was one of those."""
    if record.error:
        books.error("read", record.error, record.size, record.id, record.url)
    elif record.skip:
        books.ledger.book("read", "skipped", record.skip, record.size)
    else:
        return False
    return True


def task_outputs(out_dir: Path, task: str) -> list[Path]:
    """Every complete file `task` wrote (its marker records them, so a rerun can tell a task
    whose outputs were lost or damaged since, and redo it)."""
    staged = sorted((out_dir / STAGED_DIR).glob(f"lang=*/part-{task}-*.parquet"))
    stats = [out_dir / STATS_DIR / f"{task}.parquet", error_log_path(out_dir / STATS_DIR, task)]
    signatures = signatures_path(out_dir, task)
    sealed = [signatures, checksum_path(signatures)]
    return [
        path for path in staged + stats + sealed + removed_files(out_dir / STATS_DIR, task) if path.exists()
    ]


def clear_task_outputs(out_dir: Path, task: str) -> None:
    """Remove what an earlier, interrupted attempt at `task` left, so a rerun cannot double it."""
    for path in (out_dir / STAGED_DIR).glob(f"lang=*/.part-{task}-*{TMP_SUFFIX}"):
        path.unlink()
    remove_sealed(signatures_path(out_dir, task))
    for path in task_outputs(out_dir, task):
        path.unlink(missing_ok=True)


def write_ledger(out_dir: Path, ledger: Ledger) -> Path:
    return write_ledger_table(out_dir / STATS_DIR, ledger.task, ledger.to_table())


class _RecordSteps:
    """The per-record steps before the batch: id, URL filter, extraction, domain. A step that
    raises books the record as `<step>_failed` and the task goes on with the next record."""

    def __init__(self, processors: Processors, books: TaskBooks, batch: _Batch, location: str):
        self.processors = processors
        self.books = books
        self.batch = batch
        self.location = location
        self.ids = UniqueIds()

    def admit(self, record: Record) -> None:
        step = "read"
        try:
            if _book_unusable(self.books, record):
                return
            unique_id = self.ids.assign(record)
            if unique_id is None:
                self.books.ledger.book("read", "skipped", DUPLICATE_ID, record.size)
                return
            record.id = unique_id
            step = "url"
            url_stage = self.processors.url_stage
            url_reason = url_stage and url_stage.reason(record.url)
            if url_reason:
                self.books.ledger.book("url", "removed", url_reason, record.size)
                return
            step = "domain"
            domain = registered_domain(record.url)
            step = "extract"
            text = record.text
            if record.html is not None:
                text, reason = self.processors.extractor.run(record.html, record.http_charset)
                if reason:
                    self._book_extract(record, reason)
                    return
        except CurateError:
            raise  # the input itself cannot go on (e.g. the extraction process cannot start)
        except Exception as exc:
            self.books.error(step, failed_reason(step), record.size, record.id, record.url, exc)
            return
        self.batch.add(record, text, self.location, domain)

    def _book_extract(self, record: Record, reason: str) -> None:
        if reason in SKIP_REASONS_OF_EXTRACT:
            self.books.ledger.book("extract", "skipped", reason, record.size)
        else:
            self.books.error("extract", reason, record.size, record.id, record.url)


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
    books = TaskBooks(task, location)
    writer = PartitionedWriter(out_dir / STAGED_DIR, f"part-{task}", DOCUMENT_SCHEMA, config.output)
    signatures = processors.hasher and SignatureWriter(signatures_path(out_dir, task), processors.hasher)
    removed = RemovedWriter(out_dir / STATS_DIR, task, config.output, config.output.keep_removed)
    batch = _Batch(writer, books, processors.stages, removed, signatures)
    steps = _RecordSteps(processors, books, batch, location)
    try:
        with read_input(location, config.read) as opened:
            for count, record in enumerate(opened.records, start=1):
                books.ledger.read(record.size)
                if progress and count % 64 == 0:
                    progress(*opened.progress())
                steps.admit(record)
            if progress:
                progress(*opened.progress())
        batch.flush()
        writer.close()
        removed.close()
        if signatures:
            signatures.close()
        books.ledger.check_invariant()
        books.errors.write(out_dir / STATS_DIR)
        write_ledger(out_dir, books.ledger)
    except Exception as exc:
        # This input fails alone and leaves nothing: a CurateError says why in one line; an
        # OSError here is the output side (a full disk, a lost mount), since reading books its
        # own I/O errors as damage; anything else is a bug, named with its type.
        writer.abort()
        removed.abort()
        if signatures:
            signatures.abort()
        clear_task_outputs(out_dir, task)
        return TaskResult(task, location, failure=describe_failure(location, exc))
    totals = {outcome: books.ledger.total(outcome) for outcome in ("read", *OUTCOMES)}
    return TaskResult(task, location, totals)


def describe_failure(location: str, exc: Exception) -> str:
    """One line saying why the input `location` failed."""
    if isinstance(exc, CurateError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{location}: cannot write its output: {exc}"
    return f"{location}: failed: {type(exc).__name__}: {first_line(exc)}"
