"""Explaining a trial's verdict in one line: which scores failed and why, or what error stopped it."""

from __future__ import annotations

from harness.api import BaselineComparison, ReportContext, RunResults, ScoreResult, TrialRecord


def row_label(model: str, config_id: str, prompt_id: str) -> str:
    return f"{model} / {config_id} / {prompt_id}"


def format_value(value: float | None) -> str:
    if value is None:
        return "-"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def describe_score(score: ScoreResult) -> str:
    """E.g. ``wer=0.42 FAIL (max 0.35)`` or ``json: error: ...``."""
    head = f"{score.metric}={format_value(score.value)}"
    if score.turn is not None:
        head += f" (turn {score.turn})"
    if score.error:
        return f"{head} ERROR {score.error}"
    verdict = {True: "pass", False: "FAIL", None: "info"}[score.passed]
    text = f"{head} {verdict}"
    reason = score.details.get("reason") or score.details.get("message")
    if score.passed is False and isinstance(reason, str) and reason:
        text += f": {reason}"
    return text


def failed_scores(trial: TrialRecord) -> list[ScoreResult]:
    return [s for s in trial.scores if s.error or s.passed is False]


def failure_reason(trial: TrialRecord) -> str:
    """Why the trial did not pass ('' when it passed or was not judged)."""
    if trial.status == "error" and trial.error is not None:
        code = f" {trial.error.code}" if trial.error.code is not None else ""
        return f"{trial.error.kind} error{code}: {trial.error.message}"
    if trial.passed is False:
        failing = failed_scores(trial)
        if failing:
            return "; ".join(describe_score(s) for s in failing)
        return "failed (weighted score below the case threshold)"
    return ""


def baseline_of(results: RunResults, ctx: ReportContext) -> BaselineComparison | None:
    """The baseline comparison the core computed (reporters never recompute it)."""
    return results.baseline
