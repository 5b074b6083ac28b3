"""Paired comparisons that answer the question asked: rows that differ in exactly one factor.

Two summary rows (model x config x prompt) are compared when they differ only in the model, only in the
config or only in the prompt, on the cases both answered. For each quality statistic (the pass rate, each
metric's mean, or the scorer's corpus figure in its place) the difference B - A gets a paired-bootstrap
interval (a t interval below five cases) and a paired test (McNemar's exact test for one pass/fail trial
per case, else the sign-flip permutation test over cases). The p-values are adjusted with Holm's method
over the family shown, so the chance of any false "better"/"worse" in the whole table stays at most 5%.
Cost, token and latency measures form their own family and are labelled "higher"/"lower", never
"better"/"significant".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from harness.log.casetotals import CaseTotals, ScorerLookup, Statistic, case_totals, metric_statistics, pass_statistic
from harness.log.resampling import BOOTSTRAP_ROUNDS, MIN_BOOTSTRAP_CASES, paired_bootstrap, seed_for, sign_flip_p
from harness.log.results import PairedComparison, TrialRecord
from harness.log.stats import holm, mcnemar_exact, t_critical

RowKey = tuple[str, str, str]
Factor = Literal["model", "config", "prompt"]
FACTORS: tuple[Factor, ...] = ("model", "config", "prompt")
ALPHA = 0.05
Label = Literal["better", "worse", "no clear difference", "higher", "lower"]


def row_label(key: RowKey) -> str:
    model, config_id, prompt_id = key
    return f"{model} / {config_id} / {prompt_id}"


def one_factor_pairs(keys: list[RowKey]) -> list[tuple[Factor, RowKey, RowKey]]:
    """Every two rows that differ in exactly one of model, config and prompt; A comes first in suite order."""
    out = []
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            differ = [f for f, x, y in zip(FACTORS, a, b, strict=True) if x != y]
            if len(differ) == 1:
                out.append((differ[0], a, b))
    order = {f: i for i, f in enumerate(FACTORS)}
    return sorted(out, key=lambda item: order[item[0]])


def compared_statistics(trials: list[TrialRecord], scorers: ScorerLookup) -> list[Statistic]:
    """The pass rate, then per metric its corpus figure when the scorer declares one, else its mean."""
    seen = dict.fromkeys((s.metric, s.scorer) for t in trials for s in t.scores)
    out = [pass_statistic()]
    for metric, scorer in seen:
        mean, *corpus = metric_statistics(metric, scorer, scorers(scorer))
        if mean.kind != "categorical":
            out.append(corpus[0] if corpus else mean)
    return out


@dataclass(frozen=True)
class PairedRows:
    """One statistic of two one-factor-apart rows, aligned on the cases both have."""

    statistic: Statistic
    factor: Factor
    a: RowKey
    b: RowKey
    a_totals: CaseTotals
    b_totals: CaseTotals

    @property
    def k(self) -> int:
        return self.a_totals.k

    def identical(self) -> bool:
        """True when both rows gave the same sums on every case (up to float rounding): nothing to test."""
        a, b = self.a_totals, self.b_totals
        return bool(np.allclose(a.num, b.num, rtol=1e-12, atol=1e-12) and np.allclose(a.den, b.den, rtol=1e-12))

    def case_differences(self) -> np.ndarray:
        """Each case's linearised contribution to R_B - R_A (their mean is the difference, for plain means)."""
        return np.asarray(self.b_totals.residuals() - self.a_totals.residuals(), dtype=np.float64)


def paired_rows(trials: Iterable[TrialRecord], scorers: ScorerLookup) -> list[PairedRows]:
    """Every statistic of every one-factor pair, on its shared cases (pairs with fewer than two are left out)."""
    trials = list(trials)
    groups: dict[RowKey, list[TrialRecord]] = {}
    for trial in trials:
        groups.setdefault((trial.model, trial.config_id, trial.prompt_id), []).append(trial)
    pairs = one_factor_pairs(list(groups))
    out = []
    for stat in compared_statistics(trials, scorers):
        totals = {key: case_totals(members, stat.pairs) for key, members in groups.items()}
        for factor, a, b in pairs:
            in_b = set(totals[b].cases)
            shared = [c for c in totals[a].cases if c in in_b]
            if len(shared) < 2:
                continue
            pair = PairedRows(stat, factor, a, b, totals[a].subset(shared), totals[b].subset(shared))
            if pair.a_totals.estimate() is not None and pair.b_totals.estimate() is not None:
                out.append(pair)
    return out


