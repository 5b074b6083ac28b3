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
    # The docstring under each field is its description in the published schema (editors show it).
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_attribute_docstrings=True)


#: An offset into a video: seconds (``75``, ``"75s"``, ``"1.5s"``) or a timestamp (``"01:15"``, ``"1:02:03"``).
Offset = float | str


class VideoMetadataSpec(Strict):
    """The part of a video to send and its sampling rate, as the Gemini API's ``videoMetadata`` allows."""

    start_offset: Offset | None = None
    """Where the clip starts: seconds (75, "75s") or a timestamp ("01:15", "1:02:03")."""
    end_offset: Offset | None = None
    """Where the clip ends, written as start_offset."""
    fps: float | None = Field(default=None, gt=0, le=24)
    """Frames per second sent to the model (the API's range is (0, 24]; its default is 1)."""

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
    """A media file, relative to the suite's folder."""
    uri: str | None = None
    """The URI of a file already uploaded to the provider (e.g. a Gemini Files API URI)."""
    mime_type: str | None = None
    """The MIME type (default: detected from the file's content)."""
    video_metadata: VideoMetadataSpec | None = None
    """For video: send only a clip, or sample it at another frame rate."""

    @model_validator(mode="after")
    def _one_source(self) -> MediaSpec:
        if (self.path is None) == (self.uri is None):
            raise ValueError("give exactly one of 'path' or 'uri'")
        return self


MediaEntry = str | MediaSpec


class PromptSpec(Strict):
    """A prompt variant: a Jinja template given inline or in a file."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    """The variant's id (letters, digits, '_', '.', '-'): in trial ids, reports and --filter."""
    template: str | None = None
    """The prompt, a Jinja template over the case's variables (or give 'file')."""
    file: str | None = None
    """A template file (relative to the suite's folder), instead of 'template'."""
    description: str | None = None
    """What this variant tries, for reports."""

    @model_validator(mode="after")
    def _one_source(self) -> PromptSpec:
        if (self.template is None) == (self.file is None):
            raise ValueError("give exactly one of 'template' or 'file'")
        return self


class Turn(Strict):
    """One user turn of a multi-turn (chat) case."""

    prompt: str
    """This turn's user message, a template."""
    media: list[MediaEntry] = Field(default_factory=list)
    """Media sent with this turn (paths relative to the suite's folder)."""
    expect: list[ScorerEntry] = Field(default_factory=list)
    """Scorers of this turn's answer."""


class Case(Strict):
    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.\-:/]+$")
    """The case's id (default: case-N), stable across runs: trial ids, reports, baselines and --filter use it."""
    description: str | None = None
    """What the case checks, for reports."""
    tags: list[str] = Field(default_factory=list)
    """Tags for --filter 'tag:NAME' and the reports' filters (a list, or a comma-separated string)."""
    vars: dict[str, Any] = Field(default_factory=dict)
    """The case's template variables (they win over the suite's vars)."""
    media: list[MediaEntry] = Field(default_factory=list)
    """Media files (audio, images, ...) sent with the prompt: paths relative to the suite's folder, or
    {path|uri, mime_type}."""
    expect: list[ScorerEntry] = Field(default_factory=list)
    """Scorers for this case only, beside the suite's."""
    turns: list[Turn] | None = None
    """A multi-turn chat: each turn is sent with the whole history, as the SDK's chats do."""
    prompt: str | None = None
    """A template for this case only (instead of the suite's prompt variants)."""
    prompts: list[str] | None = None
    """Run only these prompt variants for this case."""
    system: str | None = None
    """A system instruction for this case only, a template."""
    config: dict[str, Any] = Field(default_factory=dict)
    """Generation-config overrides for this case."""
    stream: bool | None = None
    """Stream this case's answers (default: defaults.stream)."""
    threshold: float | None = Field(default=None, ge=0, le=1)
    """When set, this case passes when its weighted share of passed scores reaches this value."""
    min_pass_rate: float | None = Field(default=None, ge=0, le=1)
    """The share of this case's repeats that must pass (per prompt, model and config); default: all."""
    skip: bool = False
    """Leave this case out of runs (it is still validated)."""

    @field_validator("tags", mode="before", json_schema_input_type=str | list[str])
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
    model: str | None = None
    """The model when the matrix names none (default: the provider's own default model)."""
    system: str | None = None
    """The system instruction, a template."""
    system_file: str | None = None
    """A template file holding the system instruction, instead of 'system'."""
    config: dict[str, Any] = Field(default_factory=dict)
    """Generation config (snake_case GenerateContentConfig fields)."""
    stream: bool = False
    """Stream answers (server-sent events): time to first token is measured."""
    count_tokens: bool = False
    """Count each prompt's tokens with the API's countTokens before the call."""
    timeout_s: float = Field(default=300.0, gt=0)
    """Seconds one trial may take, retries included."""
    media_position: Literal["before", "after"] = "before"
    """Where media go relative to the prompt text in the user turn."""
    media_transport: Literal["auto", "inline", "upload"] = "auto"
    """How media travel: 'auto' uploads what the run sends many times, 'inline' or 'upload' force one way."""


