"""Power: the smallest difference a suite's comparisons can detect, and what a given difference needs.

A paired comparison on K cases with m repeats estimates a difference whose per-case spread is
``sd_case^2 = sd_between^2 + 2 sd_within^2 / m`` (between-case differences plus each side's repeat noise).
With the first Holm step testing at ``alpha / F`` for a family of F comparisons, the two-sided paired test
reaches ``power`` for differences of at least

    MDE = (t_{1 - alpha/(2F), K-1} + t_{power, K-1}) * sd_case / sqrt(K)

(the usual normal-theory formula with t quantiles, e.g. Miller 2024, section 4). The exact paired tests also
need enough cases to produce so small a p-value at all: with n differing cases the smallest is 2 / 2^n.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from harness.log.comparisons import ALPHA, PairedRows, ScorerLookup, adjust, pair_comparison, paired_rows
from harness.log.results import DetectableEffect, PairedComparison, TrialRecord
from harness.log.stats import t_quantile

POWER = 0.8


def min_cases(alpha: float) -> int:
    """Fewest cases with which a two-sided sign-flip (or McNemar) test can give p <= alpha."""
    return max(2, math.ceil(math.log2(2 / alpha) - 1e-9))


def mde(sd_case: float, cases: int, alpha: float, power: float = POWER) -> float:
    """Minimum detectable difference for a paired test on ``cases`` cases with per-case spread ``sd_case``."""
    if cases < 2:
        return math.inf
    df = cases - 1
    return (t_quantile(1 - alpha / 2, df) + t_quantile(power, df)) * sd_case / math.sqrt(cases)


def spread(sd_between: float, sd_within: float, repeats: float) -> float:
    """Per-case spread of a paired difference when each side averages ``repeats`` trials."""
    return math.sqrt(sd_between**2 + 2 * sd_within**2 / max(repeats, 1.0))


@dataclass(frozen=True)
class Plan:
    """What one target effect needs: cases at the current repeats, and repeats at the current cases."""

    effect: float
    cases_needed: int | None
    repeats_needed: int | None
    note: str | None = None


def plan_for(effect: DetectableEffect, target: float, max_cases: int = 100_000, max_repeats: int = 1000) -> Plan:
    """Cases (at the run's repeats) and repeats (at its cases) with which ``target`` is detected at its power."""
    if effect.sd_between is None or effect.sd_case is None:
        return Plan(target, None, None, effect.note or "no variance to plan from")
    alpha = effect.alpha / max(1, effect.family)
    sd_w = effect.sd_within or 0.0
    sd_now = effect.sd_case  # at the run's own repeats, the spread it measured
    cases = None
    if sd_now == 0:
        cases = max(min_cases(alpha), effect.cases)
    else:
        for k in range(max(2, min_cases(alpha)), max_cases + 1):
            if mde(sd_now, k, alpha, effect.power) <= target:
                cases = k
                break
    repeats = None
    if effect.cases >= min_cases(alpha):
        for m in range(1, max_repeats + 1):
            if mde(spread(effect.sd_between, sd_w, m), effect.cases, alpha, effect.power) <= target:
                repeats = m
                break
    note = None
    if repeats is None:
        floor = mde(effect.sd_between, effect.cases, alpha, effect.power) if effect.cases >= 2 else math.inf
        note = (
            f"more repeats cannot reach it with {effect.cases} cases: the cases' own differences alone limit "
            f"the suite to {floor:.3g}; add cases"
            if math.isfinite(floor) and floor > target
            else f"with {effect.cases} cases no difference can be detected at alpha {alpha:.2g}; add cases"
        )
    return Plan(target, cases, repeats, note)


def detectable_effects(pairs: Iterable[PairedRows], family: int, alpha: float = ALPHA) -> list[DetectableEffect]:
    """The minimum detectable effect per quality statistic, from the spread of its paired comparisons."""
    by_stat: dict[str, list[PairedRows]] = defaultdict(list)
    for pair in pairs:
        if pair.statistic.role == "quality":
            by_stat[pair.statistic.name].append(pair)
    out = []
    per_test = alpha / max(1, family)
    needed = min_cases(per_test)
    for name, group in by_stat.items():
        cases = int(np.median([p.k for p in group]))
        repeats = float(np.mean([(p.a_totals.repeats + p.b_totals.repeats) / 2 for p in group]))
        case_var = [float(np.var(p.case_differences(), ddof=1)) for p in group]
        within = [
            v for p in group for v in (p.a_totals.within_variance(), p.b_totals.within_variance()) if v is not None
        ]
        sd_case = math.sqrt(float(np.mean(case_var)))
        sd_within = math.sqrt(float(np.mean(within))) if within else None
        between_var = max(0.0, sd_case**2 - (2 * sd_within**2 / repeats if sd_within is not None else 0.0))
        effect = DetectableEffect(
            metric=name,
            cases=cases,
            repeats=repeats,
            family=family,
            alpha=alpha,
            power=POWER,
            sd_case=sd_case,
            sd_between=math.sqrt(between_var),
            sd_within=sd_within,
            min_cases=needed,
        )
        if cases < needed:
            effect.note = (
                f"with {cases} cases no difference can reach p < {per_test:.2g} (alpha {alpha:g} over {family} "
                f"comparisons): the exact tests need at least {needed} cases"
            )
            if sd_case > 0:
                effect.note += f", which at this spread would detect changes of {mde(sd_case, needed, per_test):.3g}"
        elif sd_case == 0:
            effect.note = "no difference varied between cases, so the spread (and the detectable effect) is unknown"
        else:
            effect.mde = mde(sd_case, cases, per_test)
        effect.text = sentence(effect)
        out.append(effect)
    return out


def sentence(effect: DetectableEffect) -> str:
    """'with 12 cases x 3 repeats this suite detects corpus_wer changes of 0.09 or more (...)'."""
    shape = f"{effect.cases} cases" + (f" x {effect.repeats:.3g} repeats" if effect.repeats > 1 else "")
    if effect.mde is None:
        return f"{effect.metric}: {effect.note} ({shape})"
    return (
        f"with {shape} this suite detects {effect.metric} changes of {effect.mde:.3g} or more "
        f"({effect.power:.0%} power, alpha {effect.alpha:g} Holm-adjusted over {effect.family} comparisons)"
    )


def compare_with_power(
    trials: Iterable[TrialRecord], scorers: ScorerLookup
) -> tuple[list[PairedComparison], list[DetectableEffect]]:
    """The run's comparisons (see ``harness.log.comparisons.compare``) and the detectable effect of each statistic."""
    pairs = [pair for pair in paired_rows(trials, scorers) if not pair.identical()]
    comparisons = adjust([pair_comparison(pair) for pair in pairs])
    family = sum(1 for c in comparisons if c.role == "quality")
    return comparisons, detectable_effects(pairs, family)
