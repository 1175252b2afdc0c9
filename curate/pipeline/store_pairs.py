"""Dedup's pair tasks when OUT is in an object store: one task per key column, as on a folder, each
run by the cluster on any node. A task pulls the signature files it reads into its own scratch
folder and publishes the sealed pairs file it writes (its checksum first, so that a pairs file in
the store always has its checksum beside it); the finish task then pulls the pairs to cluster them."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from curate.dedup.pairs import SignatureSource, candidate_pairs
from curate.executors import Executor, TaskFailed
from curate.layout import checksum_path
from curate.storage import Store


class PairsThroughStore:
    """An executor of dedup's `candidate_pairs` tasks over the files of `root` (the finish task's
    scratch copy of OUT), which runs them on `inner` through `store` and pulls each result back."""

    in_process = False

    def __init__(self, inner: Executor, store: Store, root: Path) -> None:
        self.inner, self.store, self.root = inner, store, root
        self.workers = inner.workers
        self.pulled: set[str] = set()  # the keys pulled back: published already

    def imap_unordered(self, fn: Callable[..., Any], tasks: list[tuple]) -> Iterator[tuple[int, Any]]:
        if fn is not candidate_pairs:
            raise TypeError(f"PairsThroughStore runs dedup's pair tasks, not {fn.__name__}")
        keyed = [
            (self.store, column, [replace(s, path=self._key(s.path)) for s in sources], self._key(out), *rest)
            for column, sources, out, *rest in tasks
        ]
        for index, result in self.inner.imap_unordered(pairs_in_store, keyed):
            if not isinstance(result, TaskFailed):
                keys = [result, checksum_path(Path(result)).as_posix()]
                self.store.get_many({key: self.root / key for key in keys})
                self.pulled.update(keys)
                result = self.root / result
            yield index, result

    def close(self) -> None:
        self.inner.close()

    def terminate(self) -> None:
        self.inner.terminate()

    def _key(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()


def pairs_in_store(
    store: Store, column: str, sources: list[SignatureSource], out_key: str, *options: Any
) -> str:
    """`candidate_pairs` over `sources` (their paths: keys in `store`), published at `out_key`."""
    with tempfile.TemporaryDirectory(prefix="curate-pairs-") as scratch:
        root = Path(scratch)
        keys = [Path(source.path).as_posix() for source in sources]
        store.get_many({key: root / key for key in keys})
        local = [replace(source, path=root / key) for source, key in zip(sources, keys)]
        written = candidate_pairs(column, local, root / out_key, *options)
        store.put(checksum_path(written), checksum_path(Path(out_key)).as_posix())
        store.put(written, out_key)
    return out_key