def _one_trial_each(pair: PairedRows) -> bool:
    return all(len(t) == 1 for t in (*pair.a_totals.trials, *pair.b_totals.trials))


def pair_comparison(pair: PairedRows, bootstrap_rounds: int = BOOTSTRAP_ROUNDS) -> PairedComparison:
    """Difference, paired-bootstrap interval and unadjusted p-value of one pair."""
    stat, a, b = pair.statistic, pair.a_totals, pair.b_totals
    seed = seed_for(stat.name, row_label(pair.a), row_label(pair.b))
    ra, rb = a.estimate(), b.estimate()
    assert ra is not None and rb is not None
    if stat.kind == "proportion" and a.is_binary() and b.is_binary() and _one_trial_each(pair):
        worse = int(np.sum((a.num == 1) & (b.num == 0)))
        better = int(np.sum((a.num == 0) & (b.num == 1)))
        p, test = mcnemar_exact(worse, better), "McNemar exact"
    else:
        result = sign_flip_p(a, b, seed)
        p = result.p_value
        test = "sign-flip permutation " + ("(exact)" if result.exact else f"({result.rounds} draws)")
    boot = paired_bootstrap(a, b, seed, bootstrap_rounds)
    if pair.k >= MIN_BOOTSTRAP_CASES:
        low, high = boot.interval(pair.k)
    else:  # too few cases to bootstrap: t on the cases' linearised differences
        half = t_critical(pair.k - 1) * float(np.std(pair.case_differences(), ddof=1)) / math.sqrt(pair.k)
        low, high = rb - ra - half, rb - ra + half
    prob = None
    if stat.higher_is_better is not None:
        prob = boot.share_above_zero() if stat.higher_is_better else boot.share_below_zero()
    return PairedComparison(
        metric=stat.name,
        scorer=stat.scorer,
        kind=stat.kind,
        role=stat.role,
        higher_is_better=stat.higher_is_better,
        factor=pair.factor,
        a=row_label(pair.a),
        b=row_label(pair.b),
        a_key=pair.a,
        b_key=pair.b,
        a_level=pair.a[FACTORS.index(pair.factor)],
        b_level=pair.b[FACTORS.index(pair.factor)],
        held_fixed=" / ".join(v for f, v in zip(FACTORS, pair.a, strict=True) if f != pair.factor),
        n=pair.k,
        trials_a=a.n_trials,
        trials_b=b.n_trials,
        a_value=ra,
        b_value=rb,
        mean_diff=rb - ra,
        ci_low=low,
        ci_high=high,
        p_value=p,
        test=test,
        prob_b_better=prob,
    )


def label(diff: float, p_adjusted: float, role: str, higher_is_better: bool | None, alpha: float = ALPHA) -> Label:
    if p_adjusted >= alpha or diff == 0:
        return "no clear difference"
    if role == "cost" or higher_is_better is None:
        return "higher" if diff > 0 else "lower"
    return "better" if (diff > 0) == higher_is_better else "worse"


def adjust(comparisons: list[PairedComparison], alpha: float = ALPHA) -> list[PairedComparison]:
    """Holm-adjust each family (quality, cost) and label every comparison."""
    for role in ("quality", "cost"):
        family = [c for c in comparisons if c.role == role]
        for comparison, p_adj in zip(family, holm([c.p_value or 1.0 for c in family]), strict=True):
            comparison.p_adjusted = p_adj
            comparison.family = len(family)
            comparison.label = label(comparison.mean_diff, p_adj, role, comparison.higher_is_better, alpha)
            comparison.significant = role == "quality" and comparison.label in ("better", "worse", "higher", "lower")
    return comparisons


def compare(trials: Iterable[TrialRecord], scorers: ScorerLookup) -> list[PairedComparison]:
    """The run's paired comparisons: one-factor pairs, tested, Holm-adjusted and labelled.

    Pairs whose two rows gave the same sums on every case are left out: no test could find a difference, and
    leaving them in the family would only make the others' adjusted p-values larger.
    """
    return adjust([pair_comparison(pair) for pair in paired_rows(trials, scorers) if not pair.identical()])
