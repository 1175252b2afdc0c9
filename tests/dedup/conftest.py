"""Shared by the dedup tests."""

from __future__ import annotations

# Jaccard similarities of the generated pairs (tests.generated.pair_with_jaccard)
LEVELS = [round(0.30 + 0.05 * i, 2) for i in range(14)]  # 0.30 .. 0.95
