"""Latency profiles: when the answer's first token and its last token arrive, as the API's would.

A profile has a time to first token (``ttft_ms``), an output speed (``tokens_per_s``) and a seeded
multiplicative jitter (log-normal, sigma ``jitter``), drawn once per request from the seed and the
trial id (or the request's digest), so a trial keeps its timing and its repeats differ. Thinking
tokens are generated before the first visible token, so they lengthen the time to first token.

The schedule is computed once the answer is ready (its token counts are known) and counted from the
moment the request arrived: time the emulator spent working (a first recognition) counts toward it
instead of being added. A non-streamed answer is sent at ``ttft + tokens / speed``; a stream sends
its first chunk at the time to first token and each next chunk when its tokens would be generated.

Preset ``realistic``: Gemini Flash figures published by Artificial Analysis (see docs/emulator.md):
about 0.40 s to the first token and 250 output tokens per second.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class LatencyProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Time from the request to the first token of the answer, in milliseconds.
    ttft_ms: float = Field(0.0, ge=0)
    #: Output speed while generating; None sends the whole answer at the time to first token.
    tokens_per_s: float | None = Field(None, gt=0)
    #: Sigma of the log-normal jitter applied to both figures (0 = none; 0.25 is about +-25%).
    jitter: float = Field(0.0, ge=0, le=2)

    @property
    def active(self) -> bool:
        return self.ttft_ms > 0 or self.tokens_per_s is not None


PRESETS: dict[str, LatencyProfile] = {
    "none": LatencyProfile(),
    # Artificial Analysis, Gemini 2.5 Flash (non-reasoning) on Google AI Studio: TTFT ~0.40 s,
    # ~270 output tokens/s; Gemini 1.5 Flash: TTFT 0.40-0.41 s, 190 tokens/s. 250 sits between the
    # two; the jitter is an estimate (no published spread), chosen to give a visible p95.
    "realistic": LatencyProfile(ttft_ms=400.0, tokens_per_s=250.0, jitter=0.25),
}


def resolve(value: str | LatencyProfile | dict[str, object]) -> LatencyProfile:
    """A preset name, a profile, or a mapping (optionally ``preset:`` plus overrides) -> a profile."""
    if isinstance(value, LatencyProfile):
        return value
    if isinstance(value, str):
        if value not in PRESETS:
            raise ValueError(f"unknown latency preset '{value}' (choose from {', '.join(PRESETS)})")
        return PRESETS[value]
    fields = dict(value)
    base = fields.pop("preset", None)
    start = resolve(str(base)).model_dump() if base is not None else {}
    return LatencyProfile.model_validate({**start, **fields})


@dataclass
class Schedule:
    """Seconds after the request's arrival at which each chunk (or the whole answer) is due."""

    first_s: float
    chunks_s: list[float]

    @property
    def total_s(self) -> float:
        return self.chunks_s[-1] if self.chunks_s else self.first_s


def _factor(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma)) if sigma else 1.0


def schedule(profile: LatencyProfile, key: str, seed: int, chunk_tokens: list[int], thoughts: int) -> Schedule:
    """When each chunk of an answer is due; ``chunk_tokens`` are the answer's tokens per chunk."""
    rng = random.Random(int.from_bytes(hashlib.sha256(f"{seed}|{key}".encode()).digest()[:8], "big"))
    ttft = profile.ttft_ms / 1000 * _factor(rng, profile.jitter)
    speed = profile.tokens_per_s * _factor(rng, profile.jitter) if profile.tokens_per_s else None
    first = ttft + (thoughts / speed if speed else 0.0)
    due, at = [], first
    for i, tokens in enumerate(chunk_tokens or [0]):
        if i and speed:
            at += tokens / speed
        due.append(at)
    return Schedule(first, due)


def whole(profile: LatencyProfile, key: str, seed: int, tokens: int, thoughts: int) -> float:
    """Seconds after arrival at which a non-streamed answer of ``tokens`` is due."""
    plan = schedule(profile, key, seed, [0, tokens], thoughts)
    return plan.total_s
