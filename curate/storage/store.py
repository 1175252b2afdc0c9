"""One run's OUT in an object store, addressed by keys relative to OUT (`markers/<task>.json`).

Every operation is retried with a jittered, doubling wait: object stores throttle (503 SlowDown)
and drop connections under load, and many workers throttled at once must not come back at once.
An object appears whole or not at all (an object-store PUT is atomic), so nothing is written under
a temporary key: what a reader may trust is said by the object written last, a task's marker or
the run record, which names the other objects and their sizes.

The endpoint and credentials come from where fsspec and the store's client look (for S3: the AWS
environment variables, AWS_ENDPOINT_URL included, and ~/.aws), fsspec's config files, and
`--storage-option key=value`; nothing is wired in.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import fsspec

from curate.errors import CurateError, UsageError
from curate.storage.retry import PERMANENT, retrying

RETRIES = 6  # waits of 0.5 s doubling: about 30 s in all before an operation gives up
WAIT_S = 0.5
T = TypeVar("T")
_filesystems: dict[tuple[str, str], Any] = {}  # one client per process and store


class StoreError(CurateError):
    """The store failed an operation even after its retries (unreachable, throttled throughout)."""


def is_store_url(location: str) -> bool:
    """OUT is an fsspec URL of a store, not a local path (`file://` is a local path)."""
    protocol = location.split("://", 1)[0] if "://" in location else ""
    return bool(protocol) and protocol != "file"


def parse_storage_options(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs as fsspec storage options: a value that parses as JSON (numbers, true,
    null, objects) is that value, any other is a string; `a.b=v` nests (`client_kwargs.region_name`)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip() or any(not part for part in key.split(".")):
            raise UsageError(f"--storage-option {pair!r}: expected key=value")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        *parents, leaf = key.strip().split(".")
        node = options
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise UsageError(f"--storage-option {pair!r}: {part} is already a value")
        node[leaf] = value
    return options


def checked_url(url: str) -> str:
    """`url` without its trailing slashes, if it names a bucket and has no `.` or `..` part: the
    client or the server may resolve those (`s3://b/../x` is bucket x's), and the run would write
    outside the OUT it names; nor an empty one (`s3://b//x`). `s3:///x` names no bucket."""
    protocol, _, rest = url.partition("://")
    parts = rest.rstrip("/").split("/")
    if not parts[0]:
        raise StoreError(f"{url}: name a bucket (and a prefix): {protocol}://bucket/run")
    if {"", ".", ".."} & set(parts):
        raise StoreError(f"{url}: no empty, . or .. parts in an object store's URL")
    return url.rstrip("/")


def checked_key(key: str) -> str:
    """`key` if it names an object under OUT: relative, no `..` or `.` parts; a
    key read from a crafted marker cannot make a pull write outside the scratch folder."""
    parts = key.split("/")
    if not key or "\\" in key or "\0" in key or {"", ".", ".."} & set(parts):
        raise StoreError(f"{key!r} is not a key under OUT")
    return key


@dataclass(frozen=True)
class Store:
    """OUT at `url` (an fsspec URL) with `options` for its filesystem; pickles to Ray workers,
    each of which opens its own client."""

    url: str
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", checked_url(self.url))

    @property
    def fs(self) -> Any:
        cache_key = (self.url, json.dumps(self.options, sort_keys=True, default=str))
        if cache_key not in _filesystems:
            try:
                fs, _ = fsspec.core.url_to_fs(self.url, **self.options)
            except (ImportError, ValueError, TypeError) as exc:
                raise UsageError(f"-o {self.url}: {exc}") from None
            _filesystems[cache_key] = fs
        return _filesystems[cache_key]

    @property
    def root(self) -> str:
        return self.fs._strip_protocol(self.url).rstrip("/")

    def path(self, key: str) -> str:
        return f"{self.root}/{checked_key(key)}"

    def location(self, key: str) -> str:
        """The URL of `key`, for messages."""
        return f"{self.url}/{key}"

    # Reading.
    def files(self, prefix: str = "") -> dict[str, int]:
        """Every object under OUT (under `prefix`), by key, with its size."""
        base = f"{self.root}/{prefix}".rstrip("/")

        def listing() -> dict[str, int]:
            self.fs.invalidate_cache()  # other workers wrote since: list the store, not a cache
            try:
                found = self.fs.find(base, detail=True)
            except FileNotFoundError:
                return {}
            cut = len(self.root) + 1
            return {
                name[cut:]: int(info.get("size") or 0)
                for name, info in found.items()
                if info.get("type") != "directory" and name.startswith(self.root + "/")
            }

        return self._retrying(listing, f"list {self.url}/{prefix}")

    def read_bytes(self, key: str) -> bytes | None:
        """The object's bytes; None when there is no such object."""

        def read() -> bytes | None:
            try:
                return self.fs.cat_file(self.path(key))
            except FileNotFoundError:
                return None

        return self._retrying(read, f"read {self.location(key)}")

    def read_json_many(self, keys: list[str]) -> dict[str, Any]:
        """Each object parsed as JSON, fetched concurrently where the client can; a key missing or
        not JSON is left out."""
        if not keys:
            return {}
        paths = {self.path(key): key for key in keys}

        def read() -> dict[str, Any]:
            found = self.fs.cat(list(paths), on_error="return")
            for error in found.values():
                if isinstance(error, Exception) and not isinstance(error, FileNotFoundError):
                    raise error  # a transient failure of one object: the batch is retried
            return {path: data for path, data in found.items() if not isinstance(data, Exception)}

        parsed = {}
        for path, data in self._retrying(read, f"read {_what(self, keys)}").items():
            with contextlib.suppress(ValueError):
                parsed[paths[self.fs._strip_protocol(path)]] = json.loads(data)
        return parsed

    def read_json(self, key: str) -> Any:
        """The object parsed as JSON; None when missing or not JSON (a damaged marker is no marker)."""
        data = self.read_bytes(key)
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def get(self, key: str, local: Path) -> None:
        self.get_many({key: local})

    def get_many(self, files: dict[str, Path]) -> None:
        """Each key into its local file, concurrently where the store's client can (s3fs: in one
        batch); a failed batch is retried whole (a read is idempotent)."""
        if not files:
            return
        for local in files.values():
            local.parent.mkdir(parents=True, exist_ok=True)
        remote = [self.path(key) for key in files]
        local = [str(path) for path in files.values()]
        self._retrying(lambda: self._get(remote, local), f"read {_what(self, list(files))}")

    def _get(self, remote: list[str], local: list[str]) -> None:
        if getattr(self.fs, "async_impl", False):
            self.fs.get(remote, local)  # s3fs, gcsfs: the downloads run concurrently
            return
        for source, target in zip(remote, local):  # see _put
            self.fs.get_file(source, target)

    # Writing.
    def put(self, local: Path, key: str) -> None:
        self.put_many({key: local})

    def put_many(self, files: dict[str, Path]) -> None:
        """Each local file to its key, concurrently where the store's client can; a failed batch is
        retried whole (a PUT of the same bytes again is harmless)."""
        if not files:
            return
        remote = [self.path(key) for key in files]
        local = [str(path) for path in files.values()]
        self._retrying(lambda: self._put(local, remote), f"write {_what(self, list(files))}")

    def _put(self, local: list[str], remote: list[str]) -> None:
        if getattr(self.fs, "async_impl", False):
            self.fs.put(local, remote)  # s3fs, gcsfs: the uploads run concurrently
            return
        # Others upload one by one anyway, and their `put` makes the parent folders first, which
        # fails where an object already sits at such a path (`staged/lang=en/`: a folder marker).
        for source, target in zip(local, remote):
            self.fs.put_file(source, target)

    def write_bytes(self, key: str, data: bytes) -> None:
        self._retrying(lambda: self.fs.pipe_file(self.path(key), data), f"write {self.location(key)}")

    def delete(self, keys: list[str]) -> None:
        if keys:
            paths = [self.path(key) for key in keys]
            self._retrying(lambda: self._remove(paths), f"delete {len(keys)} object(s) under {self.url}")

    def _remove(self, paths: list[str]) -> None:
        with contextlib.suppress(FileNotFoundError):  # deleted already: a retry after the store did
            self.fs.rm(paths)

    def _retrying(self, action: Callable[[], T], what: str) -> T:
        describe = lambda exc: f"{what} failed ({type(exc).__name__}: {exc})"  # noqa: E731
        try:
            return retrying(
                action,
                describe,
                RETRIES,
                WAIT_S,
                lambda failure, attempts: StoreError(f"{failure}, after {attempts} retries"),
                jitter=True,
            )
        except PERMANENT as exc:  # no such bucket, access denied: one line, not a traceback
            raise StoreError(describe(exc)) from None


def _what(store: Store, keys: list[str]) -> str:
    """The objects of a batch, for messages: the one, or the first and how many more."""
    more = f" and {len(keys) - 1} more" if len(keys) > 1 else ""
    return f"{store.location(keys[0])}{more}"
