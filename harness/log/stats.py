"""Statistical primitives: quantiles, the t and Wilson intervals, McNemar's exact test, Holm's adjustment.

The clustered intervals, the bootstrap and the paired tests built on these live in ``harness.log.intervals``,
``harness.log.resampling`` and ``harness.log.comparisons``; docs/statistics.md explains each with its formula.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from functools import lru_cache

Z975 = 1.959963984540054


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t with ``df`` degrees of freedom (scipy's ``stdtrit``)."""
    if df <= 0:
        raise ValueError("degrees of freedom must be > 0")
    from scipy.special import stdtrit  # imported on first use: the harness starts without scipy

    return float(stdtrit(df, p))


def t_critical(df: float, level: float = 0.95) -> float:
    """Two-sided critical value of Student's t: ``t_{1-(1-level)/2, df}``."""
    if df < 1:
        raise ValueError("degrees of freedom must be >= 1")
    return t_quantile(1 - (1 - level) / 2, df)


def normal_quantile(p: float) -> float:
    return statistics.NormalDist().inv_cdf(p)


def mean_ci(values: Sequence[float]) -> tuple[float, float | None, float | None]:
    """Mean and its 95% t interval treating every value as independent (None bounds below two values).

    Applied to trials with repeats this is too narrow (repeats of a case are correlated); the summary
    uses it only on independent units such as case means (see ``harness.log.intervals``).
    """
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = math.fsum(values) / n
    if n < 2:
        return mean, None, None
    half = t_critical(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return mean, mean - half, mean + half


def wilson(successes: float, n: float, z: float = Z975) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n``; ``n`` may be an effective sample size."""
    if n <= 0:
        raise ValueError("no trials")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(max(0.0, p * (1 - p)) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs: ``b`` (A passed, B failed), ``c`` (the reverse).

    Under no difference each discordant pair is a fair coin: p = min(1, 2 P(X <= min(b, c))), X ~ Bin(b+c, 1/2).
    """
    n = b + c
    if n == 0:
        return 1.0
    tail = math.fsum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (same order as given): the family-wise error stays at most alpha."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
