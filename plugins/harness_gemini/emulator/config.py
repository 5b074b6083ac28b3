"""EmulatorConfig: every knob of the local Gemini emulator, from flags, code or a responses file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.api import UserError
from harness_gemini.emulator.latency import LatencyProfile, resolve

#: Audio tokens per second by model-name prefix (longest prefix wins); others use the default rate.
DEFAULT_AUDIO_RATES: dict[str, float] = {"gemini-2.0-flash": 25.0, "gemini-3": 25.0}


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/harness/emulator``, else ``~/.cache/harness/emulator``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "harness" / "emulator"


class EmulatorConfig(BaseModel):
    """Settings of one emulator instance. All fault rates are fractions in [0, 1]."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535)
    responses: Path | None = None
    latency_ms: float = Field(0.0, ge=0)
    latency_jitter_ms: float = Field(0.0, ge=0)
    fail_rate_429: float = Field(0.0, ge=0, le=1)
    fail_rate_500: float = Field(0.0, ge=0, le=1)
    fail_rate_503: float = Field(0.0, ge=0, le=1)
    stream_error_rate: float = Field(0.0, ge=0, le=1)
    drop_rate: float = Field(0.0, ge=0, le=1)
    retry_delay_s: float = Field(30.0, ge=0)
    rpm: int | None = Field(None, ge=1)
    tpm: int | None = Field(None, ge=1)
    inline_limit_mb: float = Field(20.0, gt=0)
    seed: int = 0
    request_log: Path | None = None
    processing_s: float = Field(0.2, ge=0)
    #: Uploaded video stays PROCESSING this long (the real API processes video before it can be used).
    video_processing_s: float = Field(1.0, ge=0)
    #: Fraction of uploads that end FAILED after processing (a drill); unreadable video and PDFs always do.
    processing_fail_rate: float = Field(0.0, ge=0, le=1)
    stream_chunks: int = Field(3, ge=1)
    stream_chunk_delay_ms: float = Field(0.0, ge=0)
    chars_per_token: float = Field(4.0, gt=0)
    default_audio_tokens_per_s: float = Field(32.0, gt=0)
    audio_tokens_per_s: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_AUDIO_RATES))
    extra_models: list[str] = Field(default_factory=list)
    max_request_records: int = Field(10000, ge=0)
    #: Time to first token and output speed: a preset name ("none", "realistic") or a profile.
    latency: LatencyProfile = Field(default_factory=LatencyProfile)
    #: Where what was heard in each clip is kept across runs (None: memory only).
    cache_dir: Path | None = Field(default_factory=default_cache_dir)
    #: Recognition worker processes (None: one per core).
    asr_workers: int | None = Field(None, ge=1)

    @field_validator("latency", mode="before")
    @classmethod
    def _latency(cls, value: Any) -> Any:
        return resolve(value) if isinstance(value, (str, dict)) else value

    @property
    def inline_limit_bytes(self) -> int:
        return int(self.inline_limit_mb * 1024 * 1024)

    def audio_rate(self, model: str) -> float:
        """Audio tokens per second for ``model`` (longest matching prefix of audio_tokens_per_s)."""
        best = ""
        for prefix in self.audio_tokens_per_s:
            if model.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return self.audio_tokens_per_s[best] if best else self.default_audio_tokens_per_s

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides: Any) -> EmulatorConfig:
        """Load the ``emulator:`` section of a responses file; the file itself becomes ``responses``."""
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise UserError(f"cannot read responses file: {exc.strerror}", file=path) from exc
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise UserError(f"invalid YAML: {exc}", file=path, line=line + 1 if line is not None else None) from exc
        if not isinstance(data, dict):
            raise UserError("a responses file must be a mapping", file=path, hint="top keys: emulator, responses")
        section = data.get("emulator") or {}
        if not isinstance(section, dict):
            raise UserError("'emulator' must be a mapping of settings", file=path)
        merged = {**section, **overrides, "responses": path}
        try:
            return cls(**merged)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise UserError(f"emulator.{where}: {first['msg']}", file=path) from exc
