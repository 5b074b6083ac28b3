"""Summaries of a run: per model x config x prompt rows, metric statistics, paired comparisons."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import ClassVar, Protocol

from harness.log.records import ScoreResult
from harness.log.results import CaseVerdict, MetricSummary, PairedComparison, SummaryRow, TrialRecord
from harness.log.stats import mean_ci, paired_permutation_p, percentile, t_critical, wilson

RowKey = tuple[str, str, str]
#: Looks up a scorer class by name (None when the scorer is not installed, e.g. re-rendering elsewhere).
ScorerLookup = Callable[[str], "type[MetricSource] | None"]


class MetricSource(Protocol):
    """What a summary needs of a scorer class (``harness.api.Scorer`` has it)."""

    higher_is_better: ClassVar[bool]

    @classmethod
    def aggregate(cls, results: list[ScoreResult]) -> dict[str, float]: ...


#: Aggregate key a cost-reporting scorer uses for the total cost of the trials it saw.
COST_KEY = "cost_usd"


def row_key(trial: TrialRecord) -> RowKey:
    return (trial.model, trial.config_id, trial.prompt_id)


def _metric_summaries(trials: list[TrialRecord], scorers: ScorerLookup) -> list[MetricSummary]:
    by_metric: dict[tuple[str, str], list[ScoreResult]] = defaultdict(list)
    for trial in trials:
        for score in trial.scores:
            by_metric[(score.metric, score.scorer)].append(score)
    out = []
    for (metric, scorer), scores in by_metric.items():
        values = [s.value for s in scores if s.value is not None]
        judged = [s for s in scores if s.passed is not None]
        summary = MetricSummary(metric=metric, scorer=scorer, n=len(scores))
        if values and all(v in (0.0, 1.0) for v in values):
            # A yes/no metric is a proportion: the Wilson interval stays inside [0, 1] where t would not.
            summary.mean = sum(values) / len(values)
            summary.ci_low, summary.ci_high = wilson(int(sum(values)), len(values))
        elif values:
            summary.mean, summary.ci_low, summary.ci_high = mean_ci(values)
        if judged:
            summary.pass_rate = sum(1 for s in judged if s.passed) / len(judged)
        cls = scorers(scorer)
        if cls is not None:
            summary.higher_is_better = cls.higher_is_better
            try:
                summary.aggregate = dict(cls.aggregate(scores))
            except Exception as exc:  # a scorer's aggregate must not break the summary
                summary.aggregate = {}
                summary.scorer = f"{scorer} (aggregate failed: {type(exc).__name__})"
        out.append(summary)
    return out


def summarize(trials: Iterable[TrialRecord], scorers: ScorerLookup) -> list[SummaryRow]:
    groups: dict[RowKey, list[TrialRecord]] = defaultdict(list)
    for trial in trials:
        groups[row_key(trial)].append(trial)
    rows = []
    for (model, config_id, prompt_id), members in groups.items():
        ok = [t for t in members if t.status == "ok"]
        judged = [t for t in members if t.passed is not None]
        passed = sum(1 for t in judged if t.passed)
        row = SummaryRow(
            model=model,
            config_id=config_id,
            prompt_id=prompt_id,
            trials=len(members),
            ok=len(ok),
            errors=len(members) - len(ok),
            passed=passed,
            failed=len(judged) - passed,
        )
        if judged:
            row.pass_rate = passed / len(judged)
            row.pass_rate_ci = wilson(passed, len(judged))
        by_case: dict[str, list[bool]] = defaultdict(list)
        for trial in members:
            if trial.passed is not None or trial.status == "error":
                by_case[trial.case_id].append(bool(trial.passed))
        if by_case and max(len(v) for v in by_case.values()) > 1:
            row.pass_all_repeats = sum(all(v) for v in by_case.values()) / len(by_case)
            row.pass_any_repeat = sum(any(v) for v in by_case.values()) / len(by_case)
        latencies = [
            t.output.latency_ms for t in ok if t.output and t.output.latency_ms is not None and not t.output.cached
        ]
        if latencies:
            row.latency_ms_p50 = percentile(latencies, 50)
            row.latency_ms_p95 = percentile(latencies, 95)
        for trial in ok:
            outputs = [t.output for t in trial.turns if t.output] if trial.turns else [trial.output]
            for output in outputs:
                if output is None:
                    continue
                row.prompt_tokens += output.usage.prompt_tokens or 0
                row.output_tokens += output.usage.output_tokens or 0
                row.total_tokens += output.usage.total_tokens or 0
        row.metrics = _metric_summaries(members, scorers)
        costs = [m.aggregate[COST_KEY] for m in row.metrics if COST_KEY in m.aggregate]
        if costs:
            row.cost_usd = sum(costs)
        rows.append(row)
    return rows


def case_verdicts(trials: Iterable[TrialRecord]) -> list[CaseVerdict]:
    """Judge each case's repeats together: ok when the passed share reaches its min_pass_rate."""
    groups: dict[tuple[str, str, str, str], list[TrialRecord]] = defaultdict(list)
    for trial in trials:
        groups[(trial.case_id, trial.prompt_id, trial.model, trial.config_id)].append(trial)
    out = []
    for (case_id, prompt_id, model, config_id), members in groups.items():
        judged = [t for t in members if t.passed is not None or t.status == "error"]
        passed = sum(1 for t in judged if t.passed)
        minimum = members[0].min_pass_rate
        verdict = CaseVerdict(
            case_id=case_id,
            prompt_id=prompt_id,
            model=model,
            config_id=config_id,
            trials=len(members),
            passed=passed,
            min_pass_rate=minimum,
        )
        if judged:
            verdict.pass_rate = passed / len(judged)
            verdict.ok = verdict.pass_rate >= (1.0 if minimum is None else minimum) - 1e-12
        out.append(verdict)
    return out


