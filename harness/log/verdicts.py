"""Verdicts, computed in one place: trial -> case (over its repeats, with min_pass_rate) -> run, and the exit code.

Every consumer (the exit code, baseline comparisons, pytest, every reporter, the terminal) reads these records;
nothing else decides pass or fail.

- A trial **errors** when it got no answer (the call failed, timed out, or the harness broke); it **passes** when
  every required score passes (or, with a ``threshold``, when the weighted share of passed scores reaches it); it
  is **unscored** when no score decides (measure-only scores never decide).
- A case (a case x prompt x model x config, over its repeats) passes when its passed share of judged repeats
  reaches ``min_pass_rate`` (every repeat, when unset). Errored repeats are their own state: the case is decided
  anyway when the errored repeats could not change the outcome, and is ``error`` otherwise.
- A run fails when a case fails, errors when a case errors, passes when every judged case passes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from harness.log.records import Reason, ScoreResult, TrialError
from harness.log.results import CaseVerdict, RunResults, RunVerdict, TrialRecord, Verdict

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

CaseKey = tuple[str, str, str, str]


def score_reason(score: ScoreResult) -> Reason | None:
    """The reason of a failing or broken score (a generic one when the scorer gave none)."""
    if score.error is not None:
        return Reason(measured=score.metric, note=f"scorer error: {score.error}")
    if score.passed is not False:
        return None
    if score.reason is not None:
        return score.reason
    note = next((score.details[k] for k in ("reason", "message") if isinstance(score.details.get(k), str)), None)
    return Reason(measured=score.metric, got=score.value, note=note)


def error_sentence(error: TrialError) -> str:
    code = f" {error.code}" if error.code is not None else ""
    tries = f" after {error.attempts} attempts" if error.attempts > 1 else ""
    return f"{error.kind} error{code}{tries}: {error.message}"


def judge_trial(
    scores: Sequence[ScoreResult], error: TrialError | None, threshold: float | None
) -> tuple[Verdict, bool | None, float | None, list[str]]:
    """(verdict, passed, weighted score, reasons) of one trial."""
    if error is not None:
        return "error", False, None, [error_sentence(error)]
    judged = [s for s in scores if s.passed is not None or s.error is not None]
    if not judged:
        return "unscored", None, None, []
    total = sum(s.weight for s in judged)
    weighted = sum(s.weight for s in judged if s.passed) / total if total else None
    failing = [s for s in judged if s.passed is not True and (s.required or threshold is not None)]
    passed = weighted >= threshold if threshold is not None and weighted is not None else not failing
    reasons = [r.text for s in failing if (r := score_reason(s)) is not None]
    if not passed and threshold is not None and weighted is not None:
        reasons.insert(0, f"weighted score {weighted:.3g} < threshold {threshold:g}")
    return ("pass" if passed else "fail"), passed, weighted, ([] if passed else reasons)


def trial_verdict(trial: TrialRecord) -> Verdict:
    """The verdict of a stored trial (records from 1.0 files carry only ``status`` and ``passed``)."""
    if trial.verdict is not None:
        return trial.verdict
    if trial.status == "error":
        return "error"
    return "unscored" if trial.passed is None else ("pass" if trial.passed else "fail")


def case_key(trial: TrialRecord) -> CaseKey:
    return (trial.case_id, trial.prompt_id, trial.model, trial.config_id)


def case_id(suite: str, key: CaseKey) -> str:
    """Stable across runs, like trial ids: the same suite, case, prompt, model and config."""
    return hashlib.sha256(json.dumps([suite, *key], ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _decide(passed: int, failed: int, errored: int, minimum: float) -> Verdict:
    judged = passed + failed
    if not judged and not errored:
        return "unscored"
    if not errored:
        return "pass" if passed / judged >= minimum - 1e-12 else "fail"
    # Would the case pass if every errored repeat had failed, or fail if every one had passed?
    worst = passed / (judged + errored)
    best = (passed + errored) / (judged + errored)
    if worst >= minimum - 1e-12:
        return "pass"
    if best < minimum - 1e-12:
        return "fail"
    return "error"


def _case_reasons(members: list[TrialRecord]) -> tuple[list[str], str | None]:
    """Distinct reasons of the repeats that did not pass, most frequent first, each with its repeats."""
    by_sentence: dict[str, list[int]] = defaultdict(list)
    metrics: Counter[str] = Counter()
    many = len(members) > 1
    for trial in members:
        if trial_verdict(trial) in ("fail", "error"):
            for text in trial.reasons or ["failed"]:
                by_sentence[text].append(trial.repeat)
            metrics.update({s.metric for s in trial.scores if s.passed is False or s.error})
    ordered = sorted(by_sentence.items(), key=lambda item: (-len(item[1]), min(item[1])))
    reasons = [f"{text} ({', '.join(f'r{r}' for r in repeats)})" if many else text for text, repeats in ordered]
    decided = metrics.most_common(1)[0][0] if metrics else None
    return reasons, decided


def _explain(verdict: CaseVerdict) -> str:
    judged = verdict.passed + verdict.failed
    if judged:
        counts = f"{verdict.passed} of {judged} passed" + (f", {verdict.errored} errored" if verdict.errored else "")
    elif verdict.errored:
        counts = f"{verdict.errored} of {verdict.trials} errored"
    else:
        counts = f"{verdict.trials} ran, nothing scored"
    if verdict.min_pass_rate is not None:
        counts += f" (min {verdict.min_pass_rate:.0%})"
    if verdict.verdict == "pass" or not verdict.reasons:
        return counts
    more = len(verdict.reasons) - 1
    return f"{counts}: {verdict.reasons[0]}" + (f"; and {more} more" if more > 0 else "")


def case_verdicts(trials: Iterable[TrialRecord], suite: str = "") -> list[CaseVerdict]:
    """Judge each case's repeats together, in the order the cases first appear."""
    groups: dict[CaseKey, list[TrialRecord]] = defaultdict(list)
    for trial in trials:
        groups[case_key(trial)].append(trial)
    out = []
    for key, members in groups.items():
        members.sort(key=lambda t: t.repeat)
        states = Counter(trial_verdict(t) for t in members)
        minimum = members[0].min_pass_rate
        verdict = CaseVerdict(
            id=case_id(suite, key),
            case_id=key[0],
            prompt_id=key[1],
            model=key[2],
            config_id=key[3],
            tags=list(members[0].tags),
            trials=len(members),
            passed=states["pass"],
            failed=states["fail"],
            errored=states["error"],
            min_pass_rate=minimum,
        )
        if states["pass"] + states["fail"]:
            verdict.pass_rate = states["pass"] / (states["pass"] + states["fail"])
        verdict.verdict = _decide(states["pass"], states["fail"], states["error"], 1.0 if minimum is None else minimum)
        verdict.ok = None if verdict.verdict == "unscored" else verdict.verdict == "pass"
        verdict.reasons, verdict.decided_by = _case_reasons(members)
        verdict.explanation = _explain(verdict)
        out.append(verdict)
    return out


