"""The results record of one run: written as results.json, versioned, documented in docs/results-json.md.

Versioning: ``schema_version`` is "MAJOR.MINOR". A minor version only adds fields, so a reader accepts files of
its own major version whatever their minor (unknown fields are ignored); a newer major version is refused with
a clear message. Fields are never renamed or removed within a major version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from harness.log.records import MediaInfo, Output, Record, ScoreResult, TrialError

SCHEMA_VERSION = "1.1"
SCHEMA_MAJOR = int(SCHEMA_VERSION.split(".")[0])


_Model = Record


class ScorerSpecRecord(_Model):
    """One configured scorer, as the run used it."""

    name: str
    metric: str
    weight: float = 1.0
    required: bool = True
    #: Where it was configured: "suite", "case:<id>" or "case:<id>:turn:<n>".
    scope: str = "suite"
    options: dict[str, Any] = Field(default_factory=dict)


class RunSpec(_Model):
    """What ran, with which parameters: enough to re-score or compare the run later."""

    scorers: list[ScorerSpecRecord] = Field(default_factory=list)
    provider_options: dict[str, Any] = Field(default_factory=dict)
    filters: list[str] = Field(default_factory=list)
    #: Plugin name -> version of the distribution that provides it.
    plugins: dict[str, str] = Field(default_factory=dict)


class RunInfo(_Model):
    id: str
    suite: str
    suite_file: str
    suite_sha256: str
    description: str | None = None
    started_at: str
    finished_at: str | None = None
    duration_s: float | None = None
    harness_version: str
    git_revision: str | None = None
    #: "complete", or "interrupted" when stopped by Ctrl-C (finished trials are kept).
    status: Literal["running", "complete", "interrupted"] = "complete"
    provider: str = ""
    models: list[str] = Field(default_factory=list)
    configs: dict[str, dict[str, Any]] = Field(default_factory=dict)
    prompts: list[str] = Field(default_factory=list)
    repeat: int = 1
    argv: list[str] = Field(default_factory=list)
    emulator: bool = False
    spec: RunSpec = Field(default_factory=RunSpec)


class TrialPlan(_Model):
    """A trial a run is about to make (what observer plugins see before it runs)."""

    id: str
    case_id: str
    prompt_id: str
    model: str
    config_id: str
    repeat: int = 0
    tags: list[str] = Field(default_factory=list)


class TurnRecord(_Model):
    """One turn of a multi-turn (chat) case."""

    prompt: str
    output: Output | None = None


class RequestRecord(_Model):
    """What was asked, after templates were rendered."""

    system_instruction: str | None = None
    prompt: str
    media: list[str] = Field(default_factory=list)
    stream: bool = False


class TrialRecord(_Model):
    id: str
    case_id: str
    prompt_id: str
    model: str
    #: Config variant label, e.g. "temperature=0.7" or a name given in the suite.
    config_id: str
    config: dict[str, Any] = Field(default_factory=dict)
    repeat: int = 0
    tags: list[str] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)
    status: Literal["ok", "error"]
    error: TrialError | None = None
    request: RequestRecord
    output: Output | None = None
    turns: list[TurnRecord] = Field(default_factory=list)
    scores: list[ScoreResult] = Field(default_factory=list)
    #: True when every required score passed (or the weighted score cleared the case threshold);
    #: False when one failed or the trial errored; None when nothing was scored.
    passed: bool | None = None
    weighted_score: float | None = None
    started_at: str | None = None
    finished_at: str | None = None
    media: list[MediaInfo] = Field(default_factory=list)
    #: The case's min_pass_rate (None: every repeat must pass).
    min_pass_rate: float | None = None


class CaseVerdict(_Model):
    """A case's repeats at one prompt, model and config, judged together against min_pass_rate."""

    case_id: str
    prompt_id: str
    model: str
    config_id: str
    trials: int
    passed: int
    #: Passed repeats over judged ones (errored repeats count as not passed; unscored ones are left out).
    pass_rate: float | None = None
    min_pass_rate: float | None = None
    #: pass_rate >= min_pass_rate (1.0 when unset); None when nothing was judged.
    ok: bool | None = None