class Matrix(Strict):
    models: list[str] | None = Field(default=None, min_length=1)
    """Run every case on each of these models (--model replaces them)."""
    config: dict[str, list[Any]] | None = None
    """A grid: every combination of these values, e.g. {temperature: [0, 0.7, 1.0]}."""
    configs: list[dict[str, Any]] | None = Field(default=None, min_length=1)
    """Named config variants, e.g. [{id: cold, temperature: 0}, {id: hot, temperature: 1}]."""

    @field_validator("config")
    @classmethod
    def _non_empty_lists(cls, value: dict[str, list[Any]] | None) -> dict[str, list[Any]] | None:
        for key, values in (value or {}).items():
            if not values:
                raise ValueError(f"'{key}' needs at least one value")
        return value


class Limits(Strict):
    """Client-side quotas (docs/engine.md): requests and input tokens per minute, per model."""

    rpm: int | dict[str, int] | None = None
    """Requests per minute: one number for every model, or {model: n}."""
    tpm: int | dict[str, int] | None = None
    """Input tokens per minute (estimated before each call): one number, or {model: n}."""
    tier: str | None = None
    """Start from the provider's documented limits of this quota tier (e.g. 'tier1'); rpm and tpm win."""

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
    """The cap in USD."""


class Suite(Strict):
    name: str = Field(min_length=1)
    """The suite's name: in reports, trial ids and the store."""
    description: str | None = None
    """What the suite evaluates, for reports."""
    provider: str | None = None
    """The provider plugin (default: the one installed provider, or the one that says it is the default)."""
    provider_options: dict[str, Any] = Field(default_factory=dict)
    """Options of the provider (see its docs, e.g. docs/gemini.md): checked by the provider."""
    defaults: Defaults = Field(default_factory=Defaults)
    """What every trial gets unless a case or the matrix says otherwise: model, system instruction, config."""
    vars: dict[str, Any] = Field(default_factory=dict)
    """Variables shared by every case (a case's own vars win)."""
    prompts: list[PromptSpec] = Field(default_factory=list)
    """Prompt variants: every case (without its own prompt) runs with each of them."""
    matrix: Matrix = Field(default_factory=Matrix)
    """Models and config variants to run every case with."""
    repeat: int = Field(default=1, ge=1, le=1000)
    """How many times each trial runs (--repeat overrides); repeats are judged together per case."""
    threshold: float | None = Field(default=None, ge=0, le=1)
    """When set, a case passes when its weighted share of passed scores reaches this value."""
    min_pass_rate: float | None = Field(default=None, ge=0, le=1)
    """The share of each case's repeats that must pass (per prompt, model and config); default: all. Lets a
    sampled (temperature > 0) suite gate CI on a rate instead of on every single sample."""
    scorers: list[ScorerEntry] = Field(default_factory=list)
    """Scorers of every answer: '- type: NAME' with its options beside it, or '- NAME: {options}'."""
    limits: Limits = Field(default_factory=Limits)
    """Client-side quotas per model: rpm, tpm and a provider quota tier (docs/engine.md)."""
    budget: Budget | None = None
    """What a run may spend: {max_cost_usd: N}; no call starts once spent plus in-flight estimates would pass it."""
    cases: list[Case | str] = Field(min_length=1)
    """Cases inline, or a string naming a CSV / JSONL / YAML file of cases."""
