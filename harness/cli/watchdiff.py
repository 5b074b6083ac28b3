"""What ``harness watch`` prints after a re-run: what the run called, newly failing and newly passing cases with
their reasons, metric deltas, and changed answers as a word diff. Verdicts and changes come from the core's
baseline comparison (harness.log.baseline); nothing is decided here."""

from __future__ import annotations

from collections import Counter

from rich.text import Text

from harness.cli.console import plain_lines
from harness.log.deltas import BaselineComparison
from harness.log.results import RunResults, TrialRecord
from harness.log.worddiff import marked, word_diff

_CHANGE = {"regressed": "NEWLY FAILING", "errored": "NEWLY ERRORED", "fixed": "NEWLY PASSING"}


def _calls(results: RunResults) -> str:
    cached = sum(1 for t in results.trials if t.output is not None and t.output.cached)
    called = len(results.trials) - cached
    verdict = results.verdict
    return (
        f"  {len(results.trials)} trials: {called} called, {cached} from the cache; "
        f"{verdict.passed} of {verdict.cases} cases pass"
        + (f", {verdict.failed} fail" if verdict.failed else "")
        + (f", {verdict.errored} errored" if verdict.errored else "")
    )


def first_lines(results: RunResults) -> list[str]:
    return [_calls(results)]


def _answer(trial: TrialRecord) -> str:
    if trial.turns:
        return "\n".join((t.output.text or "") if t.output else "" for t in trial.turns)
    return (trial.output.text or "") if trial.output else ""


def _styled(before: str, after: str, terminal: bool) -> Text:
    """A word diff: on a terminal deleted words red and struck through, inserted ones green; in a log (no
    colours) ``[-deleted-]{+inserted+}``. Answers are untrusted: control characters are shown as '?'."""
    diff = [(op, plain_lines(text)) for op, text in word_diff(before, after)]
    if not terminal:
        return Text(marked(diff))
    out = Text()
    for op, text in diff:
        out.append(text, style="" if op == "equal" else "red strike" if op == "delete" else "green")
    return out


def diff_lines(
    results: RunResults, before: RunResults, comparison: BaselineComparison, terminal: bool, limit: int = 10
) -> list[str | Text]:
    lines: list[str | Text] = [_calls(results)]
    edited = Counter(item for d in comparison.trials for item in d.changed if item != "answer")
    if edited:
        touched = sum(1 for d in comparison.trials if any(item != "answer" for item in d.changed))
        what = ", ".join(f"{name} in {count}" for name, count in sorted(edited.items()))
        lines.append(f"  inputs changed in {touched} trial{'s' if touched != 1 else ''} ({what})")
    moved = [c for c in comparison.cases if c.change in _CHANGE]
    moved.sort(key=lambda c: list(_CHANGE).index(c.change))
    for case in moved[:limit]:
        lines.append(
            f"  {_CHANGE[case.change]} {case.case_id} [{case.model} · {case.config_id} · {case.prompt_id}]: "
            f"{case.explanation}"
        )
    if len(moved) > limit:
        lines.append(f"  ... and {len(moved) - limit} more cases changed verdict")
    for metric in comparison.metrics:
        if metric.delta and metric.before is not None and metric.after is not None:
            direction = f" ({metric.verdict})" if metric.verdict and metric.verdict != "same" else ""
            lines.append(
                f"  {metric.metric} [{metric.model} · {metric.config_id} · {metric.prompt_id}]: "
                f"{metric.before:.4g} -> {metric.after:.4g}{direction}"
            )
    old = {t.id: t for t in before.trials}
    shown = 0
    for delta in comparison.trials:
        if "answer" not in delta.changed or delta.trial_id not in old:
            continue
        now = next(t for t in results.trials if t.id == delta.trial_id)
        if shown == limit:
            lines.append("  ... more answers changed (harness view compares the two runs side by side)")
            break
        shown += 1
        lines.append(
            f"  answer of {delta.case_id} [{delta.model} · {delta.config_id} · {delta.prompt_id} #{delta.repeat}]:"
        )
        body = _styled(_answer(old[delta.trial_id]), _answer(now), terminal)
        body.pad_left(4)
        lines.append(body)
    if len(lines) == 1 + bool(edited):
        lines.append("  no verdict, metric or answer changed")
    return lines
