"""Paired comparisons: which rows are compared, the tests, Holm's adjustment, labels; and power."""

from __future__ import annotations

import math
import random
from typing import Any, ClassVar

import numpy as np
import pytest
from helpers import record

from harness.api import MetricKind, MetricRole, RatioOfSums, Score, ScoreContext, Scorer, ScoreResult
from harness.log.casetotals import from_arrays
from harness.log.comparisons import compare, one_factor_pairs
from harness.log.power import compare_with_power, mde, min_cases, plan_for, sentence
from harness.log.resampling import paired_bootstrap, sign_flip_p
from harness.log.stats import mcnemar_exact, t_quantile


class Wer(Scorer):
    name = "wer"
    higher_is_better = False
    corpus = RatioOfSums("corpus_wer", "errors", "reference_length")

    async def score(self, ctx: ScoreContext) -> Score:
        raise NotImplementedError


class Cost(Scorer):
    name = "tokens"
    higher_is_better = False
    metric_role: ClassVar[MetricRole] = "cost"

    async def score(self, ctx: ScoreContext) -> Score:
        raise NotImplementedError


class Exact(Scorer):
    name = "exact"
    metric_kind: ClassVar[MetricKind] = "proportion"

    async def score(self, ctx: ScoreContext) -> Score:
        raise NotImplementedError


SCORERS: dict[str, type[Scorer]] = {"wer": Wer, "tokens": Cost, "exact": Exact}


def lookup(name: str) -> type[Scorer] | None:
    return SCORERS.get(name)


def trial(model: str, config: str, case: str, repeat: int, errors: int, words: int, cost: float) -> Any:
    scores = [
        ScoreResult(
            scorer="wer",
            metric="wer",
            value=errors / words,
            passed=errors / words <= 0.3,
            details={"errors": errors, "reference_length": words},
        ),
        ScoreResult(scorer="tokens", metric="cost_usd", value=cost, passed=True),
    ]
    t = record(case, repeat, model=model, scores=scores, passed=errors / words <= 0.3)
    return t.model_copy(update={"config_id": config, "id": f"{model}-{config}-{case}-{repeat}"})


def grid(models: list[str], configs: list[str], cases: int, repeats: int, seed: int = 0) -> list[Any]:
    rng = random.Random(seed)
    out = []
    for model in models:
        for config in configs:
            for c in range(cases):
                words = 10 + c
                for r in range(repeats):
                    errors = rng.randint(0, 4) + (3 if model == "worse" else 0)
                    cost = (0.002 if model == "worse" else 0.001) + 0.0001 * rng.random()
                    out.append(trial(model, config, f"case{c}", r, errors, words, cost))
    return out


def test_only_rows_that_differ_in_one_factor_are_paired() -> None:
    keys = [(m, c, "p") for m in ("m1", "m2") for c in ("t0", "t07", "t1")]
    pairs = one_factor_pairs(keys)
    assert len(pairs) == 3 + 2 * 3  # model within each config; configs within each model
    for factor, a, b in pairs:
        differ = [i for i in range(3) if a[i] != b[i]]
        assert differ == [{"model": 0, "config": 1, "prompt": 2}[factor]]
    assert (("m1", "t0", "p"), ("m2", "t07", "p")) not in [(a, b) for _, a, b in pairs]


def test_comparisons_are_within_factor_adjusted_and_labelled() -> None:
    trials = grid(["good", "worse"], ["t0", "t1"], cases=12, repeats=2)
    comparisons = compare(trials, lookup)
    quality = [c for c in comparisons if c.role == "quality"]
    cost = [c for c in comparisons if c.role == "cost"]
    assert {c.metric for c in quality} == {"pass", "corpus_wer"}  # corpus figure replaces the mean WER
    assert {c.metric for c in cost} == {"cost_usd"}
    assert all(c.family == len(quality) for c in quality) and all(c.family == len(cost) for c in cost)
    for c in comparisons:
        assert c.p_adjusted is not None and c.p_value is not None and c.p_adjusted >= c.p_value
    model_wer = [c for c in quality if c.factor == "model" and c.metric == "corpus_wer"]
    assert len(model_wer) == 2 and all(c.label == "worse" and c.significant for c in model_wer)
    assert all(c.mean_diff > 0 and c.prob_b_better is not None and c.prob_b_better < 0.01 for c in model_wer)
    model_cost = [c for c in cost if c.factor == "model"]
    assert all(c.label == "higher" and not c.significant for c in model_cost)  # cost never headlines
    same_model = [c for c in quality if c.factor == "config"]
    assert all(c.label == "no clear difference" for c in same_model)