def _label(key: RowKey) -> str:
    model, config_id, prompt_id = key
    return f"{model} / {config_id} / {prompt_id}"


def _paired_values(trials: list[TrialRecord]) -> dict[str, dict[tuple[str, int, int | None], float]]:
    """metric -> (case, repeat, turn) -> value; plus the pseudo-metric 'pass' (1/0)."""
    out: dict[str, dict[tuple[str, int, int | None], float]] = defaultdict(dict)
    for trial in trials:
        if trial.passed is not None:
            out["pass"][(trial.case_id, trial.repeat, None)] = 1.0 if trial.passed else 0.0
        for score in trial.scores:
            if score.value is not None:
                out[score.metric][(trial.case_id, trial.repeat, score.turn)] = score.value
    return out


def compare(trials: Iterable[TrialRecord], max_rows: int = 12) -> list[PairedComparison]:
    """Paired comparisons of every two model/config rows that share a prompt variant.

    Trials pair up by (case, repeat, turn), so each difference is measured on the same input.
    With more than ``max_rows`` rows per prompt, each row is compared with the first only.
    """
    groups: dict[RowKey, list[TrialRecord]] = defaultdict(list)
    for trial in trials:
        groups[row_key(trial)].append(trial)
    by_prompt: dict[str, list[RowKey]] = defaultdict(list)
    for key in groups:
        by_prompt[key[2]].append(key)
    out = []
    for keys in by_prompt.values():
        pairs = list(itertools.combinations(keys, 2)) if len(keys) <= max_rows else [(keys[0], k) for k in keys[1:]]
        values = {key: _paired_values(groups[key]) for key in keys}
        for a, b in pairs:
            for metric in sorted(set(values[a]) & set(values[b])):
                va, vb = values[a][metric], values[b][metric]
                shared = sorted(set(va) & set(vb), key=str)
                if len(shared) < 2:
                    continue
                diffs = [vb[k] - va[k] for k in shared]
                if all(abs(d) <= 1e-12 * max(1.0, abs(va[k])) for d, k in zip(diffs, shared, strict=True)):
                    continue  # identical on every pair (up to float rounding): nothing to test
                mean, low, high = mean_ci(diffs)
                p = paired_permutation_p(diffs)
                out.append(
                    PairedComparison(
                        metric=metric,
                        a=_label(a),
                        b=_label(b),
                        n=len(diffs),
                        mean_diff=mean,
                        ci_low=low,
                        ci_high=high,
                        p_value=p,
                        significant=p < 0.05,
                    )
                )
    return out


__all__ = ["COST_KEY", "case_verdicts", "compare", "row_key", "summarize", "t_critical"]
