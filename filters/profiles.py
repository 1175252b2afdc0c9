"""Filter profiles: per-language threshold overrides that a named reference publishes.

- `fineweb` (default): no overrides, every language gets the section's thresholds (FineWeb's,
  tuned on English) and the filters' own LANGUAGE_DEFAULTS.
- `fineweb2`: FineWeb-2's per-language thresholds and stop words (huggingface/fineweb-2,
  Apache-2.0), mapped onto curate's fields by scripts/import_fineweb2.py into data/fineweb2.json
  (source, commit and field mapping: data/FINEWEB2_SOURCE.md), with FineWeb-2's pipeline
  constants (its values that are the same for every language: paragraph rules off, C4 off, ...)
  under each language it covers. Languages FineWeb-2 has no config for, English among them (it
  is FineWeb's), get no override. `und`, a document language ID could not place, gets the
  pipeline's constants and FineWeb-2's typical language (each threshold the median of the
  languages' values, no stop words), not English's thresholds.

A profile's overrides apply on top of a filter's LANGUAGE_DEFAULTS, and a config's own
`[filters.per_language...]` overrides on top of the profile's.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

PROFILES = ("fineweb", "fineweb2")
UNDETERMINED = "und"  # the language of a document language ID could not place
DATA = {"fineweb2": "fineweb2.json"}  # profile -> its file in filters/data/


@cache
def _load(profile: str) -> dict[str, Any]:
    if profile not in PROFILES:
        raise ValueError(f"unknown filter profile {profile!r} (allowed: {', '.join(PROFILES)})")
    if profile not in DATA:
        return {"pipeline": {}, "languages": {}}
    text = resources.files("filters").joinpath("data", DATA[profile]).read_text(encoding="utf-8")
    return json.loads(text)


def _value(value: Any) -> Any:
    """JSON lists as the tuples the thresholds dataclasses hold (stop words)."""
    return tuple(value) if isinstance(value, list) else value


@cache
def _overrides(profile: str) -> dict[str, dict[str, dict[str, Any]]]:
    data = _load(profile)
    pipeline = data["pipeline"]
    merged: dict[str, dict[str, dict[str, Any]]] = {}
    entries = dict(data["languages"])
    if "undetermined" in data:
        entries[UNDETERMINED] = {"overrides": data["undetermined"]}
    for lang, entry in entries.items():
        by_filter = {name: dict(fields) for name, fields in pipeline.items()}
        for name, fields in entry["overrides"].items():
            by_filter.setdefault(name, {}).update(fields)
        merged[lang] = {
            name: {key: _value(value) for key, value in fields.items()} for name, fields in by_filter.items()
        }
    return merged


def profile_overrides(profile: str) -> dict[str, dict[str, dict[str, Any]]]:
    """lang -> filter name -> field overrides of `profile` (a fresh copy: the caller may change it);
    empty for `fineweb`. ValueError for an unknown profile."""
    return {
        lang: {name: dict(fields) for name, fields in by_filter.items()}
        for lang, by_filter in _overrides(profile).items()
    }


def filter_overrides(profile: str, name: str) -> dict[str, dict[str, Any]]:
    """lang -> field overrides of `profile` for the filter called `name` (fresh copies)."""
    return {
        lang: dict(by_filter[name]) for lang, by_filter in _overrides(profile).items() if name in by_filter
    }


def language_scores(profile: str) -> dict[str, float]:
    """lang -> the language-ID score `profile` keeps a document of that language at (>=); empty
    for `fineweb`."""
    return {lang: entry["language_score"] for lang, entry in _load(profile)["languages"].items()}


def source(profile: str) -> dict[str, Any]:
    """Where `profile`'s figures come from (repository, commit, license); empty for `fineweb`."""
    return dict(_load(profile).get("source", {}))


__all__ = ["PROFILES", "filter_overrides", "language_scores", "profile_overrides", "source"]