def test_comparisons_skip_float_rounding_noise() -> None:
    def costed(model: str, case: str, cost: float) -> Any:
        return record(case, model=model, scores=[ScoreResult(scorer="tokens", metric="cost", value=cost)])

    same = [costed("a", c, 0.1 + 0.2) for c in "xyz"] + [costed("b", c, 0.3) for c in "xyz"]  # 0.30000000000000004
    assert compare(same, lookup) == []
    real = [costed("a", c, 0.3) for c in "xyz"] + [costed("b", c, 0.4) for c in "xyz"]
    assert [c.metric for c in compare(real, lookup)] == ["cost"]


def test_one_pass_fail_trial_per_case_uses_mcnemar_and_the_sign_flip_agrees() -> None:
    # 10 cases: B fixes 7, breaks 1, 2 unchanged (the worked example's 1 and 7 discordant pairs).
    a_pass = [0] * 7 + [1] + [1, 0]
    b_pass = [1] * 7 + [0] + [1, 0]

    def verdict(model: str, case: int, passed: int) -> Any:
        score = ScoreResult(scorer="exact", metric="exact", value=float(passed), passed=bool(passed))
        return record(f"c{case}", model=model, scores=[score], passed=bool(passed))

    trials = [verdict("a", i, p) for i, p in enumerate(a_pass)] + [verdict("b", i, p) for i, p in enumerate(b_pass)]
    comparisons = {c.metric: c for c in compare(trials, lookup)}
    assert comparisons["pass"].test == "McNemar exact"
    assert comparisons["pass"].p_value == pytest.approx(mcnemar_exact(1, 7))
    assert comparisons["exact"].test == "McNemar exact"
    flip = sign_flip_p(from_arrays([[p] for p in a_pass]), from_arrays([[p] for p in b_pass]), seed=0)
    assert flip.exact and flip.p_value == pytest.approx(mcnemar_exact(1, 7))
    assert comparisons["pass"].mean_diff == pytest.approx(0.6) and comparisons["pass"].label == "no clear difference"


def _bisani_ney(errors_a: list[int], errors_b: list[int], words: list[int], rounds: int, seed: int) -> tuple:
    """Bisani & Ney (2004), section 3, written out directly: resample utterances, recompute both systems' WER."""
    rng = random.Random(seed)
    n = len(words)
    deltas = []
    for _ in range(rounds):
        picks = [rng.randrange(n) for _ in range(n)]
        total = sum(words[i] for i in picks)
        deltas.append((sum(errors_b[i] for i in picks) - sum(errors_a[i] for i in picks)) / total)
    deltas.sort()
    poi = sum(d < 0 for d in deltas) / rounds  # probability that B improves on A
    return poi, deltas[int(0.025 * rounds)], deltas[int(0.975 * rounds) - 1], float(np.std(deltas))


