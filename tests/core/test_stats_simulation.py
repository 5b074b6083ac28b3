"""Simulated suites with known truth: do the intervals cover it 95% of the time, and do comparisons with no
true difference raise a false "better"/"worse" at most 5% of the time over the whole family?

Each simulated suite has cases drawn from a population (per-case difficulty) and repeats that add noise
around each case's own level, so repeats of a case are correlated, as with a real model at temperature > 0.
The truth is the population value. Everything is seeded; numpy keeps it to a few seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.log.casetotals import CaseTotals, Statistic, from_arrays
from harness.log.comparisons import PairedRows, adjust, pair_comparison
from harness.log.intervals import Interval, bootstrap_corpus, clustered_mean, clustered_proportion
from harness.log.stats import mean_ci

pytestmark = pytest.mark.slow

SUITES = 1000
CASES = 20


def _totals(values: np.ndarray, den: np.ndarray | None = None) -> CaseTotals:
    return from_arrays(values.tolist(), None if den is None else den.tolist())


def _mean_suite(rng: np.random.Generator, repeats: int) -> np.ndarray:
    """A continuous metric: 0.3 + case difficulty N(0, 0.15^2) + repeat noise N(0, 0.1^2). Truth 0.3."""
    difficulty = rng.normal(0, 0.15, CASES)
    return 0.3 + difficulty[:, None] + rng.normal(0, 0.1, (CASES, repeats))


def _pass_suite(rng: np.random.Generator, repeats: int) -> np.ndarray:
    """Pass/fail: each case passes with its own probability ~ Beta(3, 1.5), mean 2/3. Truth 2/3."""
    p = rng.beta(3, 1.5, CASES)
    return (rng.random((CASES, repeats)) < p[:, None]).astype(float)


def _wer_suite(rng: np.random.Generator, repeats: int) -> tuple[np.ndarray, np.ndarray]:
    """Corpus WER: 5..40 reference words, per-case error rate ~ Beta(2, 8), errors ~ Bin(words, rate). Truth 0.2."""
    words = rng.integers(5, 41, CASES)
    rate = rng.beta(2, 8, CASES)
    errors = rng.binomial(words[:, None], rate[:, None], (CASES, repeats))
    return errors.astype(float), np.repeat(words[:, None], repeats, axis=1).astype(float)


def _coverage(intervals: list[Interval | tuple[float, float | None, float | None]], truth: float) -> float:
    hits = 0
    for item in intervals:
        low, high = (item.low, item.high) if isinstance(item, Interval) else (item[1], item[2])
        assert low is not None and high is not None
        hits += low <= truth <= high
    return hits / len(intervals)


@pytest.mark.parametrize("repeats", [1, 5])
def test_clustered_intervals_cover_the_truth_95_percent(repeats: int) -> None:
    rng = np.random.default_rng(20261201 + repeats)
    means, naive, rates, corpus = [], [], [], []
    for i in range(SUITES):
        values = _mean_suite(rng, repeats)
        interval = clustered_mean(_totals(values))
        assert interval is not None
        means.append(interval)
        naive.append(mean_ci(values.ravel().tolist()))  # the previous trial-level t interval
        passes = clustered_proportion(_totals(_pass_suite(rng, repeats)))
        assert passes is not None
        rates.append(passes)
        errors, words = _wer_suite(rng, repeats)
        figure = bootstrap_corpus(_totals(errors, words), seed=i)
        assert figure is not None
        corpus.append(figure)
    coverage = {
        "mean": _coverage(means, 0.3),
        "pass rate": _coverage(rates, 2 / 3),
        "corpus WER": _coverage(corpus, 0.2),
    }
    for name, value in coverage.items():
        assert 0.93 <= value <= 0.97, f"{name}: {value:.3f} of {SUITES} intervals cover the truth"
    trial_level = _coverage(naive, 0.3)
    if repeats == 1:
        assert 0.93 <= trial_level <= 0.97  # with one trial per case the old interval was right
    else:
        assert trial_level < 0.85, f"the trial-level t interval covers {trial_level:.3f}: repeats are not independent"


def _null_family(rng: np.random.Generator, repeats: int, rows: int = 3, cases: int = 12) -> list[PairedRows]:
    """``rows`` models on the same cases with no true difference: a mean and a pass rate per one-factor pair."""
    difficulty = rng.normal(0, 0.15, cases)
    pass_p = rng.beta(3, 1.5, cases)
    values = [0.3 + difficulty[:, None] + rng.normal(0, 0.1, (cases, repeats)) for _ in range(rows)]
    passes = [(rng.random((cases, repeats)) < pass_p[:, None]).astype(float) for _ in range(rows)]
    mean_stat = Statistic("score", "score", "s", kind="continuous", higher_is_better=True)
    pass_stat = Statistic("pass", kind="proportion", higher_is_better=True)
    out = []
    for i in range(rows):
        for j in range(i + 1, rows):
            a, b = (f"m{i}", "c", "p"), (f"m{j}", "c", "p")
            out.append(PairedRows(mean_stat, "model", a, b, _totals(values[i]), _totals(values[j])))
            out.append(PairedRows(pass_stat, "model", a, b, _totals(passes[i]), _totals(passes[j])))
    return out


def _false_alarm_rates(repeats: int, runs: int = SUITES) -> tuple[float, float]:
    """Share of runs with any false better/worse: Holm-adjusted, and with raw p < 0.05 for comparison."""
    rng = np.random.default_rng(7 + repeats)
    holm_alarms = raw_alarms = 0
    for _ in range(runs):
        family = _null_family(rng, repeats)
        comparisons = adjust([pair_comparison(pair, bootstrap_rounds=50) for pair in family if not pair.identical()])
        holm_alarms += any(c.label in ("better", "worse") for c in comparisons)
        raw_alarms += any((c.p_value or 1) < 0.05 for c in comparisons)
    return holm_alarms / runs, raw_alarms / runs


@pytest.mark.parametrize("repeats", [1, 3])
def test_holm_keeps_false_alarms_over_the_family_at_five_percent(repeats: int) -> None:
    holm_rate, raw_rate = _false_alarm_rates(repeats)
    assert holm_rate <= 0.07, f"{holm_rate:.3f} of runs with no true difference reported one"
    assert raw_rate > 0.1, f"unadjusted p-values should alarm more often over 6 comparisons ({raw_rate:.3f})"


def test_simulation_truths_are_what_the_docstrings_say() -> None:
    # The population values the coverage test checks against, by brute force (guards the test itself).
    rng = np.random.default_rng(1)
    assert float(rng.beta(3, 1.5, 2_000_000).mean()) == pytest.approx(2 / 3, abs=2e-3)
    words = rng.integers(5, 41, 2_000_000)
    errors = rng.binomial(words, rng.beta(2, 8, 2_000_000))
    assert errors.sum() / words.sum() == pytest.approx(0.2, abs=2e-3)
