"""Fixtures shared by the filter tests."""

from __future__ import annotations

import pytest

from filters import Badwords
from tests.filters.helpers import LISTS


@pytest.fixture(scope="module")
def badwords() -> Badwords:
    return Badwords(LISTS)
