"""Hostile tests of `curate run -o <store>`: crafted store contents before a run (markers, run
records, leases, odd objects), input file names that become task ids and keys, and `-o` URLs and
`--storage-option` values from the command line. On fsspec's in-memory store, in this process: a
run must succeed with a clean run's shards or refuse with one line, and write nothing outside OUT."""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import time
import uuid

import fsspec
import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.config import Config
from curate.errors import CurateError, UsageError
from curate.layout import task_of
from curate.pipeline.run import run_pipeline
from curate.storage import Store, lease
from curate.storage.store import StoreError, checked_key
from tests.conftest import SAMPLE, WARC_DIR

INPUTS = [str(SAMPLE), str(WARC_DIR / "whirlwind.warc.gz")]
FS = fsspec.filesystem("memory")
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def quick_lease(monkeypatch):
    monkeypatch.setattr(lease, "SETTLE_S", 0.0)


def memory_state() -> dict[str, bytes]:
    """Every object of the whole in-memory filesystem, by path."""
    return {path: bytes(f.getbuffer()) for path, f in FS.store.items()}


def outside(state: dict[str, bytes], root: str) -> dict[str, bytes]:
    return {path: data for path, data in state.items() if not path.startswith(f"/{root}/")}


def fresh_root() -> str:
    return f"fuzz/{uuid.uuid4().hex}"


def shards_of(url: str) -> pl.DataFrame:
    """The shards run.json names, read as a consumer reads them: id and text, sorted."""
    store = Store(url)
    record = json.loads(store.read_bytes("run.json"))
    tables = [pl.from_arrow(pq.read_table(f"{store.root}/{key}", filesystem=FS)) for key in record["shards"]]
    return pl.concat(tables).select("id", "text").sort("id")


@pytest.fixture(scope="module")
def clean() -> dict:
    """A clean run into the store: its objects and its shards."""
    root = fresh_root()
    run_pipeline(INPUTS, f"memory://{root}", Config().validate(), show_progress=False)
    store = Store(f"memory://{root}")
    objects = {key: store.read_bytes(key) for key in store.files()}
    result = {"objects": objects, "shards": shards_of(f"memory://{root}")}
    FS.rm(root, recursive=True)
    return result


def addressable(key: str) -> bool:
    try:
        checked_key(key)
    except StoreError:
        return False
    return True


def assert_sound(url: str, clean: dict, before: dict[str, bytes]) -> None:
    """The run's shards are a clean run's, run.json names exactly the shard objects, every object
    of a task is of this run's tasks, and nothing outside OUT changed. (Objects no Store can name,
    `a\\b`, are left: none is ever read.)"""
    root = url.removeprefix("memory://")
    assert outside(memory_state(), root) == outside(before, root)
    assert shards_of(url).equals(clean["shards"])
    store = Store(url)
    listing = [key for key in store.files() if addressable(key)]
    record = json.loads(store.read_bytes("run.json"))
    assert record["shards"] == sorted(k for k in listing if k.startswith("shards/"))
    tasks = {task_of(k) for k in clean["objects"]} - {None}
    assert {task_of(k) for k in listing} - {None} <= tasks
    for key in set(clean["objects"]) - {"run.json", lease.LOCK_KEY}:
        assert key in listing, key
    assert lease.LOCK_KEY not in listing  # released


# Strategies.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
odd_names = st.sampled_from(
    [
        "..",
        ".",
        "",
        "a\\b",
        "x\0y",
        "é\u202e",
        " ",
        "%2e%2e",
        "../../escape.parquet",
        "/abs.parquet",
        "run.json",
        ".curate.lock",
        "part-x-00000.parquet",
        "part-other-0123abcd-00000.parquet",
        "other-0123abcd.parquet",
        "other-0123abcd-00001.parquet",
        ".part-x.parquet.tmp",
        "shard-99999.parquet",
        "x" * 300,
    ]
) | st.text(alphabet=st.sampled_from("ab.-_/\\=é% #?+"), min_size=1, max_size=12)
# Keys memory:// cannot hold beside the run's own objects: OUT itself ("", "/") and its folders.
LAYOUT_FOLDERS = {
    "", "staged/lang=en", "staged", "stats", "stats/removed", "stats/errors", "markers",
    "dedup", "dedup/signatures", "dedup/pairs", "shards", "shards/lang-en", "report",
}  # fmt: skip
odd_dirs = st.sampled_from(
    [
        "staged/lang=en/",
        "staged/lang=../",
        "staged/",
        "stats/",
        "stats/removed/",
        "stats/errors/",
        "markers/",
        "dedup/signatures/",
        "dedup/pairs/",
        "shards/lang-en/",
        "shards/",
        "report/",
        "excluded/reason-x/",
        "",
    ]
)
bytes_contents = st.binary(max_size=64) | st.sampled_from(
    [b"\xff\xfe{", b"{}", b"[]", b"null", b"PAR1junkPAR1"]
)


