"""JSONL (plain, .gz, .zst) and Parquet documents -> `Record`s.

Both carry text that is already extracted. Field names follow the common conventions (Dolma,
FineWeb, RedPajama): `text`, `id`, `url` or `metadata.url`, a date in `date`, `created`,
`crawl_date` or `metadata.warc_date`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import fsspec
import pyarrow.parquet as pq

from curate.config import ReadConfig
from curate.document import Record, content_id, parse_date
from curate.readers.streams import InputStream

URL_FIELDS = ("url", "metadata.url", "metadata.warc_url")
DATE_FIELDS = ("date", "crawl_date", "created", "metadata.warc_date", "timestamp")
LANG_FIELDS = ("lang", "language", "metadata.language")  # kept unless language ID runs again
PARQUET_BATCH_ROWS = 1024


def _lookup(obj: Mapping[str, Any], dotted: str) -> Any:
    value: Any = obj
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _first(obj: Mapping[str, Any], fields: tuple[str, ...]) -> Any:
    for name in fields:
        value = _lookup(obj, name)
        if value not in (None, ""):
            return value
    return None


def record_from_mapping(obj: Mapping[str, Any], config: ReadConfig) -> Record:
    """One document row (a parsed JSON object or a Parquet row) as a Record."""
    text = _lookup(obj, config.text_field)
    url = _first(obj, URL_FIELDS)
    url = str(url) if url is not None else None
    raw_id = _lookup(obj, config.id_field)
    text_str = text if isinstance(text, str) else None
    record = Record(
        id=str(raw_id) if raw_id not in (None, "") else content_id(url, text_str),
        url=url,
        crawl_date=parse_date(_first(obj, DATE_FIELDS)),
        content_type="text/plain",
        lang=_first(obj, LANG_FIELDS),
        size=len(text_str.encode("utf-8", "surrogatepass")) if text_str else 0,
    )
    if text_str is None:
        record.skip = "no_text_field"
    elif not text_str.strip():
        record.skip = "empty"
    else:
        record.text = text_str
    return record


def iter_jsonl_records(source: InputStream, config: ReadConfig) -> Iterator[Record]:
    damage_booked = False
    for line_number, line in enumerate(source.stream, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            # A cut-off last line is damage; a bad line in the middle is a bad record.
            damage_booked = bool(source.damage)
            reason = "truncated" if damage_booked else "bad_json"
            yield Record(id=f"line@{line_number}", size=len(line), error=reason)
            continue
        if not isinstance(obj, dict):
            yield Record(id=f"line@{line_number}", size=len(line), error="bad_json")
            continue
        yield record_from_mapping(obj, config)
    if source.damage and not damage_booked:
        yield Record(id=f"damaged@{source.compressed_position}", error="damaged_stream")


def iter_parquet_records(location: str, config: ReadConfig) -> Iterator[Record]:
    """Parquet needs random access (the footer), so it is opened apart from the byte streams."""
    with fsspec.open(location, "rb") as fh:
        parquet = pq.ParquetFile(fh)
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for row in batch.to_pylist():
                yield record_from_mapping(row, config)
