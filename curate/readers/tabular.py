"""JSONL (plain, .gz, .zst) and Parquet documents -> `Record`s.

Both carry text that is already extracted. Field names follow the common conventions (Dolma,
FineWeb, RedPajama): `text`, `id`, a URL in `url`, `metadata.url` or `metadata.warc_url` (one with
a scheme preferred: Dolma's `metadata.url` has none), a date in `date`, `created`, `crawl_date` or
`metadata.warc_date`.

Every row is booked once, whatever it holds: a row over `read.max_record_bytes` is `too_large` (a
JSONL line is dropped as it streams past, never held whole), a line that is not a JSON object is
`bad_json`, a field of the wrong type counts as absent, and every string leaves without lone
surrogates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curate.config import ReadConfig
from curate.document import Record, content_id, parse_date, without_surrogates
from curate.errors import CurateError
from curate.readers.lines import LineTooLong, read_capped_line
from curate.readers.streams import InputStream

URL_FIELDS = ("url", "metadata.url", "metadata.warc_url")
DATE_FIELDS = ("date", "crawl_date", "created", "metadata.warc_date", "timestamp")
LANG_FIELDS = ("lang", "language", "metadata.language")  # kept unless language ID runs again
LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")  # en, eng_Latn, zh-Hans; a folder name
PARQUET_BATCH_ROWS = 1024
PARQUET_BATCH_BYTES = 64 << 20  # decoded bytes per batch, as the row group's metadata says
PARQUET_READ_BUFFER = 1 << 20  # column chunks are streamed through this, not read whole


def _lookup(obj: Mapping[str, Any], dotted: str) -> Any:
    value: Any = obj
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _string(value: Any) -> str | None:
    """A string field's value, without lone surrogates; None for any other type."""
    if isinstance(value, bytes):  # a Parquet binary column
        value = value.decode("utf-8", "replace")
    return without_surrogates(value) if isinstance(value, str) else None


def _first_string(obj: Mapping[str, Any], fields: tuple[str, ...]) -> str | None:
    values = (_string(_lookup(obj, name)) for name in fields)
    return next((value for value in values if value and value.strip()), None)


def _url(obj: Mapping[str, Any]) -> str | None:
    urls = [url for url in (_string(_lookup(obj, name)) for name in URL_FIELDS) if url and url.strip()]
    return next((url for url in urls if "://" in url), urls[0] if urls else None)


def _id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _string(value) or None


def _lang(obj: Mapping[str, Any]) -> str | None:
    lang = _first_string(obj, LANG_FIELDS)
    return lang if lang and LANG_TAG.fullmatch(lang) else None


def record_from_mapping(obj: Mapping[str, Any], config: ReadConfig) -> Record:
    """One document row (a parsed JSON object or a Parquet row) as a Record."""
    text = _string(_lookup(obj, config.text_field))
    url = _url(obj)
    dates = (parse_date(_lookup(obj, name)) for name in DATE_FIELDS)
    record = Record(
        id=_id(_lookup(obj, config.id_field)) or content_id(url, text),
        url=url,
        crawl_date=next((date for date in dates if date), None),
        content_type="text/plain",
        lang=_lang(obj),
        size=len(text.encode("utf-8")) if text else 0,
    )
    if text is None:
        record.skip = "no_text_field"
    elif record.size > config.max_record_bytes:
        record.skip = "too_large"
    elif not text.strip():
        record.skip = "empty"
    else:
        record.text = text
    return record


def _row_record(obj: Any, config: ReadConfig, row_id: str, size: int) -> Record:
    """`record_from_mapping`, or the row's own error: one odd row must not end the file's reading."""
    if not isinstance(obj, dict):
        return Record(id=row_id, size=size, error="bad_json")
    try:
        return record_from_mapping(obj, config)
    except CurateError:
        raise
    except Exception:
        return Record(id=row_id, size=size, error="bad_record")


