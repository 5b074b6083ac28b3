"""Prompt tokens a media item costs, by modality, from Google's documented rates (cited in docs/gemini.md).

- Video: each sampled frame (1 per second unless ``video_metadata.fps`` says otherwise) costs 258 tokens
  (66 at ``MEDIA_RESOLUTION_LOW``) on Gemini 2.x, 70 (280 at ``MEDIA_RESOLUTION_HIGH``) on Gemini 3, plus a
  5-token timestamp per second: 263 tokens per second at the defaults. The audio track is AUDIO at the
  model's audio rate.
- PDF: 258 tokens per page on Gemini 2.x; on Gemini 3 280 / 560 (the default) / 1120 for low / medium / high.
- Audio: seconds x the model's audio rate.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

from harness.api import MediaInfo
from harness_gemini.mime import kind_of

#: Tokens of the per-second timestamp interleaved with video frames.
TIMESTAMP_TOKENS = 5
#: Per sampled video frame: (Gemini 2.x, Gemini 3) by media resolution; None is the default.
FRAME_TOKENS: dict[str | None, tuple[int, int]] = {
    None: (258, 70),
    "MEDIA_RESOLUTION_LOW": (66, 70),
    "MEDIA_RESOLUTION_MEDIUM": (258, 70),
    "MEDIA_RESOLUTION_HIGH": (258, 280),
}
#: Per PDF page, as above. Google gives no low-resolution figure for Gemini 2.x pages (None: no estimate).
PAGE_TOKENS: dict[str | None, tuple[int | None, int]] = {
    None: (258, 560),
    "MEDIA_RESOLUTION_LOW": (None, 280),
    "MEDIA_RESOLUTION_MEDIUM": (258, 560),
    "MEDIA_RESOLUTION_HIGH": (258, 1120),
}
DEFAULT_FPS = 1.0


def resolution_of(config: dict[str, Any]) -> str | None:
    """The config's ``media_resolution`` as ``MEDIA_RESOLUTION_*``; None when unset or UNSPECIFIED."""
    value = config.get("media_resolution")
    if isinstance(value, Enum):
        value = value.value
    if not value:
        return None
    name = str(value).upper()
    if not name.startswith("MEDIA_RESOLUTION_"):
        name = "MEDIA_RESOLUTION_" + name
    return None if name == "MEDIA_RESOLUTION_UNSPECIFIED" else name


def generation(model: str) -> int:
    """0 for Gemini 1.x/2.x, 1 for Gemini 3 and later (the index into the tables above)."""
    name = model.removeprefix("models/")
    return 0 if name.startswith(("gemini-1", "gemini-2")) else 1


def clip_seconds(info: MediaInfo) -> float | None:
    """Seconds of the video the model sees: the file, or the clip its video_metadata names."""
    if info.duration_s is None:
        return None
    meta = info.video_metadata
    start = meta.start_offset_s if meta and meta.start_offset_s is not None else 0.0
    end = meta.end_offset_s if meta and meta.end_offset_s is not None else info.duration_s
    return max(0.0, min(end, info.duration_s) - start)


def video_tokens(
    seconds: float, fps: float | None, has_audio: bool, model: str, resolution: str | None, audio_rate: float
) -> dict[str, int]:
    """VIDEO for the frames sampled from ``seconds`` of video and their timestamps; AUDIO for its soundtrack."""
    frame = FRAME_TOKENS.get(resolution, FRAME_TOKENS[None])[generation(model)]
    frames = max(1, math.floor(seconds * (fps or DEFAULT_FPS) + 0.5))
    out = {"VIDEO": frames * frame + math.ceil(seconds) * TIMESTAMP_TOKENS}
    if has_audio:
        out["AUDIO"] = math.ceil(seconds * audio_rate)
    return out


def page_tokens(model: str, resolution: str | None) -> int | None:
    """Tokens of one PDF page; None where Google publishes no figure."""
    return PAGE_TOKENS.get(resolution, PAGE_TOKENS[None])[generation(model)]


def estimate(info: MediaInfo, model: str, resolution: str | None, audio_rate: float) -> dict[str, int]:
    """Prompt tokens of one media item by modality; empty when no documented figure applies."""
    kind = kind_of(info.mime_type)
    if kind == "audio" and info.duration_s is not None:
        return {"AUDIO": math.ceil(info.duration_s * audio_rate)}
    if kind == "video":
        seconds = clip_seconds(info)
        if seconds is None:
            return {}
        fps = info.video_metadata.fps if info.video_metadata else None
        return video_tokens(seconds, fps, bool(info.has_audio), model, resolution, audio_rate)
    if kind == "document" and info.pages is not None:
        page = page_tokens(model, resolution)
        return {} if page is None else {"DOCUMENT": info.pages * page}
    return {}


def total(items: list[dict[str, int]]) -> dict[str, int]:
    """Estimates added up by modality."""
    out: dict[str, int] = {}
    for item in items:
        for modality, count in item.items():
            out[modality] = out.get(modality, 0) + count
    return out
