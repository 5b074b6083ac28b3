from __future__ import annotations

import math
from typing import Any, ClassVar

import pytest
from helpers import record

from harness.api import MetricKind, MetricRole, RatioOfSums, Score, ScoreContext, Scorer, ScoreResult
from harness.log.stats import holm, mcnemar_exact, mean_ci, percentile, t_critical, t_quantile, wilson
from harness.log.summary import summarize


def test_t_critical_known_values() -> None:
    assert t_critical(1) == pytest.approx(12.706, abs=1e-3)
    assert t_critical(10) == pytest.approx(2.228, abs=1e-3)
    assert t_critical(60) == pytest.approx(2.000, abs=1e-3)
    assert t_critical(1000) == pytest.approx(1.962, abs=1e-3)
    assert t_quantile(0.8, 11) == pytest.approx(0.876, abs=1e-3)  # a power calculation's t_{0.8}


def test_mean_ci() -> None:
    mean, low, high = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5
    half = 3.182 * math.sqrt(5 / 3) / 2
    assert low == pytest.approx(2.5 - half, abs=1e-3) and high == pytest.approx(2.5 + half, abs=1e-3)
    assert mean_ci([5.0]) == (5.0, None, None)


def test_wilson_matches_reference() -> None:
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0


def test_percentile() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10], 95) == 10


def test_mcnemar_exact_matches_the_worked_example() -> None:
    # Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, airway hyper-responsiveness before and
    # after stem cell transplantation: 1 and 7 discordant pairs; exact conditional p = 0.070.
    assert mcnemar_exact(1, 7) == pytest.approx(0.0703, abs=1e-4)
    assert mcnemar_exact(7, 1) == mcnemar_exact(1, 7)
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 10) == pytest.approx(2 / 1024)


def test_holm_adjusts_step_down_and_keeps_order() -> None:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


# ---------- metric kinds are declared by the scorer, never guessed from the values ----------


def _scorer(kind: MetricKind, role: MetricRole = "quality", **attrs: Any) -> type[Scorer]:
    class Declared(Scorer):
        name = f"declared-{kind}"
        metric_kind: ClassVar[MetricKind] = kind
        metric_role: ClassVar[MetricRole] = role

        async def score(self, ctx: ScoreContext) -> Score:
            raise NotImplementedError

    for key, value in attrs.items():
        setattr(Declared, key, value)
    return Declared


def _scored(case: str, repeat: int, value: float, scorer: str = "s", metric: str = "m", **details: Any) -> Any:
    score = ScoreResult(scorer=scorer, metric=metric, value=value, passed=value < 0.5, details=details)
    return record(case, repeat, scores=[score], passed=value < 0.5)


def test_a_wer_of_one_everywhere_is_no_proportion() -> None:
    # Reproduces the issue: WER 1.0 on every trial but one (2.33, insertions) got a Wilson interval [0.61, 1].
    wer = _scorer("continuous", higher_is_better=False)
    values = [1.0] * 5 + [2.33]
    trials = [_scored(f"c{i}", 0, v) for i, v in enumerate(values)]
    (row,) = summarize(trials, lambda name: wer)
    (metric,) = row.metrics
    assert metric.kind == "continuous"
    assert metric.mean == pytest.approx(sum(values) / 6)
    assert metric.ci_high is not None and metric.ci_high > 1.0  # a t interval, not one capped at 1
    assert (metric.ci_low, metric.ci_high) == pytest.approx(mean_ci(values)[1:])  # one trial per case: plain t
    (allones,) = summarize([_scored(f"c{i}", 0, 1.0) for i in range(5)], lambda name: wer)
    assert (allones.metrics[0].ci_low, allones.metrics[0].ci_high) != pytest.approx(wilson(5, 5))


