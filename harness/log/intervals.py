"""95% intervals for one summary row, clustered by case, chosen by the metric's declared kind.

- continuous and count metrics: the mean of all trials with a cluster-robust standard error and Student's t
  on (cases - 1) degrees of freedom. With the same number of repeats in every case this is exactly the t
  interval of the case means.
- proportions (pass rate, yes/no metrics): the Wilson interval at the effective sample size
  ``p(1-p) / se^2`` (the trial count shrunk by the design effect, kept between cases and trials), so the
  interval stays inside [0, 1] and still widens when repeats agree with each other.
- a declared ratio of sums (corpus WER): the bootstrap over cases with Hesterberg's expanded percentile
  (with fewer than ``MIN_BOOTSTRAP_CASES`` cases, whose few distinct resamples say little, the clustered t
  interval of the same ratio instead).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.log.casetotals import CaseTotals
from harness.log.records import MetricKind
from harness.log.resampling import MIN_BOOTSTRAP_CASES, bootstrap_ratio, percentile_interval
from harness.log.stats import t_critical, wilson


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float | None
    high: float | None
    #: Which interval, in words (results.json and the report show it).
    method: str


def clustered_mean(totals: CaseTotals, level: float = 0.95) -> Interval | None:
    estimate = totals.estimate()
    if estimate is None:
        return None
    se = totals.standard_error()
    if se is None:
        return Interval(estimate, None, None, "one case: no interval")
    half = t_critical(totals.k - 1, level) * se
    return Interval(estimate, estimate - half, estimate + half, f"t over {totals.k} cases (clustered)")


def effective_n(totals: CaseTotals) -> float:
    """Trials' worth of independent information about a proportion: p(1-p)/se^2, between cases and trials."""
    p, se = totals.estimate(), totals.standard_error()
    trials = float(totals.den.sum())
    if p is None or se is None or se <= 0 or p in (0.0, 1.0):
        return float(totals.k)  # no spread seen: count each case once, the cautious reading
    return min(trials, max(float(totals.k), p * (1 - p) / (se * se)))


def clustered_proportion(totals: CaseTotals) -> Interval | None:
    estimate = totals.estimate()
    if estimate is None:
        return None
    n = effective_n(totals)
    low, high = wilson(estimate * n, n)
    return Interval(estimate, low, high, f"Wilson, effective n {n:.3g} of {totals.n_trials} trials, {totals.k} cases")


def bootstrap_corpus(totals: CaseTotals, seed: int, level: float = 0.95) -> Interval | None:
    estimate = totals.estimate()
    if estimate is None:
        return None
    if totals.k < MIN_BOOTSTRAP_CASES:
        fallback = clustered_mean(totals, level)  # the same ratio, with the linearised standard error
        assert fallback is not None
        return Interval(estimate, fallback.low, fallback.high, f"{fallback.method}; too few cases to bootstrap")
    replicates = bootstrap_ratio(totals, seed)
    low, high = percentile_interval(replicates, totals.k, level)
    return Interval(estimate, low, high, f"bootstrap over {totals.k} cases (expanded percentile)")


def interval_for(kind: MetricKind, totals: CaseTotals) -> Interval | None:
    """The mean's interval for a metric of this kind (categorical metrics have none)."""
    if kind == "categorical":
        return None
    if kind == "proportion":
        return clustered_proportion(totals)
    return clustered_mean(totals)
