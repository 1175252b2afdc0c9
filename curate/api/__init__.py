"""The Python API: `curate.run`, `curate.filter_texts`, `curate.filter_frame`, `curate.stats`
and `curate.register_filter` (README, "Python API"). Each is a thin layer over what the CLI runs."""

from curate.api.run import run
from curate.api.tables import stats
from curate.api.texts import filter_frame, filter_texts
from filters.registry import register_filter

__all__ = ["filter_frame", "filter_texts", "register_filter", "run", "stats"]
