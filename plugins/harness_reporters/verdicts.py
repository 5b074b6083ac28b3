"""Small helpers the reporters share: labels, numbers, and the core's verdicts and reasons as text."""

from __future__ import annotations

from harness.api import BaselineComparison, ReportContext, RunResults, ScoreResult, TrialRecord, number_text

#: The run's verdict in words, as the reports headline it.
VERDICT_WORD = {"pass": "passed", "fail": "FAILED", "error": "incomplete (errors)", "unscored": "nothing scored"}


def row_label(model: str, config_id: str, prompt_id: str) -> str:
    return f"{model} / {config_id} / {prompt_id}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 case``, ``2 cases``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def format_value(value: float | None) -> str:
    return "-" if value is None else number_text(value)


def describe_score(score: ScoreResult) -> str:
    """One score as a line: ``wer=0.42 fail: wer 0.42 > max 0.35``, ``cost=0.0012 measured``."""
    head = f"{score.metric}={format_value(score.value)}"
    if score.turn is not None:
        head += f" (turn {score.turn + 1})"
    if score.error:
        return f"{head} error: {score.reason.text if score.reason else score.error}"
    verdict = {True: "pass", False: "fail", None: "measured"}[score.passed]
    if score.passed is False and score.reason is not None:
        return f"{head} {verdict}: {score.reason.text}"
    return f"{head} {verdict}"


def failure_reason(trial: TrialRecord) -> str:
    """Why the trial did not pass, as the core wrote it ('' when it passed or was not judged)."""
    if trial.reasons:
        return "; ".join(trial.reasons)
    if trial.status == "error" and trial.error is not None:  # a 1.0 file: no reasons recorded
        return f"{trial.error.kind} error: {trial.error.message}"
    return "failed" if trial.passed is False else ""


def baseline_of(results: RunResults, ctx: ReportContext) -> BaselineComparison | None:
    """The baseline comparison the core computed (reporters never recompute it)."""
    return results.baseline
