"""A task's documents as columns, BATCH_DOCS at a time: the batch steps run over them, then the
documents left are converted to Arrow, signed for dedup and staged, one file set per language."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from curate.dedup.signatures import SignatureWriter
from curate.document import (
    DOCUMENT_SCHEMA,
    SIZE_COLUMNS,
    UNDETERMINED_LANG,
    Record,
    document_sizes,
    text_sizes,
)
from curate.ledger import REWRITTEN
from curate.pipeline.books import TaskBooks
from curate.pipeline.ids import safe_lang
from curate.pipeline.removed import RemovedWriter
from curate.pipeline.steps import BatchStep, Removal
from curate.pipeline.steps.isolation import each_or_failure, run_isolated
from curate.shards import PartitionedWriter

BATCH_DOCS = 1000
# The columns the batch steps fill (topic, the filters' signals) or dedup does: empty until then.
SIGNAL_COLUMNS = DOCUMENT_SCHEMA.names[DOCUMENT_SCHEMA.names.index("text") + 1 :]
WRITE_STEP, SIGNATURES_STEP = "write", "signatures"
# Staged documents whose text a step rewrote, booked per language as `rewritten` (column: true, or
# a count above 0): (column, stage, reason).
REWRITE_COLUMNS = (
    ("text_repaired", "unicode", "repaired"),
    ("pii_emails", "pii", "emails"),
    ("pii_ips", "pii", "ips"),
    ("pii_phones", "pii", "phones"),
)


@dataclass
class Sinks:
    """Where a task's documents go: staged (kept), the removed record, dedup's signatures."""

    staged: PartitionedWriter
    removed: RemovedWriter
    signatures: SignatureWriter | None = None

    def close(self) -> None:
        self.staged.close()
        self.removed.close()
        if self.signatures:
            self.signatures.close()

    def abort(self) -> None:
        self.staged.abort()
        self.removed.abort()
        if self.signatures:
            self.signatures.abort()


class Batch:
    """Documents as columns; every BATCH_DOCS documents the steps run and the rest is staged."""

    def __init__(self, sinks: Sinks, books: TaskBooks, steps: list[BatchStep], source: str):
        self.sinks = sinks
        self.books = books
        self.steps = steps
        self.source = source
        self.columns: dict[str, list] = {name: [] for name in DOCUMENT_SCHEMA.names}

    def add(self, record: Record, domain: str | None) -> None:
        columns = self.columns
        columns["id"].append(record.id)
        columns["url"].append(record.url)
        columns["domain"].append(domain)
        columns["crawl_date"].append(record.crawl_date)
        columns["source"].append(self.source)
        columns["content_type"].append(record.content_type)
        columns["lang"].append(safe_lang(record.lang) if isinstance(record.lang, str) else UNDETERMINED_LANG)
        columns["lang_score"].append(None)
        columns["lang_script"].append(None)
        columns["lang_alternatives"].append([])
        columns["text"].append(record.text)
        for name in SIGNAL_COLUMNS:
            columns[name].append(None)
        if len(columns["id"]) >= BATCH_DOCS:
            self.flush()

    def _drop(self, columns: dict[str, list], removals: list[Removal | None]) -> dict[str, list]:
        """Book the documents with a Removal and return the columns of the rest; the removed ones
        (not the errors) go to the removed-document record."""
        if not any(removals):
            return columns
        removed, booked = [], []
        for i, removal in enumerate(removals):
            if removal is None:
                continue
            text, lang = columns["text"][i], columns["lang"][i]
            if removal.outcome == "error":
                nbytes = text_sizes(text)[2] if isinstance(text, str) else 0
                self.books.book(removal, nbytes, columns["id"][i], columns["url"][i], lang)
                continue
            sizes = text_sizes(text)
            self.books.book(removal, sizes[2], columns["id"][i], columns["url"][i], lang, sizes)
            removed.append(i)
            booked.append((removal.step, removal.reason, sizes))
        if removed:
            rows = {name: [values[i] for i in removed] for name, values in columns.items()}
            self.sinks.removed.write(rows, booked)
        keep = [i for i, removal in enumerate(removals) if removal is None]
        return {name: [values[i] for i in keep] for name, values in columns.items()}

    def _to_table(self, columns: dict[str, list]) -> pa.Table | None:
        """The documents as an Arrow table; a row Arrow cannot take is a `write_failed` error."""
        try:
            return pa.Table.from_pydict(columns, schema=DOCUMENT_SCHEMA)
        except Exception:
            pass
        columns = self._drop(columns, run_isolated(WRITE_STEP, columns, self._check_row))
        return pa.Table.from_pydict(columns, schema=DOCUMENT_SCHEMA) if columns["id"] else None

    @staticmethod
    def _check_row(columns: dict[str, list]) -> list[None]:
        pa.Table.from_pydict(columns, schema=DOCUMENT_SCHEMA)
        return [None] * len(columns["id"])

    def _sign(self, table: pa.Table, sizes: pa.Table) -> tuple[pa.Table, pa.Table]:
        """Signatures of the table's documents; one that cannot be signed is a `signatures_failed`
        error and is not staged (dedup could not see it)."""
        signatures = self.sinks.signatures

        def sign(rows: list[int]) -> list[None]:
            if len(rows) == table.num_rows:
                signatures.write(table, sizes)
            else:
                picked = pa.array(rows, pa.int64())
                signatures.write(table.take(picked), sizes.take(picked))
            return [None] * len(rows)

        good = []
        for i, result in enumerate(each_or_failure(SIGNATURES_STEP, list(range(table.num_rows)), sign)):
            if result is None:
                good.append(i)
                continue
            row = table.slice(i, 1).to_pylist()[0]
            self.books.book(result, sizes["bytes"][i].as_py(), row["id"], row["url"], row["lang"])
        if len(good) == table.num_rows:
            return table, sizes
        rows = pa.array(good, pa.int64())  # typed: an empty list would be a null array, which take refuses
        return table.take(rows), sizes.take(rows)

    def flush(self) -> None:
        columns = self.columns
        self.columns = {name: [] for name in DOCUMENT_SCHEMA.names}
        for step in self.steps:
            if columns["id"]:
                columns = self._drop(columns, run_isolated(step.name, columns, step.apply))
        if not columns["id"]:
            return
        table = self._to_table(columns)
        if table is None:
            return
        sizes = document_sizes(table["text"])  # once, for the ledger and the signatures
        if self.sinks.signatures:
            table, sizes = self._sign(table, sizes)
        distinct = sorted(set(table["lang"].to_pylist()))
        for lang in distinct:
            mask = None if len(distinct) == 1 else pc.equal(table["lang"], lang)
            part, part_sizes = (table, sizes) if mask is None else (table.filter(mask), sizes.filter(mask))
            chars, words, nbytes = (pc.sum(part_sizes[name]).as_py() or 0 for name in SIZE_COLUMNS)
            self.books.ledger.book(WRITE_STEP, "kept", "kept", nbytes, lang, part.num_rows, chars, words)
            self._book_rewrites(part, lang)
            self.sinks.staged.write(lang, part)

    def _book_rewrites(self, part: pa.Table, lang: str) -> None:
        for column, stage, reason in REWRITE_COLUMNS:
            if column in part.column_names:
                values = part[column]
                changed = values if pa.types.is_boolean(values.type) else pc.greater(values, 0)
                count = pc.sum(changed.cast(pa.int64())).as_py() or 0
                if count:
                    self.books.ledger.book(stage, REWRITTEN, reason, lang=lang, docs=count)
