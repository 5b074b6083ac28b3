"""Records of one run compared with another: per case (the verdict that counts), per trial, per metric."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.log.records import Count, Record, Share, Timestamp


class TrialDelta(Record):
    """One trial matched (by id) between the baseline and this run."""

    trial_id: str
    case_id: str
    prompt_id: str
    model: str
    config_id: str
    repeat: Count = 0
    #: "regressed" (passed before, not now), "fixed", "unchanged", "new" (not in baseline),
    #: "removed" (in the baseline only).
    change: Literal["regressed", "fixed", "unchanged", "new", "removed"]
    before_passed: bool | None = None
    after_passed: bool | None = None
    #: metric -> (this run's value - baseline value), for metrics both runs scored.
    metric_deltas: dict[str, float] = Field(default_factory=dict)
    #: What differs from the baseline trial: any of "prompt", "system_instruction", "vars", "config",
    #: "media" (inputs) and "answer" (the model's text). Ids survive prompt edits, so this says why.
    changed: list[str] = Field(default_factory=list)
    #: The baseline's answer, kept for regressed and fixed trials so reports can show both.
    before_answer: str | None = None


class MetricDelta(Record):
    model: str
    config_id: str
    prompt_id: str
    metric: str
    before: float | None = None
    after: float | None = None
    delta: float | None = None
    higher_is_better: bool | None = None
    #: "better", "worse" or "same", judged with the scorer's direction (None when it is unknown).
    verdict: Literal["better", "worse", "same"] | None = None


class CaseDelta(Record):
    """One case (x prompt x model x config) matched between the baseline and this run, by its verdict."""

    id: str = ""
    case_id: str
    prompt_id: str
    model: str
    config_id: str
    #: "regressed" (passed before, fails now), "fixed" (failed before, passes now), "errored" (passed before,
    #: errored now), "unchanged", "new" (not in the baseline) or "missing" (in the baseline only).
    change: Literal["regressed", "fixed", "errored", "unchanged", "new", "missing"]
    before: str | None = None
    after: str | None = None
    before_pass_rate: Share | None = None
    after_pass_rate: Share | None = None
    #: This run's explanation of the case (or the baseline's, for a missing case).
    explanation: str = ""
    #: What differs from the baseline in any repeat: prompt, system_instruction, vars (the case's variables),
    #: config, media, scorers (the scorers or their options that judge this case), answer.
    changed: list[str] = Field(default_factory=list)
    #: metric -> this run's mean over the repeats minus the baseline's.
    metric_deltas: dict[str, float] = Field(default_factory=dict)
    #: Repeats whose own verdict flipped (shown, not counted, while the case keeps its verdict).
    flips: Count = 0
    #: The baseline's answer of the first repeat, kept for regressed and fixed cases.
    before_answer: str | None = None
    #: The baseline's prompt, kept when the prompt changed (reports show both).
    before_prompt: str | None = None


class BaselineComparison(Record):
    run_id: str
    suite: str
    started_at: Timestamp
    #: Set when the baseline had no results for this suite (every case is then new).
    note: str | None = None
    #: Cases whose verdict went from pass to fail: these make ``--fail-on regressions`` exit 1.
    regressions: Count = 0
    fixes: Count = 0
    #: Cases (not trials) that are new, and that the baseline had but this run has not.
    new: Count = 0
    missing: Count = 0
    errored: Count = 0
    #: Trials in the baseline only (kept for readers of 1.0 files).
    removed: Count = 0
    cases: list[CaseDelta] = Field(default_factory=list)
    #: Per-trial deltas: repeats that flipped inside a case are here, with what changed.
    trials: list[TrialDelta] = Field(default_factory=list)
    metrics: list[MetricDelta] = Field(default_factory=list)
