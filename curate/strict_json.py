"""JSON that every parser reads: `json.dumps` writes NaN and infinities as the bare words NaN and
Infinity, which are not JSON; here they become null, and `allow_nan=False` makes any that slips
past (a new kind of value) an error rather than a file that strict parsers reject."""

from __future__ import annotations

import json
import math
from typing import Any


def finite(value: Any) -> Any:
    """`value` with every non-finite float in it, however deeply nested, replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def dumps(document: Any, indent: int | None = 1, ensure_ascii: bool = True) -> str:
    """Strict JSON of `document`; values JSON has no type for (dates) are written as strings."""
    return json.dumps(
        finite(document), indent=indent, default=str, allow_nan=False, ensure_ascii=ensure_ascii
    )
