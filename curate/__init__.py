"""curate: turn raw web crawls into audited pretraining shards.

The Python API (README, "Python API"): `curate.run`, `curate.filter_texts`, `curate.filter_frame`,
`curate.stats` and `curate.register_filter`. They load on first use, so that `import curate`
(which the CLI does) stays cheap.
"""

from typing import Any

__version__ = "0.1.0"

# Bumped whenever a column is added, removed or changes meaning; written into every Parquet file.
SCHEMA_VERSION = "2"

_API = ("run", "filter_texts", "filter_frame", "stats", "register_filter")
__all__ = ["SCHEMA_VERSION", "__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from curate import api

        return getattr(api, name)
    raise AttributeError(f"module 'curate' has no attribute {name!r}")
