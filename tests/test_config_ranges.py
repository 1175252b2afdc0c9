"""Every key of the config tree is range-checked: values drawn outside what a key declares are
refused with one line naming the key (at the top level and in each language's overrides alike),
values inside are accepted, and pairs hold min <= max."""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.cli import main
from curate.config import Config, config_from_dict
from curate.errors import UsageError
from filters import FILTERS
from filters.ranges import ALLOWED, Allowed

EXAMPLES = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
UNDECLARED_SECTIONS: tuple[str, ...] = ()  # every section declares its ranges


@dataclasses.dataclass(frozen=True)
class Leaf:
    key: str  # dotted, as in the TOML file
    kind: type  # int or float
    container: type | None  # list or dict when the key holds several numbers
    allowed: Allowed


def _leaves(obj: Any, prefix: str) -> Iterator[Leaf]:
    hints = typing.get_type_hints(type(obj))
    for spec in dataclasses.fields(obj):
        key, value, hint = f"{prefix}.{spec.name}", getattr(obj, spec.name), hints[spec.name]
        if dataclasses.is_dataclass(value):
            yield from _leaves(value, key)
            continue
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        origin = typing.get_origin(hint)
        container = origin if origin in (list, dict) else None
        kind = args[-1] if container else (args[0] if args else hint)
        if kind in (int, float):
            allowed = spec.metadata.get(ALLOWED, Allowed())
            yield Leaf(key, kind, container, allowed)


def config_leaves() -> list[Leaf]:
    config = Config()
    return [leaf for s in dataclasses.fields(config) for leaf in _leaves(getattr(config, s.name), s.name)]


LEAVES = config_leaves()
RANGED = [leaf for leaf in LEAVES if leaf.allowed.low is not None]
THRESHOLD_LEAVES = [
    (name, leaf)
    for name, filter_class in FILTERS.items()
    for leaf in _leaves(filter_class.Thresholds(), name)
    if leaf.allowed.low is not None
]


def nested(key: str, value: Any) -> dict[str, Any]:
    """{"a": {"b": value}} for "a.b"."""
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


