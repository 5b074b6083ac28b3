"""The results record of one run: written as results.json, versioned, documented in docs/results-json.md.

Versioning: ``schema_version`` is "MAJOR.MINOR". A minor version only adds fields, so a reader accepts files of
its own major version whatever their minor (unknown fields are ignored); a newer major version is refused with
a clear message. Fields are never renamed or removed within a major version.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from harness.log.atomic import write_atomic
from harness.log.deltas import BaselineComparison
from harness.log.records import (
    Count,
    MediaInfo,
    MetricKind,
    MetricRole,
    NonNegative,
    Output,
    Record,
    ScoreResult,
    Share,
    Timestamp,
    TrialError,
)

#: 1.1 added verdicts and reasons (harness.log.verdicts) and the run's spec; 1.2 the statistics of
#: docs/statistics.md: clustered intervals, corpus figures, one-factor comparisons with Holm-adjusted p-values,
#: and the detectable effect (``power``); 1.3 the skipped cases (``run.skipped``).
SCHEMA_VERSION = "1.3"
#: A verdict: of one trial, of a case over its repeats, or of a run.
Verdict = Literal["pass", "fail", "error", "unscored"]
SCHEMA_MAJOR = int(SCHEMA_VERSION.split(".")[0])
#: "MAJOR.MINOR" of this major version: what a reader of this harness accepts.
VERSION_PATTERN = rf"^{SCHEMA_MAJOR}\.[0-9]+$"


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


class SkippedCase(_Model):
    """A case the suite marks ``skip: true``: never run, listed so reports can say so (JUnit ``<skipped>``)."""

    case_id: str
    #: Where the case is defined (the suite file or a cases file), and its line.
    file: str
    line: int | None = Field(default=None, ge=1)
    tags: list[str] = Field(default_factory=list)


class RunInfo(_Model):
    id: str = Field(min_length=1)
    suite: str = Field(min_length=1)
    suite_file: str
    suite_sha256: str
    description: str | None = None
    started_at: Timestamp
    finished_at: Timestamp | None = None
    duration_s: NonNegative | None = None
    harness_version: str
    git_revision: str | None = None
    #: "complete", or "interrupted" when stopped by Ctrl-C (finished trials are kept).
    status: Literal["running", "complete", "interrupted"] = "complete"
    provider: str = ""
    models: list[str] = Field(default_factory=list)
    configs: dict[str, dict[str, Any]] = Field(default_factory=dict)
    prompts: list[str] = Field(default_factory=list)
    repeat: int = Field(default=1, ge=1)
    argv: list[str] = Field(default_factory=list)
    emulator: bool = False
    spec: RunSpec = Field(default_factory=RunSpec)
    #: Cases marked ``skip: true`` (1.3), whatever the run's filters.
    skipped: list[SkippedCase] = Field(default_factory=list)


class TrialPlan(_Model):
    """A trial a run is about to make (what observer plugins see before it runs)."""

    id: str
    case_id: str
    prompt_id: str
    model: str
    config_id: str
    repeat: Count = 0
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
    repeat: Count = 0
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
    #: "pass", "fail", "error" (no answer: the call failed) or "unscored" (no score decides), from
    #: harness.log.verdicts; derived from ``status`` and ``passed`` when reading older files.
    verdict: Verdict | None = None
    #: Why it did not pass, one sentence each (the failing scores' reasons, or the error).
    reasons: list[str] = Field(default_factory=list)
    weighted_score: Share | None = None
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    media: list[MediaInfo] = Field(default_factory=list)
    #: The case's min_pass_rate (None: every repeat must pass).
    min_pass_rate: Share | None = None


class CaseVerdict(_Model):
    """A case's repeats at one prompt, model and config, judged together against min_pass_rate.

    This is the unit of judgement: exit codes, baseline regressions, pytest items and every report use it.
    """

    #: Stable across runs (like trial ids): suite, case, prompt, model and config.
    id: str = ""
    case_id: str
    prompt_id: str
    model: str
    config_id: str
    tags: list[str] = Field(default_factory=list)
    trials: Count
    passed: Count
    failed: Count = 0
    errored: Count = 0
    #: Passed repeats over judged ones (passed + failed; errored and unscored repeats are left out).
    pass_rate: Share | None = None
    min_pass_rate: Share | None = None
    #: "pass", "fail", "error" (errored repeats leave the verdict open) or "unscored".
    verdict: Verdict = "unscored"
    #: verdict == "pass"; None when nothing was judged (kept for readers of 1.0 files).
    ok: bool | None = None
    #: One line: how the repeats went and the first reason, e.g. "1 of 3 passed (min 60%): wer 0.67 > max 0.6".
    explanation: str = ""
    #: Every distinct reason of the failing or errored repeats, most frequent first: "wer 0.67 > max 0.6 (r1)".
    reasons: list[str] = Field(default_factory=list)
    #: The metric that decided the verdict (the most frequent failing one), first in every summary.
    decided_by: str | None = None


class RunVerdict(_Model):
    """The whole run in one word, with the counts behind it."""

    verdict: Verdict = "unscored"
    cases: Count = 0
    passed: Count = 0
    failed: Count = 0
    errored: Count = 0
    unscored: Count = 0
    trials: Count = 0
    errored_trials: Count = 0


class CorpusFigure(_Model):
    """A scorer's declared ratio of sums over the row's trials (e.g. corpus WER), with a bootstrap interval."""

    name: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    #: How the interval was computed, in words.
    interval: str | None = None


class MetricSummary(_Model):
    metric: str
    scorer: str
    n: Count
    mean: float | None = None
    #: 95% interval of the mean, clustered by case (docs/statistics.md); None with fewer than two cases.
    ci_low: float | None = None
    ci_high: float | None = None
    #: How the interval was computed, in words (e.g. "t over 12 cases (clustered)").
    interval: str | None = None
    pass_rate: Share | None = None
    #: Scorer-specific aggregates, e.g. corpus WER or total cost.
    aggregate: dict[str, float] = Field(default_factory=dict)
    #: From the scorer: True when larger values are better, False when smaller are (None: unknown).
    higher_is_better: bool | None = None
    #: From the scorer: what the values are (None when the scorer was not installed at summary time).
    kind: MetricKind | None = None
    #: "cost" for cost, token and latency measures (compared apart from quality).
    role: MetricRole = "quality"
    #: Cases (not trials) the figures rest on.
    cases: Count = 0
    #: The scorer's corpus-level figure, when it declares one.
    corpus: CorpusFigure | None = None
    #: Categorical metrics: answers per class (no mean, no interval).
    categories: dict[str, Count] = Field(default_factory=dict)


class SummaryRow(_Model):
    """One model x config x prompt variant."""

    model: str
    config_id: str
    prompt_id: str
    trials: Count
    ok: Count
    errors: Count
    passed: Count
    failed: Count
    pass_rate: Share | None = None
    #: 95% Wilson interval of the pass rate at its effective sample size (clustered by case).
    pass_rate_ci: tuple[Share, Share] | None = None
    #: Cases in the row (the unit of the intervals).
    cases: Count = 0
    #: With repeats: the share of cases whose every repeat passed (pass^k, reliability) and whose
    #: repeats passed at least once (pass@k, capability). None without repeats.
    pass_all_repeats: Share | None = None
    pass_any_repeat: Share | None = None
    metrics: list[MetricSummary] = Field(default_factory=list)
    latency_ms_p50: NonNegative | None = None
    latency_ms_p95: NonNegative | None = None
    prompt_tokens: Count = 0
    output_tokens: Count = 0
    total_tokens: Count = 0
    cost_usd: NonNegative | None = None


class PairedComparison(_Model):
    """Two summary rows that differ in one factor, compared on the cases they share (docs/statistics.md)."""

    #: The statistic compared: "pass" (trial pass rate), a metric's mean, or a corpus figure ("corpus_wer").
    metric: str
    a: str
    b: str
    #: Paired cases (each case's repeats are averaged into it).
    n: Count
    #: The statistic in B minus the statistic in A, over the paired cases.
    mean_diff: float
    #: 95% paired-bootstrap interval of the difference (expanded percentile).
    ci_low: float | None = None
    ci_high: float | None = None
    #: Two-sided p-value of the paired test named in ``test``, before adjustment.
    p_value: Share | None = None
    #: True for a quality comparison whose Holm-adjusted p-value is below 0.05. Never true for cost.
    significant: bool = False
    #: What differs between A and B: "model", "config" or "prompt" (the other two are the same).
    factor: Literal["model", "config", "prompt"] | None = None
    scorer: str | None = None
    kind: MetricKind | None = None
    role: MetricRole = "quality"
    higher_is_better: bool | None = None
    #: The two rows as (model, config_id, prompt_id).
    a_key: tuple[str, str, str] | None = None
    b_key: tuple[str, str, str] | None = None
    #: The factor's value in A and in B (e.g. "temperature=0" and "temperature=0.7"), and the other two
    #: factors, which both rows share (e.g. "gemini-2.5-flash / transcribe").
    a_level: str | None = None
    b_level: str | None = None
    held_fixed: str | None = None
    a_value: float | None = None
    b_value: float | None = None
    trials_a: Count = 0
    trials_b: Count = 0
    #: "McNemar exact", "sign-flip permutation (exact)" or "sign-flip permutation (20000 draws)".
    test: str | None = None
    #: Holm-adjusted p-value over ``family`` comparisons (quality and cost are separate families).
    p_adjusted: Share | None = None
    family: Count = 0
    #: Share of bootstrap resamples in which B is better than A (Bisani & Ney's probability of improvement);
    #: None when the direction is unknown.
    prob_b_better: Share | None = None
    #: B against A in the metric's own direction: "better", "worse", "no clear difference"; "higher" or
    #: "lower" for cost measures and metrics of unknown direction.
    label: Literal["better", "worse", "no clear difference", "higher", "lower"] = "no clear difference"


class DetectableEffect(_Model):
    """The smallest difference in one statistic that the suite's comparisons detect with 80% power."""

    metric: str
    role: MetricRole = "quality"
    #: Paired cases and mean repeats per case of the comparisons it is computed from.
    cases: Count
    repeats: NonNegative
    #: Comparisons in the Holm family; the first of them is tested at alpha / family.
    family: Count
    alpha: Share = 0.05
    power: Share = 0.8
    #: Standard deviation of the per-case differences, and its parts: between cases and between repeats.
    sd_case: NonNegative | None = None
    sd_between: NonNegative | None = None
    sd_within: NonNegative | None = None
    #: The minimum detectable difference (None when the suite cannot detect any: see ``note``).
    mde: NonNegative | None = None
    #: Fewest cases with which the exact paired tests can reach alpha / family at all.
    min_cases: Count = 0
    note: str | None = None
    #: The finding in one sentence, as the terminal and the reports show it.
    text: str = ""