def real_marker_keys(clean: dict) -> list[str]:
    return sorted(k for k in clean["objects"] if k.startswith("markers/"))


@st.composite
def crafted_marker(draw, keys: list[str], originals: dict[str, dict]) -> tuple[str, bytes]:
    """A marker of one of the run's tasks (or of another) with fields wrong-typed, or not JSON."""
    key = draw(st.sampled_from([*keys, "markers/other-0123abcd.json", "markers/.json"]))
    base = dict(originals.get(key) or originals[keys[0]])
    outputs = st.one_of(
        json_values,
        st.dictionaries(odd_dirs.flatmap(lambda d: odd_names.map(lambda n: d + n)), json_values, max_size=4),
        st.just(list(base["outputs"])),
        st.just({k: str(v) for k, v in base["outputs"].items()}),
        st.just({k: -v for k, v in base["outputs"].items()}),
        st.just({k: v + 10**20 for k, v in base["outputs"].items()}),
        st.just({**base["outputs"], "run.json": 1}),
        st.just(dict(list(base["outputs"].items())[:1])),  # a subset: the signatures left out
    )
    for field in draw(st.sets(st.sampled_from(["outputs", "totals", "input_size", "config_hash", "task"]))):
        strategy = outputs if field == "outputs" else json_values
        if draw(st.booleans()):
            base[field] = draw(strategy)
        else:
            base.pop(field)
    if draw(st.integers(0, 5)) == 0:
        return key, draw(bytes_contents)
    return key, json.dumps(base).encode()


@st.composite
def crafted_store(draw, clean: dict) -> dict[str, bytes]:
    keys = real_marker_keys(clean)
    originals = {k: json.loads(clean["objects"][k]) for k in keys}
    objects: dict[str, bytes] = {}
    for _ in range(draw(st.integers(0, 3))):
        key, data = draw(crafted_marker(keys, originals))
        objects[key] = data
    if draw(st.booleans()):
        record = draw(
            json_values
            | st.fixed_dictionaries({"inputs": json_values})
            | st.fixed_dictionaries({"tasks": json_values})
            | st.fixed_dictionaries({"inputs": st.just(INPUTS), "shards": json_values})
        )
        objects["run.json"] = json.dumps(record).encode() if draw(st.booleans()) else draw(bytes_contents)
    if draw(st.booleans()):
        renewed = draw(
            json_values | st.sampled_from([math.nan, math.inf, 1e308, time.time() + 1e9, -1e9, "1e400"])
        )
        if (
            isinstance(renewed, int | float)
            and not isinstance(renewed, bool)
            and abs(renewed - time.time()) < 200
        ):
            renewed = 0  # a fresh lease refuses by design: tested on its own
        lock = json.dumps({"token": "x", "renewed": renewed}).encode()
        objects[lease.LOCK_KEY] = draw(st.just(lock) | bytes_contents | st.just(json.dumps(renewed).encode()))
    for _ in range(draw(st.integers(0, 4))):
        key = draw(odd_dirs) + draw(odd_names)
        # An object named like a folder of OUT's layout (`staged/lang=en/`, a folder marker) is
        # harmless on S3, but fsspec's memory:// filesystem then holds a file where the run's
        # folder must be, and cannot write under it: not a case a real store has.
        if key.rstrip("/") not in LAYOUT_FOLDERS:
            objects[key] = draw(bytes_contents)
    return objects


def seed(root: str, clean: dict, seeded: bool, crafted: dict[str, bytes]) -> None:
    if seeded:
        for key, data in clean["objects"].items():
            FS.pipe_file(f"/{root}/{key}", data)
    for key, data in crafted.items():
        FS.pipe_file(f"/{root}/{key}", data)  # raw: an S3 bucket may hold any key


