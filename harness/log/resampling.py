"""Resampling over cases: the bootstrap (Bisani & Ney 2004) and the paired sign-flip permutation test.

Both resample whole cases, so repeats of a case stay together. Every draw comes from a generator seeded by
the caller (``seed_for``), so the same run always gives the same report.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from harness.log.casetotals import CaseTotals, Floats
from harness.log.stats import t_critical

#: Bootstrap resamples per interval; with the expanded percentile a 95% interval's end points move by about
#: 0.02 standard errors between seeds at this size.
BOOTSTRAP_ROUNDS = 4000
#: Below this many cases the bootstrap has too few distinct resamples; intervals use the clustered t instead.
MIN_BOOTSTRAP_CASES = 5
#: Sign-flip draws when there are too many cases to enumerate every flip.
PERMUTATION_ROUNDS = 20000
#: Up to this many cases that differ between the two rows, every sign flip is enumerated (exact p).
EXACT_CASES = 14


def seed_for(*parts: str) -> int:
    """A stable seed for one figure, from its names (independent of the order figures are computed in)."""
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


def expanded_alpha(k: int, level: float = 0.95) -> float:
    """Tail probability of Hesterberg's expanded percentile interval for ``k`` cases.

    The plain percentile interval is too narrow with few cases (like a z interval with a biased sd); this
    widens it so its half-width matches ``sqrt(k/(k-1)) t_{k-1}`` instead of ``z``.
    """
    if k < 2:
        raise ValueError("need two cases")
    target = math.sqrt(k / (k - 1)) * t_critical(k - 1, level)
    return 2 * (1 - _normal_cdf(target))


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def percentile_interval(replicates: Floats, k: int, level: float = 0.95, expanded: bool = True) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates (expanded for ``k`` cases unless ``expanded`` is False)."""
    alpha = expanded_alpha(k, level) if expanded else 1 - level
    low, high = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


#: Resampled case indices held at once: the draws come in blocks of rounds, so 4,000 resamples of 10,000 cases
#: need a few MB at a time instead of hundreds (the same draws, in the same order, as one block).
DRAW_CELLS = 1 << 20


def case_draws(k: int, rounds: int, seed: int) -> np.ndarray:
    """``rounds`` bootstrap resamples of ``k`` case indices, drawn with replacement."""
    return np.random.default_rng(seed).integers(0, k, size=(rounds, k))