def iter_jsonl_records(source: InputStream, config: ReadConfig) -> Iterator[Record]:
    damage_booked = False
    line_number = 0
    while True:
        line_number += 1
        try:
            line = read_capped_line(source.stream.readline, config.max_record_bytes)
        except LineTooLong as exc:
            yield Record(id=f"line@{line_number}", size=exc.size, skip="too_large")
            continue
        if not line:
            break
        if not line.strip():
            continue
        try:
            # Decoded leniently: one stray byte must not cost the whole document.
            obj = json.loads(line.decode("utf-8", "replace"))
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            # A cut-off last line is damage; a bad line in the middle is a bad record.
            damage_booked = bool(source.damage)
            reason = "truncated" if damage_booked else "bad_json"
            yield Record(id=f"line@{line_number}", size=len(line), error=reason)
            continue
        yield _row_record(obj, config, f"line@{line_number}", len(line))
    if source.damage and not damage_booked:
        yield Record(id=f"damaged@{source.compressed_position}", error="damaged_stream")


def iter_parquet_records(location: str, config: ReadConfig) -> Iterator[Record]:
    """Parquet needs random access (the footer), so it is opened apart from the byte streams.

    Memory: a row group is read in batches of about PARQUET_BATCH_BYTES (from its metadata), its
    column chunks streamed rather than read whole, and a text over the cap is dropped while still
    in Arrow. pyarrow still decodes such a text once (its page and its array): a value can only be
    judged after that.
    """
    with fsspec.open(location, "rb") as fh:
        try:
            parquet = pq.ParquetFile(fh, buffer_size=PARQUET_READ_BUFFER)
        except Exception as exc:  # a footer pyarrow cannot read: the whole input fails, in one line
            raise CurateError(f"{location}: not a readable Parquet file ({exc})") from None
        group_start = 0  # the file's row number of the row group's first row
        for group in range(parquet.metadata.num_row_groups):
            meta = parquet.metadata.row_group(group)
            batch_rows = PARQUET_BATCH_BYTES * meta.num_rows // max(1, meta.total_byte_size)
            row = group_start
            try:
                batches = parquet.iter_batches(max(1, min(PARQUET_BATCH_ROWS, batch_rows)), [group])
                for batch in batches:
                    yield from _batch_records(batch, config, row)
                    row += batch.num_rows
            except CurateError:
                raise
            except Exception:  # pyarrow cannot decode (the rest of) this row group: one error
                yield Record(id=f"row_group@{group}", error="bad_row_group")
            group_start += meta.num_rows


def _batch_records(batch: pa.RecordBatch, config: ReadConfig, first_row: int) -> Iterator[Record]:
    batch, too_large = _without_large_texts(batch, config)
    try:
        rows: list[Any] = batch.to_pylist()
    except Exception:  # e.g. a value Python cannot represent: find the rows that fail
        rows = [_row_or_none(batch, n) for n in range(batch.num_rows)]
    for n, obj in enumerate(rows):
        row_id = f"row@{first_row + n}"
        if obj is None:
            yield Record(id=row_id, error="bad_record")
            continue
        record = _row_record(obj, config, row_id, 0)
        if n in too_large and record.error is None:
            record.text, record.skip, record.size = None, "too_large", too_large[n]
        yield record


def _without_large_texts(batch: pa.RecordBatch, config: ReadConfig) -> tuple[pa.RecordBatch, dict[int, int]]:
    """`batch` with texts over the cap nulled (never turned into Python strings), and their sizes
    by row."""
    index = batch.schema.get_field_index(config.text_field)
    if index < 0 or not _is_text_type(batch.schema.field(index).type):
        return batch, {}
    column = batch.column(index)
    sizes = pc.binary_length(column)
    over = pc.fill_null(pc.greater(sizes, config.max_record_bytes), False)
    if not pc.any(over).as_py():
        return batch, {}
    too_large = {n: size for n, (size, big) in enumerate(zip(sizes.to_pylist(), over.to_pylist())) if big}
    nulled = pc.if_else(over, pa.scalar(None, column.type), column)
    return batch.set_column(index, batch.schema.field(index), nulled), too_large


def _is_text_type(kind: pa.DataType) -> bool:
    types = pa.types
    return (
        types.is_string(kind)
        or types.is_large_string(kind)
        or types.is_binary(kind)
        or types.is_large_binary(kind)
    )


def _row_or_none(batch: pa.RecordBatch, n: int) -> Any:
    try:
        return batch.slice(n, 1).to_pylist()[0]
    except Exception:
        return None
