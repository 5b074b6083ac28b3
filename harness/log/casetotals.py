"""The case is the unit: one statistic's sums per case, over a summary row's trials and repeats.

Every figure the summary reports is a ratio of sums over trials, ``R = sum(num) / sum(den)``:
a mean is ``sum(value) / trials``, a pass rate ``sum(passed) / judged``, corpus WER ``sum(errors) / sum(reference
words)``. Grouping the sums by case gives what the clustered intervals, the bootstrap and the paired tests need:
repeats of one case stay together, because they share the case's difficulty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np
from numpy.typing import NDArray

from harness.log.records import MetricKind, MetricRole, RatioOfSums, ScoreResult
from harness.log.results import TrialRecord

Floats = NDArray[np.float64]


class MetricSource(Protocol):
    """What the summary and the comparisons need of a scorer class (``harness.api.Scorer`` has it)."""

    higher_is_better: ClassVar[bool]
    metric_kind: ClassVar[MetricKind]
    metric_role: ClassVar[MetricRole]
    corpus: ClassVar[RatioOfSums | None]
    category_key: ClassVar[str | None]

    @classmethod
    def aggregate(cls, results: list[ScoreResult]) -> dict[str, float]: ...


#: Looks up a scorer class by name (None when the scorer is not installed, e.g. re-rendering elsewhere).
ScorerLookup = Callable[[str], "type[MetricSource] | None"]
#: The statistic name of the trial verdict (passed / judged trials).
PASS = "pass"


@dataclass(frozen=True)
class Statistic:
    """What is summed per trial: the verdict, a metric's value, or a scorer's declared ratio of sums."""

    name: str
    metric: str | None = None
    scorer: str | None = None
    kind: MetricKind = "continuous"
    role: MetricRole = "quality"
    higher_is_better: bool | None = None
    ratio: RatioOfSums | None = None

    def pairs(self, trial: TrialRecord) -> list[tuple[float, float]]:
        """(numerator, denominator) for each of the trial's contributions (one per scored turn)."""
        if self.metric is None:
            return [] if trial.passed is None else [(1.0 if trial.passed else 0.0, 1.0)]
        out = []
        for score in trial.scores:
            if score.metric != self.metric or score.scorer != self.scorer or score.value is None:
                continue
            if self.ratio is None:
                out.append((float(score.value), 1.0))
            elif score.error is None:
                found = _ratio_terms(score, self.ratio)
                if found is not None:
                    out.append(found)
        return out


def _ratio_terms(score: ScoreResult, ratio: RatioOfSums) -> tuple[float, float] | None:
    num, den = score.details.get(ratio.numerator), score.details.get(ratio.denominator)
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (num, den))
    return (float(num), float(den)) if ok else None  # type: ignore[arg-type]


def pass_statistic() -> Statistic:
    return Statistic(PASS, kind="proportion", higher_is_better=True)


def metric_statistics(metric: str, scorer: str, cls: type[MetricSource] | None) -> list[Statistic]:
    """The statistics of one metric: its mean (or class counts), and the scorer's corpus ratio if it declares one.

    A scorer that is not installed (a report re-rendered elsewhere) gives an unknown direction and is
    summarised as continuous: the safe choice, never a proportion guessed from the values.
    """
    if cls is None:
        return [Statistic(metric, metric, scorer)]
    common: dict[str, Any] = {
        "metric": metric,
        "scorer": scorer,
        "kind": cls.metric_kind,
        "role": cls.metric_role,
        "higher_is_better": cls.higher_is_better,
    }
    out = [Statistic(metric, **common)]
    if cls.corpus is not None and cls.metric_kind != "categorical":
        out.append(Statistic(cls.corpus.name, ratio=cls.corpus, **common))
    return out


@dataclass(frozen=True)
class CaseTotals:
    """Per case (in order of first appearance): summed numerator and denominator, and each trial's terms."""

    cases: tuple[str, ...]
    num: Floats
    den: Floats
    trials: tuple[tuple[tuple[float, float], ...], ...]

    @property
    def k(self) -> int:
        return len(self.cases)

    @property
    def n_trials(self) -> int:
        return sum(len(t) for t in self.trials)

    @property
    def repeats(self) -> float:
        """Mean trials per case."""
        return self.n_trials / self.k if self.k else 0.0

    def estimate(self) -> float | None:
        total = float(self.den.sum())
        return float(self.num.sum()) / total if total > 0 else None

    def residuals(self) -> Floats:
        """Each case's linearised contribution ``(num_k - R den_k) / mean(den)``; its mean is 0."""
        r = self.estimate() or 0.0
        return np.asarray((self.num - r * self.den) / float(self.den.mean()), dtype=np.float64)

    def standard_error(self) -> float | None:
        """Cluster-robust standard error of R (linearisation, with the K/(K-1) small-sample factor)."""
        if self.k < 2 or self.estimate() is None:
            return None
        z = self.residuals()
        return math.sqrt(float(np.sum(z * z)) / (self.k * (self.k - 1)))

    def within_variance(self) -> float | None:
        """Pooled variance of single trials around their case's mean, in the statistic's units (repeats' noise)."""
        r = self.estimate()
        if r is None:
            return None
        scale = self.den.sum() / max(1, self.n_trials)
        total, dof = 0.0, 0
        for terms in self.trials:
            if len(terms) < 2:
                continue
            u = np.array([(n - r * d) / scale for n, d in terms])
            total += float(np.sum((u - u.mean()) ** 2))
            dof += len(terms) - 1
        return total / dof if dof else None

    def subset(self, cases: Sequence[str]) -> CaseTotals:
        index = {c: i for i, c in enumerate(self.cases)}
        picked = [index[c] for c in cases]
        return CaseTotals(
            tuple(cases),
            self.num[picked],
            self.den[picked],
            tuple(self.trials[i] for i in picked),
        )

    def is_binary(self) -> bool:
        return all(n in (0.0, 1.0) and d == 1.0 for terms in self.trials for n, d in terms)


def case_totals(trials: Iterable[TrialRecord], pairs: Callable[[TrialRecord], list[tuple[float, float]]]) -> CaseTotals:
    """Group one row's trials by case and sum the statistic's terms (cases with no terms are left out)."""
    grouped: dict[str, list[tuple[float, float]]] = {}
    for trial in trials:
        terms = pairs(trial)
        if terms:
            grouped.setdefault(trial.case_id, []).extend(terms)
    cases = tuple(grouped)
    num = np.array([math.fsum(n for n, _ in grouped[c]) for c in cases], dtype=np.float64)
    den = np.array([math.fsum(d for _, d in grouped[c]) for c in cases], dtype=np.float64)
    return CaseTotals(cases, num, den, tuple(tuple(grouped[c]) for c in cases))


def from_arrays(num: Sequence[Sequence[float]], den: Sequence[Sequence[float]] | None = None) -> CaseTotals:
    """CaseTotals from per-case lists of trial values (and denominators; 1 each when omitted). For tests and tools."""
    trials = tuple(
        tuple(zip(map(float, n), map(float, d if den is not None else [1.0] * len(n)), strict=True))
        for n, d in zip(num, den if den is not None else num, strict=True)
    )
    return CaseTotals(
        tuple(f"case{i}" for i in range(len(trials))),
        np.array([math.fsum(n for n, _ in t) for t in trials], dtype=np.float64),
        np.array([math.fsum(d for _, d in t) for t in trials], dtype=np.float64),
        trials,
    )
