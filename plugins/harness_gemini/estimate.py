"""What a request will cost before it is sent: prompt tokens estimated without a call, by modality.

Media tokens are the provider's own estimate (``media_tokens.estimate``: audio seconds x the model's rate,
video frames and timestamps, PDF pages, from Google's documented figures, with the config's media
resolution). Text is about four bytes a token (Gemini API docs, "Understand and count tokens"). Images, which
``media_tokens`` leaves out, count 258 tokens each (an image up to 384 px on both sides; larger ones are
tiled, so this is a floor). The output is unknown before the call: ``output_tokens`` is the config's
``max_output_tokens`` (an upper bound) when it sets one.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from harness.api import MediaInfo, MediaRef, ProviderRequest, Usage
from harness_gemini import media_tokens
from harness_gemini.media import describe, distinct_media, text_bytes
from harness_gemini.mime import kind_of
from harness_gemini.options import GeminiOptions

BYTES_PER_TOKEN = 4
IMAGE_TOKENS = 258


@functools.lru_cache(maxsize=4096)
def _probe(ref_json: str) -> MediaInfo | None:
    """What the provider learns of a media item (probing is cached: repeats and prompts share their media)."""
    try:
        return describe(MediaRef.model_validate_json(ref_json)).info
    except ValueError:
        return None


def estimate_usage(request: ProviderRequest, options: dict[str, Any]) -> Usage:
    settings = GeminiOptions.model_validate(options)
    resolution = media_tokens.resolution_of(request.config)
    rate = settings.tokens_per_second(request.model)
    counts: list[dict[str, int]] = [{"TEXT": math.ceil(text_bytes(request) / BYTES_PER_TOKEN)}]
    for ref in distinct_media(request):
        info = _probe(ref.model_dump_json()) if ref.path is not None else None
        if info is None:
            continue
        found = media_tokens.estimate(info, request.model, resolution, rate)
        if not found and kind_of(info.mime_type) == "image":
            found = {"IMAGE": IMAGE_TOKENS}
        counts.append(found)
    by_modality = {k: v for k, v in media_tokens.total(counts).items() if v}
    cap = request.config.get("max_output_tokens")
    return Usage(
        prompt_tokens=sum(by_modality.values()),
        output_tokens=cap if isinstance(cap, int) and not isinstance(cap, bool) else None,
        prompt_by_modality=by_modality,
    )
