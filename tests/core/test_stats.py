from __future__ import annotations

import math
import random

import pytest
from helpers import record

from harness.log.stats import mean_ci, paired_permutation_p, percentile, t_critical, wilson


def test_t_critical_known_values() -> None:
    assert t_critical(1) == 12.706
    assert t_critical(10) == 2.228
    assert t_critical(60) == pytest.approx(2.000, abs=2e-3)
    assert t_critical(1000) == pytest.approx(1.962, abs=2e-3)


def test_mean_ci() -> None:
    mean, low, high = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5
    half = 3.182 * math.sqrt(5 / 3) / 2
    assert low == pytest.approx(2.5 - half) and high == pytest.approx(2.5 + half)
    assert mean_ci([5.0]) == (5.0, None, None)


def test_wilson_matches_reference() -> None:
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0


def test_percentile() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10], 95) == 10


def test_paired_permutation_exact_and_deterministic() -> None:
    # All 8 differences positive: only the all-positive and all-negative sign patterns are as extreme.
    assert paired_permutation_p([1.0] * 8) == pytest.approx(2 / 256)
    assert paired_permutation_p([0.0, 0.0]) == 1.0
    rng = random.Random(1)
    noise = [rng.gauss(0, 1) for _ in range(40)]
    assert paired_permutation_p(noise) == paired_permutation_p(noise)
    assert paired_permutation_p(noise) > 0.05
    shifted = [x + 1.5 for x in noise]
    assert paired_permutation_p(shifted) < 0.001


def test_paired_large_n_uses_fast_normal_approximation() -> None:
    import time

    rng = random.Random(2)
    diffs = [rng.gauss(0.3, 1) for _ in range(5000)]
    start = time.perf_counter()
    p = paired_permutation_p(diffs)
    assert time.perf_counter() - start < 0.05
    assert p < 1e-6
    assert paired_permutation_p([rng.gauss(0, 1) for _ in range(200)]) > 0.01


def test_yes_no_metrics_get_a_wilson_interval_inside_0_1() -> None:
    from harness.log.records import ScoreResult
    from harness.log.results import TrialRecord
    from harness.log.summary import summarize

    def trial(i: int, value: float) -> TrialRecord:
        scores = [
            ScoreResult(scorer="json", metric="valid", value=value, passed=bool(value)),
            ScoreResult(scorer="x", metric="score", value=value * 0.5 + 0.25, passed=True),
        ]
        return record(f"c{i}", scores=scores)

    (row,) = summarize([trial(0, 1.0), trial(1, 1.0), trial(2, 0.0)], lambda name: None)
    valid, score = row.metrics
    assert (valid.ci_low, valid.ci_high) == pytest.approx(wilson(2, 3))
    assert 0 <= valid.ci_low < valid.mean < valid.ci_high <= 1
    assert score.ci_low == pytest.approx(mean_ci([0.75, 0.75, 0.25])[1])  # not a yes/no metric: t interval


def test_pass_all_and_any_repeat_per_row() -> None:
    from harness.log.summary import summarize

    trials = [record("a", r, passed=True) for r in range(3)]  # always
    trials += [
        record("b", 0, passed=True),
        record("b", 1, passed=False),
        record("b", 2, passed=False, status="error"),
    ]  # sometimes
    trials += [record("c", r, passed=False) for r in range(3)]  # never
    (row,) = summarize(trials, lambda name: None)
    assert row.pass_all_repeats == pytest.approx(1 / 3)
    assert row.pass_any_repeat == pytest.approx(2 / 3)
    (single,) = summarize([record("a", passed=True)], lambda name: None)
    assert single.pass_all_repeats is None


def test_comparisons_skip_float_rounding_noise() -> None:
    from harness.log.records import ScoreResult
    from harness.log.results import TrialRecord
    from harness.log.summary import compare

    def trial(model: str, case: str, cost: float) -> TrialRecord:
        return record(case, model=model, scores=[ScoreResult(scorer="tokens", metric="cost", value=cost)])

    same = [trial("a", c, 0.1 + 0.2) for c in "xyz"] + [trial("b", c, 0.3) for c in "xyz"]  # 0.30000000000000004
    assert compare(same) == []
    real = [trial("a", c, 0.3) for c in "xyz"] + [trial("b", c, 0.4) for c in "xyz"]
    assert [c.metric for c in compare(real)] == ["cost"]