class MetricSummary(_Model):
    metric: str
    scorer: str
    n: int
    mean: float | None = None
    #: 95% confidence interval of the mean (t distribution); None with fewer than two values.
    ci_low: float | None = None
    ci_high: float | None = None
    pass_rate: float | None = None
    #: Scorer-specific aggregates, e.g. corpus WER or total cost.
    aggregate: dict[str, float] = Field(default_factory=dict)
    #: From the scorer: True when larger values are better, False when smaller are (None: unknown).
    higher_is_better: bool | None = None


class SummaryRow(_Model):
    """One model x config x prompt variant."""

    model: str
    config_id: str
    prompt_id: str
    trials: int
    ok: int
    errors: int
    passed: int
    failed: int
    pass_rate: float | None = None
    #: 95% Wilson interval of the pass rate.
    pass_rate_ci: tuple[float, float] | None = None
    #: With repeats: the share of cases whose every repeat passed (pass^k, reliability) and whose
    #: repeats passed at least once (pass@k, capability). None without repeats.
    pass_all_repeats: float | None = None
    pass_any_repeat: float | None = None
    metrics: list[MetricSummary] = Field(default_factory=list)
    latency_ms_p50: float | None = None
    latency_ms_p95: float | None = None
    prompt_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None


class PairedComparison(_Model):
    """Two summary rows compared on the trials they share (same case, prompt and repeat)."""

    metric: str
    a: str
    b: str
    n: int
    mean_diff: float
    ci_low: float | None = None
    ci_high: float | None = None
    #: Two-sided p-value of a paired t-test (or sign-flip permutation for small n).
    p_value: float | None = None
    significant: bool = False


class TrialDelta(_Model):
    """One trial matched (by id) between the baseline and this run."""

    trial_id: str
    case_id: str
    prompt_id: str
    model: str
    config_id: str
    repeat: int = 0
    #: "regressed" (passed before, not now), "fixed", "unchanged", "new" (not in baseline),
    #: "removed" (in the baseline only).
    change: Literal["regressed", "fixed", "unchanged", "new", "removed"]
    before_passed: bool | None = None
    after_passed: bool | None = None
    #: metric -> (this run's value - baseline value), for metrics both runs scored.
    metric_deltas: dict[str, float] = Field(default_factory=dict)
    #: What differs from the baseline trial: any of "prompt", "system_instruction", "config",
    #: "media" (inputs) and "answer" (the model's text). Ids survive prompt edits, so this says why.
    changed: list[str] = Field(default_factory=list)
    #: The baseline's answer, kept for regressed and fixed trials so reports can show both.
    before_answer: str | None = None


class MetricDelta(_Model):
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


class BaselineComparison(_Model):
    run_id: str
    suite: str
    started_at: str
    regressions: int = 0
    fixes: int = 0
    new: int = 0
    removed: int = 0
    trials: list[TrialDelta] = Field(default_factory=list)
    metrics: list[MetricDelta] = Field(default_factory=list)


class RunResults(_Model):
    schema_version: str = SCHEMA_VERSION
    run: RunInfo
    trials: list[TrialRecord] = Field(default_factory=list)
    summary: list[SummaryRow] = Field(default_factory=list)
    comparisons: list[PairedComparison] = Field(default_factory=list)
    #: One verdict per case x prompt x model x config over its repeats; these decide the exit code.
    cases: list[CaseVerdict] = Field(default_factory=list)
    #: Set by ``--baseline``: per-trial deltas and regressions against an earlier run.
    baseline: BaselineComparison | None = None

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: Path) -> RunResults:
        """Read a results.json of this major version (any minor); refuse a newer major version."""
        data = json.loads(path.read_text(encoding="utf-8"))
        check_version(data)
        return cls.model_validate(data)


class SchemaVersionError(ValueError):
    """A results file of a version this harness cannot read."""


def check_version(data: Any) -> None:
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.split(".")[0].isdigit():
        raise SchemaVersionError(f"no schema_version (got {version!r})")
    major = int(version.split(".")[0])
    if major > SCHEMA_MAJOR:
        raise SchemaVersionError(
            f"schema_version {version} is newer than this harness reads ({SCHEMA_MAJOR}.x): upgrade harness"
        )
    if major < SCHEMA_MAJOR:
        raise SchemaVersionError(f"schema_version {version} is older than {SCHEMA_MAJOR}.x and no longer read")


def results_json_schema() -> dict[str, Any]:
    """The published JSON Schema of results.json."""
    schema = RunResults.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "harness results"
    return schema
