"""The document model: what readers yield and the columns every Parquet file shares."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.compute as pc

from curate import SCHEMA_VERSION
from filters import FILTERS

UNDETERMINED_LANG = "und"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
SIGNAL_TYPES = {
    "int": pa.int32(),
    "float": pa.float32(),
    "bool": pa.bool_(),
    "str": pa.string(),
    "list[str]": pa.list_(pa.string()),
}

# Columns of staged documents and final shards. Later stages append their signal columns.
DOCUMENT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("domain", pa.string()),
        pa.field("crawl_date", pa.timestamp("ms", tz="UTC")),  # Parquet has no second unit
        pa.field("source", pa.string()),
        pa.field("content_type", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("lang_score", pa.float32()),
        pa.field("lang_script", pa.string()),  # ISO 15924; for lid.176, the language's usual script
        pa.field(
            "lang_alternatives",  # the next best languages, when langid.top_k > 1
            pa.list_(pa.struct([("lang", pa.string()), ("score", pa.float32())])),
        ),
        pa.field("text", pa.string()),
        pa.field("text_repaired", pa.bool_()),  # the Unicode repair step changed the text
        # The topic step's: a topic of curate/topics/taxonomy.py, or a cluster's name; its score 0..1.
        pa.field("topic", pa.string()),
        pa.field("topic_score", pa.float32()),
        # The signals every filter decided on, so that shards can be re-thresholded without recompute.
        *(pa.field(name, SIGNAL_TYPES[kind]) for f in FILTERS.values() for name, kind in f.SIGNALS.items()),
        # Decontamination's: the benchmark n-gram a removed document shared (normalized words).
        pa.field("decontam_ngram", pa.string()),
        # Set by dedup on the final shards: the id of the document kept for the cluster (this one)
        # and how many documents the cluster had; removed ones point to it in dedup/clusters.parquet.
        pa.field("dup_cluster_id", pa.string()),
        pa.field("dup_cluster_size", pa.int32()),
    ],
    metadata={"curate.schema_version": SCHEMA_VERSION},
)

SIZE_COLUMNS = ("chars", "words", "bytes")
# The removed-document record (curate.pipeline.removed): a document's columns, where it left, its size.
REMOVED_SCHEMA = pa.schema(
    [
        *DOCUMENT_SCHEMA,
        pa.field("stage", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("chars", pa.int64()),
        pa.field("words", pa.int64()),
        pa.field("bytes", pa.int64()),
    ],
    metadata=DOCUMENT_SCHEMA.metadata,
)


def text_sizes(text: str) -> tuple[int, int, int]:
    """(characters, whitespace-separated words, UTF-8 bytes) of a text."""
    return len(text), len(text.split()), len(text.encode("utf-8", "surrogatepass"))


def document_sizes(texts: pa.ChunkedArray) -> pa.Table:
    """The columns of SIZE_COLUMNS for a column of texts, counted as `text_sizes` counts them."""
    return pa.table(
        {
            "chars": pc.utf8_length(texts).cast(pa.int64()),
            "words": pa.array([len(text.split()) for text in texts.to_pylist()], pa.int64()),
            "bytes": pc.binary_length(texts).cast(pa.int64()),
        }
    )


@dataclass
class Record:
    """One record of an input file, as read.

    Exactly one of these holds: `skip` is set (not a document, e.g. a request record), `error` is set
    (damaged), or the record is a document candidate with `html` (to extract) or `text` (already text).
    `size` is the payload size in bytes, for the ledger.
    """

    id: str
    url: str | None = None
    crawl_date: datetime | None = None
    content_type: str | None = None
    lang: str | None = None  # from a JSONL/Parquet field; language ID, when it runs, decides anew
    html: bytes | None = None
    http_charset: str | None = None
    text: str | None = None
    size: int = 0
    skip: str | None = None
    error: str | None = None


def parts_digest(parts: tuple[str | bytes | None, ...], size: int) -> bytes:
    """A `size`-byte BLAKE2b of the parts, each length-prefixed (so ("ab", "c") != ("a", "bc"))."""
    digest = hashlib.blake2b(digest_size=size)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part or b""
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def content_id(*parts: str | bytes | None) -> str:
    """Stable id for inputs without a record id: a hash of the given parts."""
    return "h:" + parts_digest(parts, 16).hex()


def parse_date(value: object) -> datetime | None:
    """ISO-8601 string (or datetime) to an aware UTC datetime; None when it is not one, or when it
    has no UTC equivalent (`0001-01-01T00:00:00+05:00`, `9999-12-31T23:59:59-05:00`)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate (valid in JSON and Python, not in UTF-8: Arrow and fastText
    reject it) replaced by U+FFFD."""
    if text.isascii():
        return text
    return LONE_SURROGATE.sub("\ufffd", text)
