"""The suite file format (``*.suite.yaml``), as pydantic models. See docs/suite-format.md.

Unknown keys are errors everywhere (``extra="forbid"``). Scorer entries and generation configs are kept
as plain mappings here and checked by the loader against the installed scorer and provider plugins.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.api.timestamps import seconds

#: A scorer entry: ``{type: wer, max: 0.3}`` or the short form ``{wer: {max: 0.3}}``.
ScorerEntry = dict[str, Any]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


#: An offset into a video: seconds (``75``, ``"75s"``, ``"1.5s"``) or a timestamp (``"01:15"``, ``"1:02:03"``).
Offset = float | str


class VideoMetadataSpec(Strict):
    """The part of a video to send and its sampling rate, as the Gemini API's ``videoMetadata`` allows."""

    start_offset: Offset | None = None
    end_offset: Offset | None = None
    #: Frames per second sent to the model (the API's range is (0, 24]; its default is 1).
    fps: float | None = Field(default=None, gt=0, le=24)

    @field_validator("start_offset", "end_offset")
    @classmethod
    def _offset(cls, value: Offset | None) -> Offset | None:
        if value is not None and offset_seconds(value) < 0:
            raise ValueError("an offset cannot be negative")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> VideoMetadataSpec:
        start, end = self.start_seconds, self.end_seconds
        if start is not None and end is not None and end <= start:
            raise ValueError(f"end_offset ({end:g} s) must be after start_offset ({start:g} s)")
        return self

    @property
    def start_seconds(self) -> float | None:
        return None if self.start_offset is None else offset_seconds(self.start_offset)

    @property
    def end_seconds(self) -> float | None:
        return None if self.end_offset is None else offset_seconds(self.end_offset)


def offset_seconds(value: Offset) -> float:
    """``75``, ``"75s"``, ``"01:15"`` or ``"0:01:15"`` -> 75.0; ValueError for anything else."""
    try:
        return seconds(value)
    except ValueError:
        raise ValueError(
            f"not an offset: {value!r} (give seconds, e.g. 75 or '75s', or a timestamp, e.g. '01:15')"
        ) from None


class MediaSpec(Strict):
    """A media item: a file next to the suite, or the URI of a file already uploaded."""

    path: str | None = None
    uri: str | None = None
    mime_type: str | None = None
    #: For video: send only a clip, or sample it at another frame rate.
    video_metadata: VideoMetadataSpec | None = None

    @model_validator(mode="after")
    def _one_source(self) -> MediaSpec:
        if (self.path is None) == (self.uri is None):
            raise ValueError("give exactly one of 'path' or 'uri'")
        return self


MediaEntry = str | MediaSpec


