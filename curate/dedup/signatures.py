"""Stage `signatures`: per task, one row per staged document with what dedup needs and no text:
id, language, length, crawl date, a key of its normalized URL, a key of its normalized text and
the MinHash band keys. Written next to the staged documents as `dedup/signatures/<task>.parquet`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curate.atomic import tmp_path_for
from curate.config import DedupConfig
from curate.dedup.files import remove_sealed, seal
from curate.dedup.minhash import MinHasher, MinHashParams
from filters.url_parts import url_parts

STAGE = "signatures"
URL_KEY, EXACT_KEY = "url_key", "exact_key"
_DEFAULT_PORTS = {None, 80, 443}


def minhash_params(config: DedupConfig) -> MinHashParams:
    extra = {"ngram": config.ngram, "seed": config.seed}
    if config.bands is None or config.rows is None:
        return MinHashParams.for_threshold(config.threshold, config.num_perm, **extra)
    return MinHashParams(config.num_perm, config.bands, config.rows, **extra)


def band_columns(params: MinHashParams) -> list[str]:
    return [f"band_{band:02d}" for band in range(params.bands)]


def signature_schema(params: MinHashParams) -> pa.Schema:
    return pa.schema(
        [
            ("id", pa.string()),
            ("lang", pa.string()),
            ("domain", pa.string()),  # for the audit of what dedup removed
            ("topic", pa.string()),  # ... and of the topics it removed
            ("chars", pa.int64()),  # the keep rule prefers the longest text
            ("words", pa.int64()),  # for the ledger, with bytes
            ("bytes", pa.int64()),
            ("crawl_date", pa.timestamp("ms", tz="UTC")),  # URL dedup keeps the latest crawl
            (URL_KEY, pa.uint64()),
            (EXACT_KEY, pa.uint64()),
            *((name, pa.uint64()) for name in band_columns(params)),
        ]
    )


def normalize_url(url: str) -> str:
    """The page a URL names: no scheme, lower-case host without `www.`, no default port, no
    fragment, no trailing slash, query parameters sorted and `utm_*` tracking ones dropped.
    Total, like `url_parts`: a hostile URL gets a key too."""
    parts = url_parts(url)
    host = (parts.host or "").removeprefix("www.")
    netloc = host if parts.port in _DEFAULT_PORTS else f"{host}:{parts.port}"
    query = sorted(p for p in parts.query.split("&") if p and not p.lower().startswith("utm_"))
    return netloc + (parts.path.rstrip("/") or "/") + ("?" + "&".join(query) if query else "")


def _key64(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


def url_keys(urls: list[str | None]) -> pa.Array:
    return pa.array([_key64(normalize_url(u)) if u else None for u in urls], type=pa.uint64())


class SignatureWriter:
    """Collects the signature rows of one task's staged documents; `close` seals the file (an
    empty one when the task kept nothing, so every task has its file)."""

    def __init__(self, path: Path, hasher: MinHasher):
        self.path = path
        self.hasher = hasher
        self.schema = signature_schema(hasher.params)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = tmp_path_for(path)
        self._writer = pq.ParquetWriter(self._tmp, self.schema, compression="zstd")

    def write(self, documents: pa.Table, sizes: pa.Table) -> None:
        """Signature rows of `documents`; `sizes`: their chars, words and bytes columns."""
        signatures, exact = self.hasher.sketch(documents["text"].to_pylist())
        bands = self.hasher.band_keys(signatures)
        columns = {
            "id": documents["id"],
            "lang": documents["lang"],
            "domain": documents["domain"],
            "topic": documents["topic"],
            "chars": sizes["chars"],
            "words": sizes["words"],
            "bytes": sizes["bytes"],
            "crawl_date": documents["crawl_date"],
            URL_KEY: url_keys(documents["url"].to_pylist()),
            EXACT_KEY: pa.array(exact, type=pa.uint64()),
        }
        for band, name in enumerate(band_columns(self.hasher.params)):
            columns[name] = pa.array(np.ascontiguousarray(bands[:, band]), type=pa.uint64())
        self._writer.write_table(pa.table(columns, schema=self.schema))

    def close(self) -> Path:
        self._writer.close()
        return seal(self._tmp, self.path)

    def abort(self) -> None:
        self._writer.close()
        remove_sealed(self.path)