def merged(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    both = dict(a)
    for key, value in b.items():
        both[key] = merged(both[key], value) if isinstance(both.get(key), dict) else value
    return both


def wrapped(leaf: Leaf, value: Any) -> Any:
    if leaf.container is list:
        return [value]
    if leaf.container is dict:
        return {"de": value}
    return value


def shown_key(leaf: Leaf) -> str:
    return f"{leaf.key}.de" if leaf.container is dict else leaf.key


def outside(leaf: Leaf) -> st.SearchStrategy:
    """Values a key does not allow: below or above its bounds (the bounds too where they are
    exclusive), and NaN and infinities for floats."""
    low, high = leaf.allowed.low, leaf.allowed.high
    if leaf.kind is int:
        return st.integers(max_value=int(low) - 1) | st.integers(min_value=int(high) + 1)
    bounds = st.sampled_from([float(low), float(high)]) if leaf.allowed.exclusive else st.nothing()
    return (
        st.floats(max_value=low, exclude_max=True)
        | st.floats(min_value=high, exclude_min=True)
        | st.sampled_from([math.nan, math.inf, -math.inf])
        | bounds
    )


def inside(leaf: Leaf) -> st.SearchStrategy:
    low, high = leaf.allowed.low, leaf.allowed.high
    if leaf.kind is int:
        return st.integers(int(low), int(high))
    return st.floats(low, high, exclude_min=leaf.allowed.exclusive, exclude_max=leaf.allowed.exclusive)


def refused(data: dict[str, Any]) -> str:
    with pytest.raises(UsageError) as error:
        config_from_dict(data)
    assert "\n" not in str(error.value)
    return str(error.value)


def test_every_number_of_every_section_declares_its_range():
    undeclared = [
        leaf.key
        for leaf in LEAVES
        if leaf.allowed.low is None and not leaf.key.startswith(UNDECLARED_SECTIONS)
    ]
    assert undeclared == []
    assert all(leaf.allowed.high is not None for leaf in RANGED)  # finite upper bounds: sane memory


@pytest.mark.parametrize("leaf", RANGED, ids=lambda leaf: leaf.key)
@EXAMPLES
@given(data=st.data())
def test_values_outside_a_keys_range_are_refused_naming_it(leaf, data):
    value = data.draw(outside(leaf))
    message = refused(nested(leaf.key, wrapped(leaf, value)))
    assert f"config: {shown_key(leaf)} is out of range (allowed: " in message


# Keys whose valid values also depend on another key; their pairs are tested on their own.
RELATED = {"read.retries", "read.retry_wait_s", "dedup.num_perm", "dedup.bands", "dedup.rows"}
RELATED |= {"filters.gopher_quality.min_stop_words"}
RELATED |= {"model.d_model", "model.heads", "model.dropout"}  # heads divide d_model; dropout < 1
PAIRS = [
    (f"{leaf.key.rsplit('.', 1)[0]}.{leaf.allowed.not_below}", leaf.key)
    for leaf in RANGED
    if leaf.allowed.not_below
]
RELATED |= {key for pair in PAIRS for key in pair}


@pytest.mark.parametrize("leaf", [leaf for leaf in RANGED if leaf.key not in RELATED], ids=lambda x: x.key)
@EXAMPLES
@given(data=st.data())
def test_values_inside_a_keys_range_are_accepted(leaf, data):
    value = data.draw(inside(leaf))
    config = config_from_dict(nested(leaf.key, wrapped(leaf, value)))
    section, *path = leaf.key.split(".")
    held = getattr(config, section)
    for part in path:
        held = getattr(held, part)
    assert held == wrapped(leaf, value)


@pytest.mark.parametrize("low_key, high_key", PAIRS)
@EXAMPLES
@given(data=st.data())
def test_min_never_above_max(low_key, high_key, data):
    leaf = next(leaf for leaf in RANGED if leaf.key == high_key)
    low, high = data.draw(inside(leaf)), data.draw(inside(leaf))  # both in either key's range
    config = merged(nested(low_key, low), nested(high_key, high))
    if low <= high:
        config_from_dict(config)
    else:
        assert f"{high_key} is out of range (allowed: at least" in refused(config)


@pytest.mark.parametrize("name, leaf", THRESHOLD_LEAVES, ids=lambda x: x.key if isinstance(x, Leaf) else x)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_per_language_overrides_get_the_same_checks(name, leaf, data):
    value = data.draw(outside(leaf))
    data_dict = {"filters": {"per_language": {"zh": nested(leaf.key, value)}}}
    message = refused(data_dict)
    assert f"config: filters.per_language.zh.{leaf.key} is out of range (allowed: " in message


@pytest.mark.parametrize(
    "data, key",
    [
        ({"read": {"http_status": [200, 99]}}, "read.http_status"),
        ({"read": {"http_status": []}}, "read.http_status"),
        ({"read": {"text_field": ""}}, "read.text_field"),
        ({"langid": {"thresholds": {"de": 0.5, "fr": math.nan}}}, "langid.thresholds.fr"),
        ({"filters": {"order": ["c4", "c5"]}}, "filters.order"),
        ({"filters": {"order": ["c4", "c4"]}}, "filters.order"),
        ({"filters": {"url": {"banned_words": ["porn", "Bad-Word"]}}}, "filters.url.banned_words"),
        (
            {"filters": {"gopher_quality": {"stop_words": ["the", "two words"]}}},
            "filters.gopher_quality.stop_words",
        ),
        ({"filters": {"badwords": {"mode": "dorp"}}}, "filters.badwords.mode"),
        ({"extract": {"extractor": "lynx"}}, "extract.extractor"),
        # more distinct stop words than the list has would remove every English document
        ({"filters": {"gopher_quality": {"min_stop_words": 9}}}, "filters.gopher_quality.min_stop_words"),
        (
            {
                "filters": {
                    "per_language": {"de": {"gopher_quality": {"stop_words": ["der"], "min_stop_words": 2}}}
                }
            },
            "filters.per_language.de.gopher_quality.min_stop_words",
        ),
        ({"read": {"retries": 10, "retry_wait_s": 10}}, "read.retry_wait_s"),  # 10 s x 1023: hours
        ({"dedup": {"num_perm": 64}}, "dedup.bands"),  # 14 x 8 > 64
        ({"dedup": {"bands": False}}, "dedup.bands"),
        ({"dedup": {"threshold": 1.0}}, "dedup.threshold"),
    ],
)
def test_elements_and_keys_that_depend_on_each_other(data, key):
    assert f"config: {key} is out of range (allowed: " in refused(data)


def test_bounds_switched_off_with_false_and_validation_repeats():
    config = config_from_dict(
        {
            "filters": {
                "gopher_quality": {"min_words": False, "max_words": False},
                "per_language": {
                    "de": {"gopher_quality": {"stop_words": ["der", "die"], "min_stop_words": 2}}
                },
            },
            "dedup": {"bands": False, "rows": False},
        }
    )
    assert config.filters.gopher_quality.max_words is None
    assert config.validate() is config  # again, as the CLI does after its flags


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leaf=st.sampled_from(RANGED), data=st.data())
def test_cli_refuses_an_out_of_range_toml_with_one_line_and_writes_nothing(leaf, data, tmp_path, capsys):
    value = data.draw(outside(leaf).filter(lambda x: math.isfinite(x) and abs(x) < 2**63))
    section, *path = leaf.key.split(".")
    table = ".".join(path[:-1])
    toml = tmp_path / "bad.toml"
    toml.write_text(
        f"[{section}{'.' + table if table else ''}]\n{path[-1]} = {_toml(wrapped(leaf, value))}\n"
    )
    out = tmp_path / "out"
    capsys.readouterr()
    assert main(["run", "x.warc.gz", "-o", str(out), "--config", str(toml)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: config: {shown_key(leaf)} is out of range")
    assert not out.exists()


def _toml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return repr(value)