class RunResults(_Model):
    schema_version: str = Field(default=SCHEMA_VERSION, pattern=VERSION_PATTERN)
    run: RunInfo
    trials: list[TrialRecord] = Field(default_factory=list)
    summary: list[SummaryRow] = Field(default_factory=list)
    comparisons: list[PairedComparison] = Field(default_factory=list)
    #: The minimum detectable effect of the comparisons, per statistic.
    power: list[DetectableEffect] = Field(default_factory=list)
    #: One verdict per case x prompt x model x config over its repeats; these decide the exit code.
    cases: list[CaseVerdict] = Field(default_factory=list)
    #: The run in one word, from the case verdicts.
    verdict: RunVerdict = Field(default_factory=RunVerdict)
    #: Set by ``--baseline``: regressions and fixes per case, per-trial flips and metric deltas.
    baseline: BaselineComparison | None = None

    def write(self, path: Path) -> Path:
        """Write results.json whole or not at all (a unique temporary file, renamed over ``path``)."""
        return write_atomic(path, self.model_dump_json(indent=1))

    @classmethod
    def read(cls, path: Path) -> RunResults:
        """Read a results.json of this major version (any minor); refuse a newer major version."""
        data = json.loads(path.read_text(encoding="utf-8"))
        check_version(data)
        return cls.model_validate(data)


