"""Statistics for comparing runs: confidence intervals and paired tests, with no heavy dependencies.

- Means: 95% interval from Student's t (exact critical values for small samples).
- Proportions (pass rates): Wilson score interval, which behaves at 0% and 100%.
- Paired differences: exact sign-flip permutation test for n <= 16; 4,000 seeded random sign flips
  for n <= 40 (deterministic: the same data give the same p-value); beyond that the paired t
  statistic's normal approximation, which is accurate there and keeps large runs fast.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence

# Two-sided 95% critical values of Student's t for 1..30 degrees of freedom.
_T975 = [
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
]


def t_critical(df: int) -> float:
    if df < 1:
        raise ValueError("degrees of freedom must be >= 1")
    if df <= 30:
        return _T975[df - 1]
    # Cornish-Fisher style expansion around the normal quantile; error < 1e-3 for df > 30.
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def mean_ci(values: Sequence[float]) -> tuple[float, float | None, float | None]:
    """Mean and its 95% confidence interval (None bounds with fewer than two values)."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    mean = math.fsum(values) / n
    if n < 2:
        return mean, None, None
    half = t_critical(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return mean, mean - half, mean + half


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval for a proportion."""
    if n == 0:
        raise ValueError("no trials")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def paired_permutation_p(diffs: Sequence[float], rounds: int = 4000, seed: int = 0) -> float:
    """Two-sided p-value that the mean paired difference is zero."""
    n = len(diffs)
    if n == 0:
        raise ValueError("no pairs")
    observed = abs(math.fsum(diffs))
    if observed == 0:
        return 1.0
    if n > 40:
        sd = statistics.stdev(diffs)
        if sd == 0:
            return 0.0
        t = abs(math.fsum(diffs) / n) / (sd / math.sqrt(n))
        return math.erfc(t / math.sqrt(2))
    tolerance = 1e-12 * max(1.0, observed)
    if n <= 16:
        hits = 0
        for mask in range(1 << n):
            total = math.fsum(-d if mask >> i & 1 else d for i, d in enumerate(diffs))
            if abs(total) >= observed - tolerance:
                hits += 1
        return hits / (1 << n)
    rng = random.Random(seed)
    hits = 0
    for _ in range(rounds):
        total = math.fsum(d if rng.random() < 0.5 else -d for d in diffs)
        if abs(total) >= observed - tolerance:
            hits += 1
    return (hits + 1) / (rounds + 1)