def _sums(k: int, rounds: int, seed: int, *columns: np.ndarray) -> list[np.ndarray]:
    """For each column, its sum over each of ``rounds`` resamples of the ``k`` cases (drawn as ``case_draws``)."""
    rng = np.random.default_rng(seed)
    block = max(1, DRAW_CELLS // max(k, 1))
    out: list[list[np.ndarray]] = [[] for _ in columns]
    for start in range(0, rounds, block):
        idx = rng.integers(0, k, size=(min(block, rounds - start), k))
        for sums, column in zip(out, columns, strict=True):
            sums.append(column[idx].sum(axis=1))
    return [np.concatenate(parts) if parts else np.zeros(0) for parts in out]


def bootstrap_ratio(totals: CaseTotals, seed: int, rounds: int = BOOTSTRAP_ROUNDS) -> Floats:
    """Replicates of R = sum(num) / sum(den) over cases resampled with replacement."""
    num, den = _sums(totals.k, rounds, seed, totals.num, totals.den)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    return np.asarray(out[den > 0], dtype=np.float64)


@dataclass(frozen=True)
class PairedBootstrap:
    """Bootstrap of the difference R_B - R_A over paired cases."""

    replicates: Floats

    def interval(self, k: int, level: float = 0.95) -> tuple[float, float]:
        return percentile_interval(self.replicates, k, level)

    def share_above_zero(self) -> float:
        """Share of resamples where R_B > R_A (Bisani & Ney's probability of improvement when higher is better)."""
        return float(np.mean(self.replicates > 0))

    def share_below_zero(self) -> float:
        return float(np.mean(self.replicates < 0))


def paired_bootstrap(a: CaseTotals, b: CaseTotals, seed: int, rounds: int = BOOTSTRAP_ROUNDS) -> PairedBootstrap:
    """Resample the shared cases (the same draw for both rows) and recompute R_B - R_A (Bisani & Ney 2004)."""
    if a.cases != b.cases:
        raise ValueError("rows must be aligned on the same cases")
    num_a, den_a, num_b, den_b = _sums(a.k, rounds, seed, a.num, a.den, b.num, b.den)
    keep = (den_a > 0) & (den_b > 0)
    diff = num_b[keep] / den_b[keep] - num_a[keep] / den_a[keep]
    return PairedBootstrap(np.asarray(diff, dtype=np.float64))


@dataclass(frozen=True)
class PermutationResult:
    p_value: float
    exact: bool
    rounds: int


def sign_flip_p(a: CaseTotals, b: CaseTotals, seed: int, rounds: int = PERMUTATION_ROUNDS) -> PermutationResult:
    """Two-sided paired permutation test of R_B - R_A = 0, swapping the two rows' trials case by case.

    Under "no difference" the labels A and B of a case's trials are exchangeable, so every pattern of swaps
    is equally likely. Exact (every pattern) when at most ``EXACT_CASES`` cases differ; otherwise ``rounds``
    seeded random patterns with the (hits + 1) / (rounds + 1) estimate, which never reports p = 0.
    With one pass/fail trial per case on each side this is McNemar's exact test.
    """
    if a.cases != b.cases:
        raise ValueError("rows must be aligned on the same cases")
    observed = _diff(a.num.sum(), a.den.sum(), b.num.sum(), b.den.sum())
    moving = np.flatnonzero((a.num != b.num) | (a.den != b.den))
    if moving.size == 0 or observed == 0:
        return PermutationResult(1.0, True, 0)
    dn = a.num[moving] - b.num[moving]
    dd = a.den[moving] - b.den[moving]
    exact = moving.size <= EXACT_CASES
    if exact:
        flips = _all_flips(int(moving.size))
    else:
        flips = np.random.default_rng(seed).integers(0, 2, size=(rounds, moving.size)).astype(np.float64)
    # Swapping case k moves (num, den) of A into B and back: B gains dn_k, dd_k and A loses them.
    num_b, den_b = b.num.sum() + flips @ dn, b.den.sum() + flips @ dd
    num_a, den_a = a.num.sum() - flips @ dn, a.den.sum() - flips @ dd
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = num_b / den_b - num_a / den_a
    tolerance = 1e-9 * max(1e-12, abs(observed))
    hits = int(np.sum(np.abs(np.nan_to_num(stats)) >= abs(observed) - tolerance))
    if exact:
        return PermutationResult(hits / flips.shape[0], True, flips.shape[0])
    return PermutationResult((hits + 1) / (rounds + 1), False, rounds)


@lru_cache(maxsize=EXACT_CASES + 1)
def _all_flips(n: int) -> Floats:
    """Every 0/1 swap pattern of n cases, one per row (2**n rows)."""
    return ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.float64)


def _diff(num_a: float, den_a: float, num_b: float, den_b: float) -> float:
    if den_a <= 0 or den_b <= 0:
        return 0.0
    return float(num_b / den_b - num_a / den_a)


def min_exact_p(moving_cases: int) -> float:
    """The smallest p-value a sign-flip test on this many differing cases can give: 2 / 2**n."""
    return 1.0 if moving_cases == 0 else min(1.0, 2.0 / 2**moving_cases)


__all__ = [
    "BOOTSTRAP_ROUNDS",
    "MIN_BOOTSTRAP_CASES",
    "PERMUTATION_ROUNDS",
    "PairedBootstrap",
    "PermutationResult",
    "bootstrap_ratio",
    "expanded_alpha",
    "min_exact_p",
    "paired_bootstrap",
    "percentile_interval",
    "seed_for",
    "sign_flip_p",
]