def run_verdict(cases: Sequence[CaseVerdict], trials: Sequence[TrialRecord]) -> RunVerdict:
    states = Counter(c.verdict for c in cases)
    verdict: Verdict
    if states["fail"]:
        verdict = "fail"
    elif states["error"]:
        verdict = "error"
    elif states["pass"]:
        verdict = "pass"
    else:
        verdict = "unscored"
    return RunVerdict(
        verdict=verdict,
        cases=len(cases),
        passed=states["pass"],
        failed=states["fail"],
        errored=states["error"],
        unscored=states["unscored"],
        trials=len(trials),
        errored_trials=sum(1 for t in trials if trial_verdict(t) == "error"),
    )


def parse_max_errors(text: str) -> tuple[int | None, float | None]:
    """``--max-errors N`` or ``P%``: (count, share); raises ValueError for anything else."""
    text = text.strip()
    if text.endswith("%"):
        share = float(text[:-1]) / 100
        if not 0 <= share <= 1:
            raise ValueError("a percentage between 0% and 100%")
        return None, share
    count = int(text)
    if count < 0:
        raise ValueError("a count >= 0")
    return count, None


def too_many_errors(verdict: RunVerdict, max_errors: str) -> bool:
    count, share = parse_max_errors(max_errors)
    if count is not None:
        return verdict.errored_trials > count
    return verdict.errored_trials > (share or 0.0) * verdict.trials + 1e-9


def exit_code(results: RunResults, fail_on: str = "any", max_errors: str = "0") -> int:
    """The documented exit code of a run (docs/ci.md): 0, 1, 3 or 130."""
    if results.run.status == "interrupted":
        return EXIT_INTERRUPTED
    if fail_on == "none":
        return EXIT_OK
    if too_many_errors(results.verdict, max_errors):
        return EXIT_INCOMPLETE
    if fail_on == "regressions":
        return EXIT_FAILED if results.baseline is not None and results.baseline.regressions else EXIT_OK
    return EXIT_FAILED if results.verdict.failed else EXIT_OK
