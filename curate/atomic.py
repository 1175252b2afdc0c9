"""How curate's files appear: whole or not at all, and JSON that every parser reads.

A file is written under a hidden temporary name (`.name.tmp`) and renamed into place once complete,
so a reader never sees a partial file and a killed run leaves only `.tmp` files, which the next run
removes. JSON: `json.dumps` writes NaN and infinities as the bare words NaN and Infinity, which are
not JSON; here they become null, and `allow_nan=False` makes any that slips past (a new kind of
value) an error rather than a file that strict parsers reject.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

TMP_SUFFIX = ".tmp"


def tmp_path_for(final: Path) -> Path:
    """The hidden temporary name a file is written under before it is renamed to `final`."""
    return final.with_name(f".{final.name}{TMP_SUFFIX}")


def write_atomically(final: Path, write: Callable[[Path], object]) -> Path:
    """`write(tmp)` the whole file under its temporary name, then rename it to `final`."""
    tmp = tmp_path_for(final)
    write(tmp)
    os.replace(tmp, final)
    return final


def write_json(final: Path, document: Any) -> Path:
    """`document` as strict, indented JSON in `final`, written atomically."""
    return write_atomically(final, lambda tmp: tmp.write_text(strict_dumps(document, indent=2)))


def remove_tmp_files(root: Path) -> None:
    """What killed writers left under `root` (call only where no other writer is running)."""
    for tmp in root.rglob(f".*{TMP_SUFFIX}"):
        tmp.unlink(missing_ok=True)


def finite(value: Any) -> Any:
    """`value` with every non-finite float in it, however deeply nested, replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def strict_dumps(document: Any, indent: int | None = 1, ensure_ascii: bool = True) -> str:
    """Strict JSON of `document`; values JSON has no type for (dates) are written as strings."""
    return json.dumps(
        finite(document), indent=indent, default=str, allow_nan=False, ensure_ascii=ensure_ascii
    )
