"""Records that cross the plugin boundary and are persisted: usage, outputs, errors, scores.

These pydantic models are part of the results JSON (see docs/results-json.md and the version policy in
harness/log/results.py). Fields may be added; existing fields are never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: What a metric's values are, which decides how it is summarised (docs/statistics.md):
#: ``proportion`` - a share in [0, 1] (pass/fail, exact match): mean with a clustered Wilson interval;
#: ``continuous`` - any real number (WER, a judge's score, latency, cost): mean with a clustered t interval;
#: ``count`` - a whole number per answer (tokens, mistakes): like continuous, shown as counts;
#: ``categorical`` - a class per answer (finish reason): counts per class, never averaged.
MetricKind = Literal["proportion", "continuous", "count", "categorical"]
#: ``quality`` - what the suite measures; ``cost`` - cost, tokens or latency: compared apart and never
#: headlined as a significant difference.
MetricRole = Literal["quality", "cost"]


@dataclass(frozen=True)
class RatioOfSums:
    """A corpus-level figure: the sum of ``details[numerator]`` over the sum of ``details[denominator]``.

    E.g. corpus WER = total errors / total reference words (the Open ASR leaderboard's definition):
    ``RatioOfSums("corpus_wer", "errors", "reference_length")``. The core computes it per summary row with a
    bootstrap interval over cases and compares rows on it; the scorer only names the detail keys.
    """

    name: str
    numerator: str
    denominator: str


#: An RFC 3339 date-time with its offset, as the harness writes it ("2026-11-26T10:15:00.000Z"). The pattern is
#: enforced on reading and in the published schema (``format`` alone is only an annotation to most validators).
TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
Timestamp = Annotated[str, Field(pattern=TIMESTAMP_PATTERN, json_schema_extra={"format": "date-time"})]
#: Bounded numbers of the run log: counts, shares and durations.
Count = Annotated[int, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]


class Record(BaseModel):
    # Persisted in results.json: a newer minor version may add fields, which readers ignore. Every field is
    # written (defaults included), so the published schema (serialization mode) requires every field.
    model_config = ConfigDict(extra="ignore", json_schema_serialization_defaults_required=True)


class Usage(Record):
    """Token usage as the model reported it."""

    prompt_tokens: Count | None = None
    output_tokens: Count | None = None
    thoughts_tokens: Count | None = None
    cached_tokens: Count | None = None
    tool_use_prompt_tokens: Count | None = None
    total_tokens: Count | None = None
    #: Prompt tokens per modality, e.g. {"TEXT": 85, "AUDIO": 144}.
    prompt_by_modality: dict[str, Count] = Field(default_factory=dict)
    #: Output (candidate) tokens per modality.
    output_by_modality: dict[str, Count] = Field(default_factory=dict)


class VideoMetadata(Record):
    """Which part of a video the model sees and how densely it is sampled (a suite's ``video_metadata``)."""

    #: Seconds from the start of the video; None: from the start / to the end.
    start_offset_s: float | None = None
    end_offset_s: float | None = None
    #: Frames per second sent to the model; None: the API's default (1).
    fps: float | None = None


class MediaInfo(Record):
    """What the provider learned about one media item and how it sent it."""

    source: str
    mime_type: str | None = None
    size_bytes: Count | None = None
    sha256: str | None = None
    duration_s: NonNegative | None = None
    channels: Count | None = None
    sample_rate: Count | None = None
    #: Video: frame size, frames per second of the file, and whether it has an audio track.
    width: Count | None = None
    height: Count | None = None
    frame_rate: NonNegative | None = None
    has_audio: bool | None = None
    #: Documents: page count, and whether the file is encrypted.
    pages: Count | None = None
    encrypted: bool | None = None
    video_metadata: VideoMetadata | None = None
    #: The provider's estimate of the prompt tokens this item costs, by modality (e.g. {"VIDEO": 2893, "AUDIO": 352}).
    tokens_estimate: dict[str, Count] = Field(default_factory=dict)
    #: "inline" (bytes in the request), "upload" (Files API, this run), "reused" (Files API, earlier
    #: upload still valid) or "uri" (a file URI given in the suite).
    transport: str | None = None
    file_uri: str | None = None


class Attempt(Record):
    """One failed attempt that was retried."""

    error: str
    code: int | None = None
    delay_s: NonNegative = 0.0


class Output(Record):
    """One model answer (one turn)."""

    text: str | None = None
    finish_reason: str | None = None
    latency_ms: NonNegative | None = None
    #: Time to first token, for streamed calls.
    ttft_ms: NonNegative | None = None
    #: Number of stream chunks, for streamed calls.
    chunks: Count | None = None
    usage: Usage = Field(default_factory=Usage)
    #: Tokens counted by a pre-call countTokens, when asked for.
    counted_tokens: Count | None = None
    #: The parsed JSON value, for structured output.
    parsed: Any = None
    parse_error: str | None = None
    model_version: str | None = None
    response_id: str | None = None
    safety_ratings: list[dict[str, Any]] = Field(default_factory=list)
    block_reason: str | None = None
    media: list[MediaInfo] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    #: Retried attempts before this answer.
    retries: list[Attempt] = Field(default_factory=list)
    #: True when the answer came from the harness cache, not the API.
    cached: bool = False
    extra: dict[str, Any] = Field(default_factory=dict)


class TrialError(Record):
    """Why a trial did not produce an answer."""

    kind: Literal["provider", "timeout", "internal", "interrupted"]
    message: str
    code: int | None = None
    status: str | None = None
    attempts: int = Field(default=1, ge=1)
    retries: list[Attempt] = Field(default_factory=list)


class Reason(Record):
    """Why a score failed: what was measured, the limit or expectation, and what the answer gave.

    ``text`` is the one sentence every consumer prints (terminal, pytest, JUnit, Markdown, HTML); it is made
    from the parts by :func:`harness.log.reasons.sentence` when the reason is built.
    """

    #: What was measured: a metric ("wer"), a quantity ("output_tokens") or a JSON pointer ("/speaker_count").
    measured: str
    #: What the answer gave.
    got: Any = None
    #: The limit or the expectation.
    expected: Any = None
    #: How ``got`` stands to a limit when it fails, e.g. ">" (so: "wer 0.67 > max 0.6"); None for an expectation.
    op: str | None = None
    #: The name of the limit ("max", "min"), shown before it.
    limit: str | None = None
    #: Anything else worth one clause (a grader's words, a schema message).
    note: str | None = None
    text: str = ""

    def model_post_init(self, __context: Any) -> None:
        if not self.text:
            from harness.log.reasons import sentence

            self.text = sentence(self)


class ScoreResult(Record):
    """One scorer's verdict on one answer."""

    scorer: str
    metric: str
    value: float | None = None
    passed: bool | None = None
    weight: NonNegative = 1.0
    required: bool = True
    #: Set when the scorer itself raised; the trial then counts as failed for this scorer.
    error: str | None = None
    #: For multi-turn cases: the 0-based turn this score judges (None = the final answer).
    turn: Count | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    #: Why it failed (set whenever ``passed`` is False or ``error`` is set).
    reason: Reason | None = None
