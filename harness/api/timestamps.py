"""Positions in audio and video as people write them: "MM:SS", "H:MM:SS" or "75s" <-> seconds."""

from __future__ import annotations

import math
from typing import Any


def mmss(seconds: Any) -> str:
    """Seconds -> "MM:SS" (or "H:MM:SS" from one hour), as Gemini prompts refer to audio segments."""
    total = round(float(seconds))
    if total < 0:
        raise ValueError("mmss needs a non-negative number of seconds")
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def seconds(value: Any) -> float:
    """ "MM:SS" or "H:MM:SS", a number, or a duration such as "75s" or "1.5s" -> seconds."""
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.endswith("s") and ":" not in text:
        text = text[:-1]
    try:
        parts = [float(p) for p in text.split(":")]
    except ValueError:
        raise ValueError(f"not a timestamp: {value!r}") from None
    if not 1 <= len(parts) <= 3 or not all(math.isfinite(p) for p in parts):
        raise ValueError(f"not a timestamp: {value!r}")
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total
