"""fastText supervised training in a fresh process of its own.

fastText 0.9.3's training reads memory it did not initialize: in a process whose heap holds freed
NumPy arrays of NaN or 0xFFFFFFFF words (dedup's MinHash leaves them), it stops with "Encountered
NaN" at any learning rate; in a fresh interpreter it trains as it should. So every training runs in
a child started as loky starts workers (a fresh interpreter that does not re-run the user's script).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def _train(rows_file: str, output: str, params: dict[str, Any]) -> None:
    import fasttext

    fasttext.train_supervised(rows_file, **params).save_model(output)


def train_supervised(rows: Sequence[str], output: str | os.PathLike, **params: Any) -> None:
    """Train on `rows` (fastText's `__label__x text` lines, each ending in a newline) with
    fastText's `params`, in a fresh process; the model is saved to `output`."""
    from loky.backend.context import get_context

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as fh:
        fh.writelines(rows)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("loky")) as pool:
            pool.submit(_train, fh.name, str(output), params).result()
    finally:
        os.unlink(fh.name)
