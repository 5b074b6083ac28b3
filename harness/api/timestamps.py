"""Audio positions as people write them: "MM:SS" or "H:MM:SS" <-> seconds (prompts, scorers, suites)."""

from __future__ import annotations

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
    """ "MM:SS" or "H:MM:SS" (or a number) -> seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    parts = [float(p) for p in str(value).strip().split(":")]
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"not a timestamp: {value!r}")
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total