def test_yes_no_values_get_wilson_only_when_declared_a_proportion() -> None:
    trials = [_scored("a", 0, 1.0), _scored("b", 0, 1.0), _scored("c", 0, 0.0)]
    (declared,) = summarize(trials, lambda name: _scorer("proportion"))
    assert (declared.metrics[0].ci_low, declared.metrics[0].ci_high) == pytest.approx(wilson(2, 3))
    (unknown,) = summarize(trials, lambda name: None)  # scorer not installed: no guessing from values
    assert unknown.metrics[0].kind is None
    assert unknown.metrics[0].ci_low == pytest.approx(mean_ci([1.0, 1.0, 0.0])[1])


def test_categorical_metric_is_counted_per_class_never_averaged() -> None:
    finish = _scorer("categorical", category_key="finish_reason")
    trials = [
        _scored("a", 0, 1.0, finish_reason="STOP"),
        _scored("b", 0, 0.0, finish_reason="MAX_TOKENS"),
        _scored("c", 0, 1.0, finish_reason="STOP"),
    ]
    (row,) = summarize(trials, lambda name: finish)
    (metric,) = row.metrics
    assert metric.categories == {"STOP": 2, "MAX_TOKENS": 1}
    assert metric.mean is None and metric.ci_low is None


def test_pass_rate_interval_is_clustered_by_case() -> None:
    # 4 cases x 5 repeats: two always pass, two never. The 20 trials are 4 cases' worth of information.
    trials = [record(c, r, passed=c in "ab") for c in "abcd" for r in range(5)]
    (row,) = summarize(trials, lambda name: None)
    assert row.pass_rate == 0.5 and row.cases == 4
    assert row.pass_rate_ci == pytest.approx(wilson(2, 4))
    naive = wilson(10, 20)
    assert row.pass_rate_ci is not None and row.pass_rate_ci[1] - row.pass_rate_ci[0] > naive[1] - naive[0]


def test_repeats_widen_the_mean_interval_to_the_case_means() -> None:
    scorer = _scorer("continuous")
    trials = [
        _scored(c, r, base + 0.01 * r) for c, base in zip("abcd", (0.1, 0.3, 0.2, 0.6), strict=True) for r in range(3)
    ]
    (row,) = summarize(trials, lambda name: scorer)
    metric = row.metrics[0]
    case_means = [0.11, 0.31, 0.21, 0.61]
    assert (metric.mean, metric.ci_low, metric.ci_high) == pytest.approx(mean_ci(case_means))
    assert metric.cases == 4 and "4 cases" in (metric.interval or "")


def test_declared_ratio_of_sums_gives_corpus_figure_with_bootstrap_interval() -> None:
    wer = _scorer("continuous", higher_is_better=False, corpus=RatioOfSums("corpus_wer", "errors", "words"))
    sizes = {"a": (1, 10), "b": (6, 12), "c": (0, 4), "d": (3, 30), "e": (2, 8), "f": (5, 20)}
    trials = [_scored(c, r, e / n, errors=e, words=n) for c, (e, n) in sizes.items() for r in range(2)]
    (row,) = summarize(trials, lambda name: wer)
    corpus = row.metrics[0].corpus
    assert corpus is not None and corpus.name == "corpus_wer"
    assert corpus.value == pytest.approx(17 / 84)
    assert corpus.ci_low is not None and corpus.ci_high is not None
    assert 0 <= corpus.ci_low < corpus.value < corpus.ci_high
    assert "bootstrap over 6 cases" in (corpus.interval or "")
    assert row.metrics[0].aggregate["corpus_wer"] == corpus.value
    (again,) = summarize(trials, lambda name: wer)
    assert again.metrics[0].corpus == corpus  # seeded: the same run gives the same report
    # With fewer than five cases the bootstrap has too few distinct resamples: the clustered t interval instead.
    few = [t for t in trials if t.case_id in "abc"]
    (small,) = summarize(few, lambda name: wer)
    figure = small.metrics[0].corpus
    assert figure is not None and "too few cases to bootstrap" in (figure.interval or "")
    assert figure.ci_low is not None and figure.ci_low < figure.value


def test_pass_all_and_any_repeat_per_row() -> None:
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
