"""Comparing a run with a baseline run: cases matched by their key, judged by their verdicts.

A regression is a case whose verdict went from pass to fail; a fix the reverse. Repeats that flip inside a case
that keeps its verdict are listed (``flips``, and per trial in ``trials``) but never counted. Trials match by their
stable ids, so each case also says what changed: the prompt, the system instruction, the config, the media or
the answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Literal

from harness.log.deltas import BaselineComparison, CaseDelta, MetricDelta, TrialDelta
from harness.log.results import CaseVerdict, RunResults, TrialRecord
from harness.log.verdicts import CaseKey, case_key, case_verdicts, trial_verdict

CaseChange = Literal["regressed", "fixed", "errored", "unchanged", "new", "missing"]
_INPUTS = ("prompt", "system_instruction", "vars", "config", "media", "scorers", "answer")


def _values(trial: TrialRecord) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    for score in trial.scores:
        if score.value is not None:
            out.setdefault(score.metric, []).append(score.value)
    return {k: sum(v) / len(v) for k, v in out.items()}


def _means(trials: list[TrialRecord]) -> dict[str, float]:
    out: dict[str, list[float]] = defaultdict(list)
    for trial in trials:
        for metric, value in _values(trial).items():
            out[metric].append(value)
    return {k: sum(v) / len(v) for k, v in out.items()}


def _prompt(trial: TrialRecord) -> str:
    return "\n\n".join(t.prompt for t in trial.turns) if trial.turns else trial.request.prompt


def _answer(trial: TrialRecord) -> str | None:
    if trial.turns:
        return "\n\n".join((t.output.text or "") if t.output else "" for t in trial.turns)
    return trial.output.text if trial.output else None


def _differences(before: TrialRecord, after: TrialRecord) -> list[str]:
    """Which inputs (and whether the answer) differ between two runs of the same trial."""
    out = []
    if _prompt(before) != _prompt(after):
        out.append("prompt")
    if before.request.system_instruction != after.request.system_instruction:
        out.append("system_instruction")
    if before.vars != after.vars:
        out.append("vars")
    if before.config != after.config:
        out.append("config")
    if before.request.media != after.request.media or [m.sha256 for m in before.media] != [
        m.sha256 for m in after.media
    ]:
        out.append("media")
    if _answer(before) != _answer(after):
        out.append("answer")
    return out


def _trial_change(before: TrialRecord, after: TrialRecord) -> Literal["regressed", "fixed", "unchanged"]:
    b, a = trial_verdict(before), trial_verdict(after)
    if b == "pass" and a == "fail":
        return "regressed"
    if b == "fail" and a == "pass":
        return "fixed"
    return "unchanged"


def _case_change(before: CaseVerdict | None, after: CaseVerdict | None) -> CaseChange:
    if before is None:
        return "new"
    if after is None:
        return "missing"
    if before.verdict == "pass" and after.verdict == "fail":
        return "regressed"
    if before.verdict == "fail" and after.verdict == "pass":
        return "fixed"
    if before.verdict == "pass" and after.verdict == "error":
        return "errored"
    return "unchanged"


def _trial_deltas(current: RunResults, baseline: RunResults) -> list[TrialDelta]:
    old = {t.id: t for t in baseline.trials}
    new = {t.id for t in current.trials}
    deltas = []
    for trial in current.trials:
        before = old.get(trial.id)
        base = {
            "trial_id": trial.id,
            "case_id": trial.case_id,
            "prompt_id": trial.prompt_id,
            "model": trial.model,
            "config_id": trial.config_id,
            "repeat": trial.repeat,
            "after_passed": trial.passed,
        }
        if before is None:
            deltas.append(TrialDelta(**base, change="new"))
            continue
        change = _trial_change(before, trial)
        b, a = _values(before), _values(trial)
        deltas.append(
            TrialDelta(
                **base,
                change=change,
                before_passed=before.passed,
                metric_deltas={m: a[m] - b[m] for m in a.keys() & b.keys()},
                changed=_differences(before, trial),
                before_answer=_answer(before) if change != "unchanged" else None,
            )
        )
    for trial in baseline.trials:
        if trial.id not in new:
            deltas.append(
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
    return deltas


def _scorers_of(results: RunResults, case: str) -> list[object]:
    """The scorers that judged a case in a run (the suite's and the case's own), as the run's spec recorded them."""
    return [
        s.model_dump(exclude={"scope"})
        for s in results.run.spec.scorers
        if s.scope == "suite" or s.scope == f"case:{case}" or s.scope.startswith(f"case:{case}:turn:")
    ]


def _verdicts(results: RunResults) -> dict[CaseKey, CaseVerdict]:
    cases = results.cases or case_verdicts(results.trials, results.run.suite)
    return {(c.case_id, c.prompt_id, c.model, c.config_id): c for c in cases}


def compare_runs(current: RunResults, baseline: RunResults) -> BaselineComparison:
    comparison = BaselineComparison(
        run_id=baseline.run.id, suite=baseline.run.suite, started_at=baseline.run.started_at
    )
    comparison.trials = _trial_deltas(current, baseline)
    by_trial = {d.trial_id: d for d in comparison.trials}
    groups: dict[CaseKey, list[TrialRecord]] = defaultdict(list)
    old_groups: dict[CaseKey, list[TrialRecord]] = defaultdict(list)
    for trial in current.trials:
        groups[case_key(trial)].append(trial)
    for trial in baseline.trials:
        old_groups[case_key(trial)].append(trial)
    after_cases, before_cases = _verdicts(current), _verdicts(baseline)
    for key in [*after_cases, *(k for k in before_cases if k not in after_cases)]:
        before, after = before_cases.get(key), after_cases.get(key)
        shown = after or before
        assert shown is not None
        change = _case_change(before, after)
        deltas = [by_trial[t.id] for t in groups.get(key, []) if t.id in by_trial]
        differ = {item for d in deltas for item in d.changed}
        if before is not None and after is not None and _scorers_of(baseline, key[0]) != _scorers_of(current, key[0]):
            differ.add("scorers")
        changed = [item for item in _INPUTS if item in differ]
        first_old = min(old_groups.get(key, []), key=lambda t: t.repeat, default=None)
        delta = CaseDelta(
            id=shown.id,
            case_id=key[0],
            prompt_id=key[1],
            model=key[2],
            config_id=key[3],
            change=change,
            before=before.verdict if before else None,
            after=after.verdict if after else None,
            before_pass_rate=before.pass_rate if before else None,
            after_pass_rate=after.pass_rate if after else None,
            explanation=shown.explanation,
            changed=changed,
            flips=sum(1 for d in deltas if d.change in ("regressed", "fixed")),
        )
        if before is not None and after is not None:
            b, a = _means(old_groups[key]), _means(groups[key])
            delta.metric_deltas = {m: a[m] - b[m] for m in sorted(a.keys() & b.keys())}
        if first_old is not None and change in ("regressed", "fixed"):
            delta.before_answer = _answer(first_old)
        if first_old is not None and "prompt" in changed:
            delta.before_prompt = _prompt(first_old)
        comparison.cases.append(delta)
    counts = Counter(case.change for case in comparison.cases)
    comparison.regressions = counts["regressed"]
    comparison.fixes = counts["fixed"]
    comparison.new = counts["new"]
    comparison.missing = counts["missing"]
    comparison.errored = counts["errored"]
    comparison.removed = sum(1 for d in comparison.trials if d.change == "removed")
    comparison.metrics = _metric_deltas(current, baseline)
    return comparison


def _metric_deltas(current: RunResults, baseline: RunResults) -> list[MetricDelta]:
    out = []
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
            out.append(
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
    return out