def test_paired_bootstrap_agrees_with_a_direct_bisani_ney_implementation() -> None:
    rng = random.Random(7)
    words = [rng.randint(5, 40) for _ in range(40)]
    errors_a = [rng.randint(0, w // 3) for w in words]
    errors_b = [max(0, e - rng.randint(-1, 2)) for e in errors_a]
    a = from_arrays([[e] for e in errors_a], [[w] for w in words])
    b = from_arrays([[e] for e in errors_b], [[w] for w in words])
    ours = paired_bootstrap(a, b, seed=11, rounds=20000)
    poi, low, high, sd = _bisani_ney(errors_a, errors_b, words, rounds=20000, seed=3)
    mc = math.sqrt(poi * (1 - poi) / 20000)  # Monte Carlo error of a share over 20,000 resamples
    assert ours.share_below_zero() == pytest.approx(poi, abs=4 * mc + 1e-9)
    assert float(np.std(ours.replicates)) == pytest.approx(sd, rel=0.03)
    plain = np.quantile(ours.replicates, [0.025, 0.975])
    assert plain[0] == pytest.approx(low, abs=0.1 * sd) and plain[1] == pytest.approx(high, abs=0.1 * sd)
    expanded = ours.interval(40)
    assert expanded[0] < plain[0] and expanded[1] > plain[1]  # small-sample widening (Hesterberg)


def test_sign_flip_is_exact_for_few_cases_and_seeded_for_many() -> None:
    ones = from_arrays([[1.0]] * 8)
    zeros = from_arrays([[0.0]] * 8)
    result = sign_flip_p(zeros, ones, seed=0)
    assert result.exact and result.p_value == pytest.approx(2 / 256)
    rng = np.random.default_rng(0)
    a = from_arrays([[v] for v in rng.normal(0, 1, 40)])
    b = from_arrays([[v] for v in rng.normal(0, 1, 40)])
    first, second = sign_flip_p(a, b, seed=5), sign_flip_p(a, b, seed=5)
    assert not first.exact and first.p_value == second.p_value and first.p_value > 0


def test_minimum_detectable_effect_formula_and_planning() -> None:
    alpha = 0.05 / 4
    assert mde(0.1, 12, alpha) == pytest.approx(
        (t_quantile(1 - alpha / 2, 11) + t_quantile(0.8, 11)) * 0.1 / math.sqrt(12)
    )
    assert min_cases(0.05) == 6 and min_cases(0.05 / 18) == 10  # 2 / 2^K must reach the level
    trials = grid(["good", "worse"], ["t0", "t1"], cases=12, repeats=3)
    comparisons, power = compare_with_power(trials, lookup)
    by_name = {p.metric: p for p in power}
    assert set(by_name) == {"pass", "corpus_wer"}  # quality statistics only
    wer = by_name["corpus_wer"]
    assert wer.cases == 12 and wer.repeats == 3 and wer.family == sum(c.role == "quality" for c in comparisons)
    assert wer.mde is not None and wer.sd_within is not None and wer.sd_within > 0
    assert "with 12 cases x 3 repeats this suite detects corpus_wer changes of" in sentence(wer)
    plan = plan_for(wer, wer.mde / 2)
    assert plan.cases_needed is not None and plan.cases_needed > 12  # half the effect needs more cases
    same = plan_for(wer, wer.mde * 1.0001)
    assert same.cases_needed is not None and same.cases_needed <= 12


def test_too_few_cases_say_so_instead_of_a_number() -> None:
    trials = grid(["good", "worse"], ["t0"], cases=3, repeats=5)
    _, power = compare_with_power(trials, lookup)
    wer = next(p for p in power if p.metric == "corpus_wer")
    assert wer.mde is None and wer.note is not None and f"at least {wer.min_cases} cases" in wer.note
    plan = plan_for(wer, 0.05)
    assert plan.repeats_needed is None and plan.note is not None and "add cases" in plan.note


def test_statistics_doc_states_the_constants_the_code_uses() -> None:
    from pathlib import Path

    from harness.log import resampling

    doc = " ".join((Path(__file__).resolve().parents[2] / "docs" / "statistics.md").read_text(encoding="utf-8").split())
    assert f"{resampling.BOOTSTRAP_ROUNDS:,} times" in doc
    assert f"{resampling.PERMUTATION_ROUNDS:,} seeded patterns" in doc
    assert f"at most {resampling.EXACT_CASES} cases differ" in doc
    assert f"Below {resampling.MIN_BOOTSTRAP_CASES} cases" in doc
