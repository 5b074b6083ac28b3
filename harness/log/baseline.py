"""Comparing a run with a baseline run: trials matched by their stable id."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from harness.log.results import BaselineComparison, MetricDelta, RunResults, TrialDelta, TrialRecord


def _values(trial: TrialRecord) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    for score in trial.scores:
        if score.value is not None:
            out.setdefault(score.metric, []).append(score.value)
    return {k: sum(v) / len(v) for k, v in out.items()}


def _differences(before: TrialRecord, after: TrialRecord) -> list[str]:
    """Which inputs (and whether the answer) differ between two runs of the same trial."""
    out = []
    if [t.prompt for t in before.turns] != [
        t.prompt for t in after.turns
    ] or before.request.prompt != after.request.prompt:
        out.append("prompt")
    if before.request.system_instruction != after.request.system_instruction:
        out.append("system_instruction")
    if before.config != after.config:
        out.append("config")
    if before.request.media != after.request.media or [m.sha256 for m in before.media] != [
        m.sha256 for m in after.media
    ]:
        out.append("media")
    if _answer(before) != _answer(after):
        out.append("answer")
    return out


def _answer(trial: TrialRecord) -> str | None:
    if trial.turns:
        return "\n\n".join((t.output.text or "") if t.output else "" for t in trial.turns)
    return trial.output.text if trial.output else None


def _change(before: bool | None, after: bool | None) -> Literal["regressed", "fixed", "unchanged"]:
    if before and after is False:
        return "regressed"
    if before is False and after:
        return "fixed"
    return "unchanged"


def compare_runs(current: RunResults, baseline: RunResults) -> BaselineComparison:
    old = {t.id: t for t in baseline.trials}
    new = {t.id: t for t in current.trials}
    comparison = BaselineComparison(
        run_id=baseline.run.id, suite=baseline.run.suite, started_at=baseline.run.started_at
    )
    for trial in current.trials:
        before = old.get(trial.id)
        change: Literal["regressed", "fixed", "unchanged", "new"]
        changed: list[str] = []
        before_answer: str | None = None
        if before is None:
            change = "new"
            deltas: dict[str, float] = {}
        else:
            changed = _differences(before, trial)
            change = _change(before.passed, trial.passed)
            b, a = _values(before), _values(trial)
            deltas = {m: a[m] - b[m] for m in a.keys() & b.keys()}
            if change in ("regressed", "fixed"):
                before_answer = _answer(before)
        comparison.trials.append(
            TrialDelta(
                trial_id=trial.id,
                case_id=trial.case_id,
                prompt_id=trial.prompt_id,
                model=trial.model,
                config_id=trial.config_id,
                repeat=trial.repeat,
                change=change,
                before_passed=before.passed if before else None,
                after_passed=trial.passed,
                metric_deltas=deltas,
                changed=changed,
                before_answer=before_answer,
            )
        )
    for trial in baseline.trials:
        if trial.id not in new:
            comparison.trials.append(
                TrialDelta(
                    trial_id=trial.id,
                    case_id=trial.case_id,
                    prompt_id=trial.prompt_id,
                    model=trial.model,
                    config_id=trial.config_id,
                    repeat=trial.repeat,
                    change="removed",
                    before_passed=trial.passed,
                )
            )
    counts = Counter(delta.change for delta in comparison.trials)
    comparison.regressions = counts["regressed"]
    comparison.fixes = counts["fixed"]
    comparison.new = counts["new"]
    comparison.removed = counts["removed"]
    before_rows = {(r.model, r.config_id, r.prompt_id): r for r in baseline.summary}
    for row in current.summary:
        prior = before_rows.get((row.model, row.config_id, row.prompt_id))
        if prior is None:
            continue
        prior_metrics = {m.metric: m for m in prior.metrics}
        for metric in row.metrics:
            old_metric = prior_metrics.get(metric.metric)
            if old_metric is None:
                continue
            diff = metric.mean - old_metric.mean if metric.mean is not None and old_metric.mean is not None else None
            direction = metric.higher_is_better
            verdict: Literal["better", "worse", "same"] | None = None
            if diff is not None and direction is not None:
                verdict = "same" if diff == 0 else ("better" if (diff > 0) == direction else "worse")
            comparison.metrics.append(
                MetricDelta(
                    model=row.model,
                    config_id=row.config_id,
                    prompt_id=row.prompt_id,
                    metric=metric.metric,
                    before=old_metric.mean,
                    after=metric.mean,
                    delta=diff,
                    higher_is_better=direction,
                    verdict=verdict,
                )
            )
    return comparison
