"""Shared by the pretraining tests: the curated shards of the Common Crawl text sample, made once."""

from __future__ import annotations

import pytest

from curate.config import Config
from tests.conftest import CC_TEXT, run


@pytest.fixture(scope="session")
def cc_shards(tmp_path_factory):
    """The shared Common Crawl text sample through the default pipeline (language ID, filters, dedup)."""
    out = tmp_path_factory.mktemp("train") / "run"
    run([CC_TEXT], out, Config())
    return out