class SchemaVersionError(ValueError):
    """A results file of a version this harness cannot read."""


def check_version(data: Any) -> None:
    """Refuse a record this harness cannot read: no "MAJOR.MINOR" schema_version, or another major version."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not re.fullmatch(r"[0-9]+\.[0-9]+", version):
        raise SchemaVersionError(f"no schema_version of the form MAJOR.MINOR (got {version!r})")
    major = int(version.split(".")[0])
    if major > SCHEMA_MAJOR:
        raise SchemaVersionError(
            f"schema_version {version} is newer than this harness reads ({SCHEMA_MAJOR}.x): upgrade harness"
        )
    if major < SCHEMA_MAJOR:
        raise SchemaVersionError(f"schema_version {version} is older than {SCHEMA_MAJOR}.x and no longer read")


def results_json_schema() -> dict[str, Any]:
    """The published JSON Schema of results.json, as this version writes it (docs/results-json.md).

    Serialization mode: every field is written, so every field is required; bounds, timestamp patterns and the
    accepted ``schema_version`` (this major, any minor) come from the models. Unknown fields are allowed, as the
    version policy says (a later minor adds fields).
    """
    schema = RunResults.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"harness results {SCHEMA_MAJOR}.x (written as {SCHEMA_VERSION})"
    return schema