@FUZZ
@given(data=st.data(), seeded=st.booleans())
def test_crafted_store_contents_never_break_a_run_or_leak(clean, data, seeded):
    crafted = data.draw(crafted_store(clean))
    root = fresh_root()
    url = f"memory://{root}"
    seed(root, clean, seeded, crafted)
    before = memory_state()
    try:
        try:
            result = run_pipeline(INPUTS, url, Config().validate(), show_progress=False)
        except UsageError as exc:  # a run record naming other inputs: refused, as for a folder
            assert "holds a run over other inputs" in str(exc)
            assert outside(memory_state(), root) == outside(before, root)
            return
        assert not result.failed
        assert_sound(url, clean, before)
    finally:
        with contextlib.suppress(FileNotFoundError):
            FS.rm(root, recursive=True)


def test_a_signature_damaged_in_place_is_redone_by_the_rerun(clean):
    """The marker records sizes only: a signature object with a byte flipped matches it. The finish
    checks the checksum, withdraws the task's marker and fails; the rerun redoes the task."""
    root = fresh_root()
    url = f"memory://{root}"
    seed(root, clean, True, {})
    key = next(k for k in clean["objects"] if k.startswith("dedup/signatures/") and k.endswith(".parquet"))
    damaged = bytearray(clean["objects"][key])
    damaged[len(damaged) // 2] ^= 0xFF
    FS.pipe_file(f"/{root}/{key}", bytes(damaged))
    before = memory_state()
    with pytest.raises(CurateError, match="damaged"):
        run_pipeline(INPUTS, url, Config().validate(), show_progress=False)
    again = run_pipeline(INPUTS, url, Config().validate(), show_progress=False)
    assert [t.resumed for t in again.tasks] == [t.task != task_of(key) for t in again.tasks]
    assert_sound(url, clean, before)


def test_a_marker_naming_only_some_of_its_tasks_objects_is_no_marker(clean):
    """Its signatures left out, a marker must not match (the finish would lack them)."""
    root = fresh_root()
    url = f"memory://{root}"
    seed(root, clean, True, {})
    key = real_marker_keys(clean)[0]
    marker = json.loads(clean["objects"][key])
    marker["outputs"] = {k: v for k, v in marker["outputs"].items() if not k.startswith("dedup/")}
    FS.pipe_file(f"/{root}/{key}", json.dumps(marker).encode())
    before = memory_state()
    result = run_pipeline(INPUTS, url, Config().validate(), show_progress=False)
    assert [t.resumed for t in result.tasks] == [t.task != task_of(key) for t in result.tasks]
    assert_sound(url, clean, before)


@pytest.mark.parametrize("renewed", ["abc", [1], {"a": 1}, None, True, math.nan, 1e308, -1e308])
def test_a_damaged_lease_is_taken_over_not_a_traceback(renewed):
    store = Store(f"memory://{fresh_root()}")
    store.write_bytes(lease.LOCK_KEY, json.dumps({"token": "x", "renewed": renewed}).encode())
    with lease.store_lock(store):
        assert json.loads(store.read_bytes(lease.LOCK_KEY))["token"] != "x"


def test_a_lease_ahead_of_this_clock_holds_within_the_lease_and_not_for_ever():
    """A holder whose clock runs a little ahead still holds OUT; a lease renewed far in the future
    is damaged and must not lock OUT for ever."""
    store = Store(f"memory://{fresh_root()}")
    store.write_bytes(lease.LOCK_KEY, json.dumps({"token": "x", "renewed": time.time() + 5}).encode())
    with pytest.raises(UsageError, match="another curate run is writing here"), lease.store_lock(store):
        pass
    store.write_bytes(lease.LOCK_KEY, json.dumps({"token": "x", "renewed": time.time() + 1e6}).encode())
    with lease.store_lock(store):
        pass


@pytest.mark.parametrize(
    "record", [b"[", b"\xff\xfe", b"5", b'"x"', b"null", b'{"inputs": 5}', b'{"tasks": [1]}']
)
def test_a_damaged_run_record_is_no_run_not_a_traceback(clean, record):
    root = fresh_root()
    url = f"memory://{root}"
    seed(root, clean, True, {"run.json": record})
    before = memory_state()
    result = run_pipeline(INPUTS, url, Config().validate(), show_progress=False)
    assert not result.failed
    assert_sound(url, clean, before)


@pytest.mark.parametrize(
    "key", ["markers/a\\b.json", "stats/removed/a\\b-00000.parquet", "shards/lang-en/a\\b"]
)
def test_an_object_a_store_cannot_name_does_not_fail_every_run(clean, key):
    """S3 keys may hold backslashes; the cleanup must not fail the run on one (it is never read)."""
    root = fresh_root()
    url = f"memory://{root}"
    seed(root, clean, True, {key: b"junk"})
    before = memory_state()
    assert not run_pipeline(INPUTS, url, Config().validate(), show_progress=False).failed
    assert_sound(url, clean, before)


# Input names: they become task ids, hence keys.
@FUZZ
@given(
    name=st.one_of(
        st.sampled_from(
            [
                ".hidden.warc.gz",
                "..warc.gz",
                "a b%#?+é.warc.gz",
                "run.json",
                ".curate.lock",
                "markers",
                "part-x-00000.parquet",
                "shard-00000.parquet",
                "-.warc.gz",
                "x" * 240 + ".warc.gz",
                "é" * 120,
            ]
        ),
        st.text(
            alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="/\0"),
            min_size=1,
            max_size=40,
        ).filter(lambda n: n not in (".", "..") and len(n.encode()) < 250),
    )
)
def test_input_file_names_become_keys_that_resume(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("inputs")
    path = folder / name
    shutil.copy(WARC_DIR / "whirlwind.warc.gz", path)
    root = fresh_root()
    url = f"memory://{root}"
    before = memory_state()
    config = Config().validate()
    first = run_pipeline([str(path)], url, config, show_progress=False)
    assert not first.failed and not first.tasks[0].failure
    store = Store(url)
    for key in store.files():
        checked_key(key)
        assert len(f"{root}/{key}".encode()) < 1024  # S3's limit on a key
    again = run_pipeline([str(path)], url, config, show_progress=False)
    assert [t.resumed for t in again.tasks] == [True]
    assert outside(memory_state(), root) == outside(before, root)
    FS.rm(root, recursive=True)


# The command line.
def _main(argv: list[str], capsys) -> tuple[int, list[str]]:
    from curate.cli.main import main

    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, [line for line in err.splitlines() if line.startswith("error")]


@pytest.mark.parametrize(
    "out",
    [
        "s3://",
        "s3:///x",
        "s3:////",
        "memory://",
        "memory:///",
        "memory://b/\x01x",
        "memory://b/../../etc",
        "memory://b/./x",
        "s3://b/../other",
        "file://",
        "nosuch://b/x",
    ],
)
def test_bad_output_urls_exit_2_with_one_line(out, capsys):
    before = memory_state()
    code, errors = _main(["run", str(WARC_DIR / "whirlwind.warc.gz"), "-o", out, "--no-progress"], capsys)
    assert code == 2 and len(errors) == 1
    assert memory_state() == before


@pytest.mark.parametrize("option", ["=1", "a.=1", ".a=1", "novalue", "a..b=1"])
def test_bad_storage_options_exit_2_with_one_line(option, capsys):
    argv = ["run", str(SAMPLE), "-o", "memory://b/x", "--no-progress", f"--storage-option={option}"]
    code, errors = _main(argv, capsys)
    assert code == 2 and len(errors) == 1


def test_a_trailing_slash_and_file_urls_are_the_same_out(tmp_path, capsys):
    whirlwind = str(WARC_DIR / "whirlwind.warc.gz")
    root = fresh_root()
    args = ["--no-progress", "--workers", "1"]
    assert _main(["run", whirlwind, "-o", f"memory://{root}///", *args], capsys)[0] == 0
    assert _main(["run", whirlwind, "-o", f"memory://{root}", *args], capsys)[0] == 0
    assert "run.json" in Store(f"memory://{root}").files()
    assert not any(p.startswith(f"/{root}//") for p in FS.store)
    FS.rm(root, recursive=True)
    local = tmp_path / "out"
    assert _main(["run", whirlwind, "-o", f"file://{local}", *args], capsys)[0] == 0
    assert (local / "run.json").is_file()  # a local folder, as `-o {local}`


@given(st.lists(st.text(alphabet=st.sampled_from('ab.=1{}"[],: \\é\x07'), max_size=12), max_size=4))
@settings(max_examples=200, deadline=None)
def test_storage_option_parsing_is_usage_error_or_a_dict(pairs):
    from curate.storage import parse_storage_options

    try:
        options = parse_storage_options(pairs)
    except UsageError:
        return
    assert isinstance(options, dict)
