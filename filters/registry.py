"""Filters a user adds: a BatchFilter subclass registered under its `name`, which `filters.order`
may then name beside the built-in ones (FILTERS).

The registry belongs to one process. Worker processes get the registered classes a run names with
their setup (`carry`): cloudpickle sends a class defined in the main script by value (a worker does
not run that script again) and one from an importable module by reference.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import cloudpickle

from filters.base import BatchFilter

F = TypeVar("F", bound=type[BatchFilter])
URL_FILTER = "url"  # not a batch filter, but its name is taken: [filters.url]

_registered: dict[str, type[BatchFilter]] = {}


def register_filter(cls: F) -> F:
    """Register `cls` under `cls.name` (a name registered before is replaced); returns `cls`, so
    that it works as a class decorator. TypeError or ValueError when `cls` cannot be a filter."""
    from filters import FILTERS  # filters/__init__ imports this module

    if not (isinstance(cls, type) and issubclass(cls, BatchFilter)):
        raise TypeError(f"register_filter: {cls!r} is not a subclass of filters.BatchFilter")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"register_filter: {cls.__qualname__}.name must be an identifier, got {name!r}")
    if name in FILTERS or name == URL_FILTER:
        raise ValueError(f"register_filter: {name!r} is a built-in filter; choose another name")
    if not dataclasses.is_dataclass(getattr(cls, "Thresholds", None)):
        raise TypeError(f"register_filter: {cls.__qualname__}.Thresholds must be a dataclass")
    if not isinstance(getattr(cls, "SIGNALS", None), dict):
        raise TypeError(f"register_filter: {cls.__qualname__}.SIGNALS must be a dict (it may be empty)")
    _registered[name] = cls
    return cls


def registered() -> dict[str, type[BatchFilter]]:
    """The filters registered in this process, by name."""
    return dict(_registered)


def filter_class(name: str) -> type[BatchFilter]:
    """The built-in or registered filter called `name`; KeyError if there is none."""
    from filters import FILTERS

    return FILTERS[name] if name in FILTERS else _registered[name]


def known_filters() -> list[str]:
    """Every name `filters.order` may hold: the built-in filters, then the registered ones."""
    from filters import FILTERS

    return [*FILTERS, *_registered]


def fingerprints(names: Iterable[str]) -> dict[str, str]:
    """`module.qualname sha256-of-source` of each registered filter among `names`: a resumed run
    redoes its inputs when another class, or another version of it, takes the same name."""
    return {name: _fingerprint(_registered[name]) for name in names if name in _registered}


def _fingerprint(cls: type) -> str:
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):  # defined where no source is kept (an interactive session)
        source = ""
    return f"{cls.__module__}.{cls.__qualname__} {hashlib.sha256(source.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class CarriedFilters:
    """Registered filters on their way to a worker process, cloudpickled: they pickle with any
    pickler (a process pool's, Ray's) and `install` registers them there."""

    payload: bytes

    def install(self) -> None:
        for cls in cloudpickle.loads(self.payload):
            register_filter(cls)


def carry(names: Iterable[str]) -> CarriedFilters | None:
    """The registered filters among `names`, ready for a worker; None when there are none."""
    classes = [_registered[name] for name in names if name in _registered]
    return CarriedFilters(cloudpickle.dumps(classes)) if classes else None
