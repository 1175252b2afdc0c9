"""Document ids unique within a task by construction, and a language value safe as a folder name.

Dedup, the ledger and resumption key on the id, so two documents must never share one. A WARC file
can repeat a WARC-Record-ID and a JSONL file an `id`: the same record read twice (same URL and
content) is skipped as `duplicate_id`; another record under a taken id gets the next free `<id>#n`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from curate.document import UNDETERMINED_LANG, Record, parts_digest

DUPLICATE_ID = "duplicate_id"
# A language tag as BCP 47 spells it: letters, then subtags of letters and digits.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}")


def _hash64(*parts: str | bytes | None) -> int:
    return int.from_bytes(parts_digest(parts, 8), "little")


class UniqueIds:
    """`assign(record)` -> the id the record's document gets, or None when it repeats a record
    already read. Holds two 64-bit hashes per document, not the ids."""

    def __init__(self) -> None:
        self._content_of: dict[int, int] = {}  # hash of an id given out -> hash of its record

    def assign(self, record: Record) -> str | None:
        content = _hash64(record.url, record.html if record.html is not None else record.text)
        candidate, suffix = record.id, 1
        while True:
            key = _hash64(candidate)
            taken = self._content_of.get(key)
            if taken is None:
                self._content_of[key] = content
                return candidate
            if taken == content:
                return None
            suffix += 1
            candidate = f"{record.id}#{suffix}"


@lru_cache(maxsize=4096)
def safe_lang(value: str | None) -> str:
    """A language value from the input as it may name a folder: a normalized code, else `und`
    (a row's `lang` of `../../x` or `en/sub` must never become a path)."""
    from langid import normalize_code

    if not value or not LANGUAGE_TAG.fullmatch(value):
        return UNDETERMINED_LANG
    code = normalize_code(value)
    return code if LANGUAGE_TAG.fullmatch(code) else UNDETERMINED_LANG
