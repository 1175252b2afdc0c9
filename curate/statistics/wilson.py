"""The Wilson score interval of a rate (Wilson 1927): how sure a count of k in n makes us of k/n.

The audit reads a flag with it: 3 removed of 3 is a rate of 1, but its 95% interval starts at 0.44,
so it says little against an overall rate of 0.4; 300 of 300 starts at 0.99. Unlike the normal
approximation, the interval stays inside [0, 1] and is not empty at 0 of n or n of n."""

from __future__ import annotations

import polars as pl

Z_95 = 1.959964  # the standard normal quantile of 0.975: a two-sided 95% interval


def wilson_interval(successes: str, trials: str, z: float = Z_95) -> tuple[pl.Expr, pl.Expr]:
    """(low, high) of the Wilson score interval of successes / trials, as polars expressions,
    null where trials is 0 (or null)."""
    n = pl.col(trials).cast(pl.Float64)
    p = pl.col(successes).cast(pl.Float64) / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * (p * (1 - p) / n + z**2 / (4 * n**2)).sqrt()
    # Exact at 0 of n and n of n, where rounding leaves an end a hair off 0 or 1.
    low = pl.when(pl.col(successes) == 0).then(0.0).otherwise(centre - half)
    high = pl.when(pl.col(successes) == pl.col(trials)).then(1.0).otherwise(centre + half)
    valid = pl.col(trials) > 0
    return pl.when(valid).then(low), pl.when(valid).then(high)


def wilson_bounds(successes: int, trials: int) -> tuple[float, float]:
    """(low, high) of one count's Wilson interval; (0, 1) for no trials, where it says nothing."""
    if trials <= 0:
        return 0.0, 1.0
    low, high = wilson_interval("k", "n")
    return pl.DataFrame({"k": [successes], "n": [trials]}).select(low.alias("low"), high.alias("high")).row(0)
