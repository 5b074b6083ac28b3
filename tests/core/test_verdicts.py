"""One verdict model: trial -> case (over repeats, min_pass_rate) -> run -> exit code, and reasons as sentences."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import record

from harness.log.baseline import compare_runs
from harness.log.reasons import number_text, sentence
from harness.log.records import Reason, ScoreResult, TrialError
from harness.log.results import RunInfo, RunResults
from harness.log.verdicts import (
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    case_verdicts,
    exit_code,
    judge_trial,
    parse_max_errors,
    run_verdict,
    score_reason,
)


def score(metric: str = "has", passed: bool | None = True, value: float | None = 1.0, **fields: Any) -> ScoreResult:
    return ScoreResult(scorer=metric, metric=metric, value=value, passed=passed, **fields)


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (Reason(measured="wer", got=0.6667, op=">", limit="max", expected=0.6), "wer 0.6667 > max 0.6"),
        (Reason(measured="output_tokens", got=38, op=">", limit="max", expected=5), "output_tokens 38 > max 5"),
        (Reason(measured="/speaker_count", expected=1, got=0), "/speaker_count: expected 1, got 0"),
        (
            Reason(measured="finish_reason", expected=["STOP"], got="MAX_TOKENS"),
            "finish_reason: expected STOP, got MAX_TOKENS",
        ),
        (
            Reason(measured="text", expected="a dog", got="a cat", note="case-insensitive"),
            'text: expected "a dog", got "a cat" (case-insensitive)',
        ),
        (
            Reason(measured="judge", got=0.2, op="<", limit="min", expected=0.7, note="misses the second speaker"),
            "judge 0.2 < min 0.7 (misses the second speaker)",
        ),
        (Reason(measured="json", note="not JSON: Expecting value"), "json: not JSON: Expecting value"),
        (Reason(measured="cost_usd", got=1.25e-07), "cost_usd 1.25e-07 failed"),
    ],
)
def test_reasons_read_as_one_sentence(reason: Reason, text: str) -> None:
    assert reason.text == text == sentence(reason)


def test_numbers_use_one_notation() -> None:
    assert [number_text(v) for v in (0.6, 0.66666, 12345.6, 2.0, 0.000123, -0.00000125)] == [
        "0.6",
        "0.6667",
        "12346",
        "2",
        "0.000123",
        "-1.25e-06",
    ]


def test_a_trial_errors_fails_passes_or_stays_unscored() -> None:
    measured = score("cost", passed=None, value=0.01)
    good, bad = score(), score(passed=False, value=0.0, reason=Reason(measured="has", expected="dog", got="cat"))
    assert judge_trial([measured], None, None) == ("unscored", None, None, [])  # measure-only never decides
    assert judge_trial([measured, good], None, None)[:2] == ("pass", True)
    assert judge_trial([measured, bad], None, None) == ("fail", False, 0.0, ["has: expected dog, got cat"])
    assert judge_trial([measured, good, bad], None, 0.5)[:3] == ("pass", True, 0.5)
    optional = score(passed=False, value=0.0, required=False)
    assert judge_trial([good, optional], None, None)[:2] == ("pass", True)  # an optional score never fails a trial
    error = TrialError(kind="provider", message="503 UNAVAILABLE: overloaded", code=503, attempts=5)
    assert judge_trial([], error, None) == (
        "error",
        False,
        None,
        ["provider error 503 after 5 attempts: 503 UNAVAILABLE: overloaded"],
    )
    weighted = judge_trial([good, bad], None, 0.75)
    assert weighted[0] == "fail" and weighted[3][0] == "weighted score 0.5 < threshold 0.75"


def test_a_score_without_its_own_reason_gets_one() -> None:
    broken = score(passed=False, value=None, error="ValueError: bad regex")
    assert score_reason(broken).text == "has: scorer error: ValueError: bad regex"  # type: ignore[union-attr]
    plain = score(passed=False, value=0.4, details={"reason": "too short"})
    assert score_reason(plain).text == "has 0.4: too short"  # type: ignore[union-attr]
    assert score_reason(score()) is None


def _judged(case: str, repeat: int, verdict: str, **fields: Any) -> Any:
    reasons = {"fail": [f"wer 0.{repeat + 6} > max 0.6"], "error": ["provider error 503: down"]}.get(verdict, [])
    trial = record(case, repeat, passed={"pass": True, "fail": False, "error": False}.get(verdict), **fields)
    trial.verdict, trial.reasons = verdict, reasons
    if verdict == "error":
        trial.status = "error"
    return trial


def test_a_case_is_judged_over_its_repeats_with_min_pass_rate() -> None:
    trials = [_judged("a", r, "fail" if r == 0 else "pass", min_pass_rate=0.6) for r in range(3)]  # 2 of 3
    trials += [_judged("b", r, "fail" if r else "pass", min_pass_rate=0.6) for r in range(3)]  # 1 of 3
    trials += [_judged("c", 0, "pass"), _judged("c", 1, "fail")]  # no rate: every repeat must pass
    trials += [_judged("d", 0, "unscored")]
    v = {c.case_id: c for c in case_verdicts(trials, "s")}
    assert (v["a"].verdict, v["a"].pass_rate, v["a"].ok) == ("pass", 2 / 3, True)
    assert (v["b"].verdict, v["b"].failed) == ("fail", 2)
    assert v["b"].explanation == "1 of 3 passed (min 60%): wer 0.7 > max 0.6 (r1); and 1 more"
    assert v["b"].reasons == ["wer 0.7 > max 0.6 (r1)", "wer 0.8 > max 0.6 (r2)"]
    assert v["b"].decided_by is None or isinstance(v["b"].decided_by, str)
    assert v["c"].verdict == "fail" and v["d"].verdict == "unscored" and v["d"].ok is None
    assert len({c.id for c in v.values()}) == 4  # stable ids, one per case x prompt x model x config
    assert v["a"].id == case_verdicts(trials, "s")[0].id


def test_errored_repeats_are_their_own_state_unless_they_cannot_change_the_outcome() -> None:
    decided_pass = [_judged("p", r, "pass", min_pass_rate=0.5) for r in range(3)] + [
        _judged("p", 3, "error", min_pass_rate=0.5)
    ]
    decided_fail = [_judged("f", 0, "fail"), _judged("f", 1, "error")]  # every repeat must pass: already failed
    open_case = [_judged("o", 0, "pass"), _judged("o", 1, "error")]
    v = {c.case_id: c for c in case_verdicts(decided_pass + decided_fail + open_case)}
    assert (v["p"].verdict, v["p"].errored) == ("pass", 1)
    assert v["f"].verdict == "fail"
    assert v["o"].verdict == "error" and v["o"].explanation == "1 of 1 passed, 1 errored: provider error 503: down (r1)"
    run = run_verdict(list(v.values()), decided_pass + decided_fail + open_case)
    assert (run.verdict, run.passed, run.failed, run.errored, run.errored_trials) == ("fail", 1, 1, 1, 3)


def _results(trials: list[Any], status: str = "complete") -> RunResults:
    info = RunInfo(
        id="r",
        suite="s",
        suite_file="s.suite.yaml",
        suite_sha256="0",
        started_at="2026-01-01T00:00:00Z",
        harness_version="0",
        status=status,
    )  # type: ignore[arg-type]
    cases = case_verdicts(trials, "s")
    return RunResults(run=info, trials=trials, cases=cases, verdict=run_verdict(cases, trials))


def test_exit_codes_follow_the_documented_table() -> None:
    passing = _results([_judged("a", 0, "pass")])
    failing = _results([_judged("a", 0, "fail")])
    errored = _results([_judged("a", 0, "pass"), _judged("b", 0, "error")])
    assert exit_code(passing) == EXIT_OK
    assert exit_code(failing) == EXIT_FAILED
    assert exit_code(failing, "none") == EXIT_OK
    assert exit_code(errored) == EXIT_INCOMPLETE  # --max-errors 0
    assert exit_code(errored, max_errors="1") == EXIT_OK
    assert exit_code(errored, max_errors="50%") == EXIT_OK and exit_code(errored, max_errors="49%") == EXIT_INCOMPLETE
    assert exit_code(_results([_judged("a", 0, "pass")], status="interrupted")) == EXIT_INTERRUPTED
    failing.baseline = compare_runs(failing, passing)
    assert exit_code(failing, "regressions") == EXIT_FAILED
    passing.baseline = compare_runs(passing, passing)
    assert exit_code(passing, "regressions") == EXIT_OK
    with pytest.raises(ValueError):
        parse_max_errors("lots")


def test_a_regression_is_a_case_verdict_going_from_pass_to_fail_not_a_repeat_flipping() -> None:
    before = _results([_judged("a", r, "pass", min_pass_rate=0.6) for r in range(3)] + [_judged("b", 0, "pass")])
    a = [_judged("a", r, "fail" if r == 0 else "pass", min_pass_rate=0.6) for r in range(3)]
    after = _results([*a, _judged("b", 0, "fail"), _judged("n", 0, "pass")])
    comparison = compare_runs(after, before)
    by_case = {c.case_id: c for c in comparison.cases}
    assert (by_case["a"].change, by_case["a"].flips) == ("unchanged", 1)  # shown, not counted
    assert by_case["b"].change == "regressed" and by_case["b"].explanation.startswith("0 of 1 passed: wer")
    assert by_case["n"].change == "new"
    assert (comparison.regressions, comparison.fixes, comparison.new, comparison.missing) == (1, 0, 1, 0)
    assert compare_runs(before, after).fixes == 1 and compare_runs(before, after).missing == 1
    assert [d.change for d in comparison.trials if d.case_id == "a"] == ["regressed", "unchanged", "unchanged"]
