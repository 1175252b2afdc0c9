"""One task = one input file: read -> record steps (URL filter, extraction) -> batch steps
(language ID, filters) -> signatures -> staged Parquet, with the task's ledger and error log.
Knows nothing of executors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from curate.config import Config
from curate.dedup.signatures import SignatureWriter
from curate.document import DOCUMENT_SCHEMA, Record
from curate.domains import registered_domain
from curate.errors import CurateError, first_line
from curate.inputs import absolute
from curate.layout import OutputLayout
from curate.ledger import OUTCOMES, write_ledger_table
from curate.pipeline.batch import Batch, Sinks
from curate.pipeline.books import TaskBooks
from curate.pipeline.ids import DUPLICATE_ID, UniqueIds
from curate.pipeline.processors import Processors
from curate.pipeline.removed import RemovedWriter
from curate.pipeline.resume import clear_task_outputs
from curate.pipeline.sample_handover import KnownTexts, read_handover
from curate.pipeline.steps import Removal, failed
from curate.pipeline.steps.record import group_is_full
from curate.readers import read_input
from curate.shards import PartitionedWriter

# (compressed bytes read, total bytes or None, records read)
Progress = Callable[[int, int | None, int], None]
READ_STEP, DOMAIN_STEP = "read", "domain"


def task_id_for(location: str) -> str:
    """Stable, readable id of the task reading `location`: its file name plus a hash of the path."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", location.rstrip("/").rsplit("/", 1)[-1])[:80]
    return f"{name}-{hashlib.sha1(location.encode()).hexdigest()[:8]}"


@dataclass
class TaskResult:
    task: str
    input: str
    totals: dict[str, int] = field(default_factory=dict)  # documents per outcome, from the ledgers
    failure: str | None = None
    resumed: bool = False  # done by an earlier run of the same command (its marker matched)


class RecordChain:
    """Each record through the record steps into the batch. A record that is not a document, or
    repeats one, is booked at `read`; a step that raises books the record as `<step>_failed` and
    the task goes on with the next record. Records wait for extraction in groups
    (steps.record.group_is_full), in order; `flush` sends the last group."""

    def __init__(self, processors: Processors, books: TaskBooks, batch: Batch):
        self.steps = processors.record_steps
        self.extraction = processors.extraction
        self.books = books
        self.batch = batch
        self.ids = UniqueIds()
        self.waiting: list[Record] = []
        self.waiting_bytes = 0

    def admit(self, record: Record) -> None:
        removal = self._before_extraction(record)
        if removal:
            self.books.book(removal, record.size, record.id, record.url)
            return
        self.waiting.append(record)
        self.waiting_bytes += len(record.html or b"")
        if group_is_full(len(self.waiting), self.waiting_bytes):
            self.flush()

    def flush(self) -> None:
        """Extract the waiting records' pages and pass each record on (booked, or into the batch)."""
        records, self.waiting, self.waiting_bytes = self.waiting, [], 0
        if not records:
            return
        try:
            removals = self.extraction.apply_many(records)
        except CurateError:
            raise  # the input itself cannot go on (e.g. the extraction process cannot start)
        except Exception:
            removals = [self._extract_alone(record) for record in records]  # book only the culprit
        for record, removal in zip(records, removals):
            if not removal:
                try:
                    domain = registered_domain(record.url)
                except Exception as exc:
                    removal = failed(DOMAIN_STEP, exc)
            if removal:
                self.books.book(removal, record.size, record.id, record.url)
            else:
                self.batch.add(record, domain)

    def _before_extraction(self, record: Record) -> Removal | None:
        step = READ_STEP
        try:
            removal = self._not_a_document(record)
            for record_step in self.steps:
                if removal:
                    break
                step = record_step.name
                removal = record_step.apply(record)
        except CurateError:
            raise
        except Exception as exc:
            removal = failed(step, exc)
        return removal

    def _extract_alone(self, record: Record) -> Removal | None:
        try:
            return self.extraction.apply(record)
        except CurateError:
            raise
        except Exception as exc:
            return failed(self.extraction.name, exc)

    def _not_a_document(self, record: Record) -> Removal | None:
        if record.error:
            return Removal(READ_STEP, record.error, "error")
        if record.skip:
            return Removal(READ_STEP, record.skip, "skipped")
        unique_id = self.ids.assign(record)
        if unique_id is None:
            return Removal(READ_STEP, DUPLICATE_ID, "skipped")
        record.id = unique_id
        return None


def run_task(
    location: str,
    layout: OutputLayout,
    config: Config,
    processors: Processors,
    progress: Progress | None = None,
) -> TaskResult:
    """Process one input file; a failure is returned (with nothing of this task left), not raised."""
    task = task_id_for(location)
    clear_task_outputs(layout, task)
    books = TaskBooks(task, location)
    sinks = Sinks(
        PartitionedWriter(layout.staged_dir, layout.staged_prefix(task), DOCUMENT_SCHEMA, config.output),
        RemovedWriter(layout, task, config.output, config.output.keep_removed),
        processors.hasher and SignatureWriter(layout.signatures(task), processors.hasher),
    )
    # `source` names the input wherever the shards are read: a URL as given, a path made absolute.
    batch = Batch(sinks, books, processors.batch_steps, absolute(location))
    chain = RecordChain(processors, books, batch)
    processors.extraction.known = read_handover(layout.topic_sample_texts, location)
    try:
        with read_input(location, config.read) as opened:
            for count, record in enumerate(opened.records, start=1):
                books.ledger.read(record.size)
                if progress and count % 64 == 0:
                    progress(*opened.progress(), count)
                chain.admit(record)
            chain.flush()
            if progress:
                progress(*opened.progress(), books.ledger.total("read"))
        batch.flush()
        sinks.close()
        books.ledger.check_invariant()
        books.errors.write(layout.error_log(task))
        write_ledger_table(layout.ledger(task), books.ledger.to_table())
    except Exception as exc:
        # This input fails alone and leaves nothing: a CurateError says why in one line; an
        # OSError here is the output side (a full disk, a lost mount), since reading books its
        # own I/O errors as damage; anything else is a bug, named with its type.
        sinks.abort()
        clear_task_outputs(layout, task)
        return TaskResult(task, location, failure=describe_failure(location, exc))
    finally:
        processors.extraction.known = KnownTexts()  # another input's pages are not these
    totals = {outcome: books.ledger.total(outcome) for outcome in ("read", *OUTCOMES)}
    return TaskResult(task, location, totals)


def describe_failure(location: str, exc: Exception) -> str:
    """One line saying why the input `location` failed."""
    if isinstance(exc, CurateError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{location}: cannot write its output: {exc}"
    return f"{location}: failed: {type(exc).__name__}: {first_line(exc)}"