class PromptSpec(Strict):
    """A prompt variant: a Jinja template given inline or in a file."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    template: str | None = None
    file: str | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> PromptSpec:
        if (self.template is None) == (self.file is None):
            raise ValueError("give exactly one of 'template' or 'file'")
        return self


class Turn(Strict):
    """One user turn of a multi-turn (chat) case."""

    prompt: str
    media: list[MediaEntry] = Field(default_factory=list)
    expect: list[ScorerEntry] = Field(default_factory=list)


class Case(Strict):
    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.\-:/]+$")
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)
    media: list[MediaEntry] = Field(default_factory=list)
    expect: list[ScorerEntry] = Field(default_factory=list)
    #: A multi-turn chat: each turn is sent with the whole history, as the SDK's chats do.
    turns: list[Turn] | None = None
    #: A template for this case only (instead of the suite's prompt variants).
    prompt: str | None = None
    #: Run only these prompt variants for this case.
    prompts: list[str] | None = None
    system: str | None = None
    #: Generation-config overrides for this case.
    config: dict[str, Any] = Field(default_factory=dict)
    stream: bool | None = None
    threshold: float | None = Field(default=None, ge=0, le=1)
    #: The share of this case's repeats that must pass (per prompt, model and config); default: all.
    min_pass_rate: float | None = Field(default=None, ge=0, le=1)
    skip: bool = False

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [t.strip() for t in value.replace(";", ",").split(",") if t.strip()]
        return value

    @model_validator(mode="after")
    def _turns_exclusive(self) -> Case:
        if self.turns is not None:
            if not self.turns:
                raise ValueError("'turns' needs at least one turn")
            if self.prompt is not None or self.prompts is not None:
                raise ValueError("a case with 'turns' takes its prompts from the turns, not 'prompt'/'prompts'")
        return self


class Defaults(Strict):
    #: The model when the matrix names none (default: the provider's own default model).
    model: str | None = None
    #: The system instruction, a template.
    system: str | None = None
    system_file: str | None = None
    #: Generation config (snake_case GenerateContentConfig fields).
    config: dict[str, Any] = Field(default_factory=dict)
    stream: bool = False
    count_tokens: bool = False
    timeout_s: float = Field(default=300.0, gt=0)
    #: Where media go relative to the prompt text in the user turn.
    media_position: Literal["before", "after"] = "before"
    #: How media travel: "auto" uploads what the run sends many times, "inline" or "upload" force one way.
    media_transport: Literal["auto", "inline", "upload"] = "auto"


class Matrix(Strict):
    models: list[str] | None = Field(default=None, min_length=1)
    #: A grid: every combination of these values, e.g. {temperature: [0, 0.7, 1.0]}.
    config: dict[str, list[Any]] | None = None
    #: Named config variants, e.g. [{id: cold, temperature: 0}, {id: hot, temperature: 1}].
    configs: list[dict[str, Any]] | None = Field(default=None, min_length=1)

    @field_validator("config")
    @classmethod
    def _non_empty_lists(cls, value: dict[str, list[Any]] | None) -> dict[str, list[Any]] | None:
        for key, values in (value or {}).items():
            if not values:
                raise ValueError(f"'{key}' needs at least one value")
        return value


class Limits(Strict):
    """Client-side quotas (docs/engine.md): requests and input tokens per minute, per model."""

    #: Requests per minute: one number for every model, or {model: n}.
    rpm: int | dict[str, int] | None = None
    #: Input tokens per minute (estimated before each call): one number, or {model: n}.
    tpm: int | dict[str, int] | None = None
    #: Start from the provider's documented limits of this quota tier (e.g. "tier1"); rpm/tpm win.
    tier: str | None = None

    @field_validator("rpm", "tpm")
    @classmethod
    def _positive(cls, value: int | dict[str, int] | None) -> int | dict[str, int] | None:
        values = value.values() if isinstance(value, dict) else [] if value is None else [value]
        if any(v < 1 for v in values):
            raise ValueError("limits must be at least 1 per minute")
        return value


class Budget(Strict):
    """What a run may spend: new calls stop when spent plus in-flight estimates would pass the cap."""

    max_cost_usd: float = Field(gt=0)


class Suite(Strict):
    name: str = Field(min_length=1)
    description: str | None = None
    #: The provider plugin (default: the one installed provider, or the one that says it is the default).
    provider: str | None = None
    provider_options: dict[str, Any] = Field(default_factory=dict)
    defaults: Defaults = Field(default_factory=Defaults)
    #: Variables shared by every case (a case's own vars win).
    vars: dict[str, Any] = Field(default_factory=dict)
    prompts: list[PromptSpec] = Field(default_factory=list)
    matrix: Matrix = Field(default_factory=Matrix)
    repeat: int = Field(default=1, ge=1, le=1000)
    #: When set, a case passes when its weighted share of passed scores reaches this value.
    threshold: float | None = Field(default=None, ge=0, le=1)
    #: The share of each case's repeats that must pass (per prompt, model and config); default: all.
    #: Lets a sampled (temperature > 0) suite gate CI on a rate instead of on every single sample.
    min_pass_rate: float | None = Field(default=None, ge=0, le=1)
    scorers: list[ScorerEntry] = Field(default_factory=list)
    limits: Limits = Field(default_factory=Limits)
    budget: Budget | None = None
    #: Cases inline, or a string naming a CSV / JSONL / YAML file of cases.
    cases: list[Case | str] = Field(min_length=1)
