"""What a request will cost before it is sent: prompt tokens estimated without a call, by modality.

Text: about 4 characters a token (Gemini API docs, "Understand and count tokens"); images: 258 tokens each
(an image up to 384 px on both sides; larger ones are tiled, so this is a floor); video: 263 tokens a second;
audio: its duration x the model's audio tokens per second (``GeminiOptions.tokens_per_second``). The output is
unknown before the call: ``output_tokens`` is the config's ``max_output_tokens`` (an upper bound) when set.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from harness.api import MediaRef, ProviderRequest, Usage
from harness_gemini.media import describe
from harness_gemini.options import GeminiOptions

CHARS_PER_TOKEN = 4.0
IMAGE_TOKENS = 258
VIDEO_TOKENS_PER_SECOND = 263


@functools.lru_cache(maxsize=4096)
def _probe(path: str, sha256: str | None, mime: str | None) -> tuple[str | None, float | None]:
    """(MIME type, duration in seconds) of a local media file; the hash keys the cache to its content."""
    try:
        info = describe(MediaRef(source=path, path=path, mime_type=mime, sha256=sha256)).info
    except ValueError:
        return mime, None
    return info.mime_type, info.duration_s


def estimate_usage(request: ProviderRequest, options: dict[str, Any]) -> Usage:
    settings = GeminiOptions.model_validate(options)
    by_modality: dict[str, int] = {}

    def add(kind: str, tokens: int) -> None:
        by_modality[kind] = by_modality.get(kind, 0) + tokens

    text = (request.system_instruction or "") + "".join(
        part.text or "" for message in request.contents for part in message.parts
    )
    add("TEXT", math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0)
    for message in request.contents:
        for part in message.parts:
            media = part.media
            if media is None:
                continue
            mime, duration = (
                _probe(str(media.path), media.sha256, media.mime_type) if media.path else (media.mime_type, None)
            )
            kind = (mime or "").split("/")[0]
            if kind == "audio" and duration is not None:
                add("AUDIO", round(duration * settings.tokens_per_second(request.model)))
            elif kind == "video" and duration is not None:
                add("VIDEO", round(duration * VIDEO_TOKENS_PER_SECOND))
            elif kind == "image":
                add("IMAGE", IMAGE_TOKENS)
    cap = request.config.get("max_output_tokens")
    return Usage(
        prompt_tokens=sum(by_modality.values()),
        output_tokens=cap if isinstance(cap, int) and not isinstance(cap, bool) else None,
        prompt_by_modality={k: v for k, v in by_modality.items() if v},
    )
