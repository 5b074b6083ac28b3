"""The gemini provider's ``provider_options``: a pydantic model and its suite-time check."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.api import did_you_mean

#: Audio tokens per second of audio, by model-name prefix (measured on real answers; see docs/gemini.md).
DEFAULT_AUDIO_TOKENS_PER_SECOND: dict[str, float] = {
    "gemini-2.5": 32.0,
    "gemini-2.0": 25.0,
    "gemini-3": 25.0,
}
#: Used for models no prefix matches.
FALLBACK_AUDIO_TOKENS_PER_SECOND = 32.0


class GeminiOptions(BaseModel):
    """Options a suite may set under ``provider_options`` when ``provider: gemini``."""

    model_config = ConfigDict(extra="forbid")

    #: Largest request (MB = 10**6 bytes, base64-encoded media included) sent with inline media bytes.
    inline_limit_mb: float = Field(default=20.0, gt=0, le=2000)
    #: API version in the URL; pinned so SDK upgrades do not change the endpoint.
    api_version: Literal["v1beta", "v1", "v1alpha"] = "v1beta"
    #: Reuse files uploaded by earlier runs (remembered in the store) until shortly before they expire.
    upload_reuse: bool = True
    #: How long to wait for an uploaded file to become ACTIVE.
    file_ready_timeout_s: float = Field(default=300.0, gt=0)
    #: Per-model override of audio tokens per second, keyed by model name or name prefix.
    audio_tokens_per_second: dict[str, float] = Field(default_factory=dict)
    #: The model's input token limit, which the media of one prompt may not exceed (checked before any call).
    max_input_tokens: int = Field(default=1_048_576, gt=0)

    @field_validator("audio_tokens_per_second")
    @classmethod
    def _positive_rates(cls, rates: dict[str, float]) -> dict[str, float]:
        for model, rate in rates.items():
            if rate <= 0:
                raise ValueError(f"'{model}': tokens per second must be positive, got {rate}")
        return rates

    @property
    def inline_limit_bytes(self) -> int:
        return int(self.inline_limit_mb * 1_000_000)

    def tokens_per_second(self, model: str) -> float:
        """Audio tokens per second for ``model``: the longest matching prefix wins, overrides first."""
        name = model.removeprefix("models/")
        for table in (self.audio_tokens_per_second, DEFAULT_AUDIO_TOKENS_PER_SECOND):
            matches = [prefix for prefix in table if name.startswith(prefix)]
            if matches:
                return table[max(matches, key=len)]
        return FALLBACK_AUDIO_TOKENS_PER_SECOND


def option_errors(options: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Validate provider options; unknown keys get a did-you-mean."""
    try:
        GeminiOptions.model_validate(options)
    except ValidationError as error:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for item in error.errors():
            loc = tuple(item["loc"])
            if item["type"] == "extra_forbidden" and len(loc) == 1:
                key = str(loc[0])
                hint = did_you_mean(key, GeminiOptions.model_fields)
                known = ", ".join(GeminiOptions.model_fields)
                message = f"unknown gemini provider option '{key}'" + (f"; {hint}" if hint else "")
                problems.append((loc, f"{message} (known: {known})"))
            else:
                problems.append((loc, item["msg"]))
        return problems
    return []
