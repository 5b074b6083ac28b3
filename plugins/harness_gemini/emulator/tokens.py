"""Token accounting: prompt tokens by modality (Google's documented rates), candidates, thoughts, usageMetadata."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness_gemini import media_tokens as rates
from harness_gemini.emulator.config import EmulatorConfig
from harness_gemini.emulator.request import GenRequest, Media

IMAGE_TOKENS = 258
MODALITY_ORDER = ["TEXT", "IMAGE", "VIDEO", "AUDIO", "DOCUMENT"]


def text_tokens(text: str, chars_per_token: float) -> int:
    return math.ceil(len(text) / chars_per_token) if text else 0


def modality(mime: str) -> str:
    kind = mime.split("/", 1)[0]
    if kind in ("audio", "image", "video"):
        return kind.upper()
    if kind == "text":
        return "TEXT"
    return "DOCUMENT"


@dataclass
class Usage:
    prompt: Counter[str] = field(default_factory=Counter)
    candidates: int = 0
    thoughts: int = 0

    @property
    def prompt_total(self) -> int:
        return sum(self.prompt.values())

    @property
    def total(self) -> int:
        return self.prompt_total + self.candidates + self.thoughts

    def prompt_details(self) -> list[dict[str, Any]]:
        return [{"modality": m, "tokenCount": self.prompt[m]} for m in MODALITY_ORDER if self.prompt.get(m)]

    def metadata(self, legacy: bool) -> dict[str, Any]:
        """usageMetadata as Google orders it; ``legacy`` (1.5/2.0) adds candidatesTokensDetails.
        Like the real API, candidatesTokenCount is left out when no answer token was produced."""
        out: dict[str, Any] = {"promptTokenCount": self.prompt_total}
        if self.candidates:
            out["candidatesTokenCount"] = self.candidates
        out["totalTokenCount"] = self.total
        out["promptTokensDetails"] = self.prompt_details()
        if self.thoughts:
            out["thoughtsTokenCount"] = self.thoughts
        if legacy and self.candidates:
            out["candidatesTokensDetails"] = [{"modality": "TEXT", "tokenCount": self.candidates}]
        return out


def video_usage(media: Media, rate: float, model: str, resolution: str | None) -> dict[str, int]:
    """The clip's frames and soundtrack, at the documented rates (media_tokens.py, the provider's estimate),
    from what the emulator itself read from the bytes (readable.py)."""
    facts, clip = media.facts, media.clip
    length = facts.duration_s if facts is not None and facts.duration_s is not None else 1.0
    start = clip.start_s if clip is not None and clip.start_s is not None else 0.0
    end = min(clip.end_s, length) if clip is not None and clip.end_s is not None else length
    fps = clip.fps if clip is not None else None
    has_audio = facts is not None and facts.has_audio
    return rates.video_tokens(max(0.0, end - start), fps, has_audio, model, resolution, rate)


def document_usage(media: Media, model: str, resolution: str | None) -> dict[str, int]:
    """Pages x the documented tokens per page (the default figure where Google publishes none)."""
    if media.facts is not None and media.facts.pages is not None:
        pages = media.facts.pages
    else:
        pages = max(1, media.data.count(b"/Type /Page") - media.data.count(b"/Type /Pages"))
    per_page = rates.page_tokens(model, resolution) or rates.page_tokens(model, None) or 0
    return {"DOCUMENT": pages * per_page}


def media_tokens(
    media: Media, seconds: float | None, rate: float, model: str = "", resolution: str | None = None
) -> dict[str, int]:
    kind = modality(media.mime_type)
    if kind == "AUDIO":
        return {kind: math.ceil((seconds or 0.0) * rate)}
    if kind == "VIDEO":
        return video_usage(media, rate, model, resolution)
    if kind == "IMAGE":
        return {kind: IMAGE_TOKENS}
    if kind == "TEXT":
        return {kind: math.ceil(len(media.data) / 4)}
    return document_usage(media, model, resolution)


def prompt_usage(req: GenRequest, config: EmulatorConfig, durations: list[float | None]) -> Usage:
    usage = Usage()
    text = text_tokens(req.all_text.strip(), config.chars_per_token)
    if text:
        usage.prompt["TEXT"] += text
    rate = config.audio_rate(req.model)
    for media, seconds in zip(req.media, durations, strict=True):
        usage.prompt.update(media_tokens(media, seconds, rate, req.model, req.media_resolution))
    return usage


def thought_tokens(req: GenRequest, candidates: int) -> int:
    """Deterministic thinking cost when thinking is configured: 2 x answer + 16, capped by a budget."""
    if not req.wants_thoughts:
        return 0
    cost = 2 * candidates + 16
    if req.thinking_budget is not None and req.thinking_budget > 0:
        cost = min(cost, req.thinking_budget)
    return cost
