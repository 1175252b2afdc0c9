"""What each setting allows, declared once next to its dataclass field and checked generically.

    min_score: float = field(default=0.5, metadata=RATIO)
    max_words: int | None = field(default=100_000, metadata=within(1, MAX_COUNT, not_below="min_words"))

`first_problem(obj)` walks a dataclass (and the dataclasses nested in it) and returns the first
field whose value is not allowed, with what is. Declared or not, every float must be finite (NaN
and inf never are) and every int must fit in 64 bits. Lists, tuples and tables are checked element
by element. None (a bound switched off with `false`) passes where the field's type allows it.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

ALLOWED = "allowed"  # the field-metadata key
MAX_COUNT = 10**9  # counts and lengths: far above any real page, far below an overflow
INT64 = 1 << 63


@dataclass(frozen=True)
class Allowed:
    low: float | None = None
    high: float | None = None
    exclusive: bool = False  # the bounds themselves are not allowed
    choices: tuple[str, ...] = ()
    pattern: str | None = None  # a string (or each string of a list) must match it whole
    what: str = ""  # the pattern in words, for the message
    nonempty: bool = False  # the string, list or table itself
    not_below: str | None = None  # a field of the same dataclass that this one must reach (min <= max)

    def accepts(self, item: Any) -> bool:
        if isinstance(item, bool):
            return True
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, int) and not -INT64 <= item < INT64:
            return False
        if isinstance(item, (int, float)):
            return self._in_bounds(item)
        if isinstance(item, str):
            if self.choices and item not in self.choices:
                return False
            return self.pattern is None or re.fullmatch(self.pattern, item) is not None
        return True

    def _in_bounds(self, number: float) -> bool:
        if self.low is not None and (number < self.low or (self.exclusive and number == self.low)):
            return False
        return self.high is None or not (number > self.high or (self.exclusive and number == self.high))

    def describe(self) -> str:
        parts = []
        if self.low is not None and self.high is not None:
            bounds = f"{_number(self.low)}..{_number(self.high)}"
            parts.append(f"{bounds}, exclusive" if self.exclusive else bounds)
        elif self.low is not None:
            parts.append(f"{'>' if self.exclusive else '>='} {_number(self.low)}")
        if self.choices:
            parts.append(" or ".join(self.choices))
        if self.what:
            parts.append(self.what)
        if self.nonempty:
            parts.append("not empty")
        return "; ".join(parts) or "a finite number that fits in 64 bits"


def allowing(**spec: Any) -> dict[str, Allowed]:
    """Field metadata: `field(default=..., metadata=allowing(choices=("a", "b")))`."""
    return {ALLOWED: Allowed(**spec)}


def within(low: float | None, high: float | None, **spec: Any) -> dict[str, Allowed]:
    return allowing(low=low, high=high, **spec)


def one_of(choices: Iterable[str], **spec: Any) -> dict[str, Allowed]:
    return allowing(choices=tuple(choices), **spec)


RATIO = within(0, 1)  # a fraction of words, lines or characters, or a probability
PER_WORD = within(0, 100)  # a rate per word ('#' per word, newlines per word): may pass 1
COUNT = within(0, MAX_COUNT)


def first_problem(obj: Any) -> tuple[str, str] | None:
    """(dotted key under `obj`, what is allowed) of the first bad value of dataclass `obj`, or None."""
    return next(_problems(obj), None)


def _problems(obj: Any) -> Iterator[tuple[str, str]]:
    optional = _optional_fields(type(obj))
    for spec in dataclasses.fields(obj):
        value = getattr(obj, spec.name)
        if dataclasses.is_dataclass(value):
            yield from ((f"{spec.name}.{key}", allowed) for key, allowed in _problems(value))
            continue
        rule = spec.metadata.get(ALLOWED, Allowed())
        allowed = rule.describe() + (", or false" if spec.name in optional else "")
        if value is None:
            continue
        bad = next((key for key, item in _items(spec.name, value) if not rule.accepts(item)), None)
        if bad is not None:
            yield bad, allowed
        elif rule.nonempty and not value:
            yield spec.name, allowed
        elif rule.not_below and not _reaches(value, getattr(obj, rule.not_below)):
            yield spec.name, f"at least {rule.not_below} ({_number(getattr(obj, rule.not_below))})"


def _items(key: str, value: Any) -> Iterator[tuple[str, Any]]:
    """A value's parts to check, each with the key that names it."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            yield from _items(f"{key}.{name}", item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _items(key, item)
    else:
        yield key, value


def _reaches(value: float, floor: float | None) -> bool:
    return floor is None or value >= floor


@cache
def _optional_fields(cls: type) -> frozenset[str]:
    """The fields whose type allows None: their bound can be switched off."""
    hints = typing.get_type_hints(cls)
    return frozenset(
        name
        for name, hint in hints.items()
        if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)
    )


def _number(bound: float) -> str:
    return f"{int(bound):,}" if float(bound).is_integer() else f"{bound:g}"
