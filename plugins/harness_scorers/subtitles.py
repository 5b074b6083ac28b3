"""Reference transcripts from SRT / WebVTT subtitle files, optionally cut to a time window.

Cue text loses its markup (``<i>``, ``<v Speaker>``, ``{\\an8}``) and line breaks. Window rules for a
``start``..``end`` range (seconds): ``inside`` keeps cues that lie wholly inside it, ``overlap`` keeps
cues that touch it at all, ``midpoint`` keeps cues whose midpoint lies in ``[start, end)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

WindowRule = Literal["inside", "overlap", "midpoint"]

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


class SubtitleError(ValueError):
    """A subtitle file that cannot be read."""


def timestamp(value: str) -> float:
    """``HH:MM:SS,mmm``, ``MM:SS.mmm`` (VTT) -> seconds."""
    parts = value.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def parse(text: str) -> list[Cue]:
    """Parse SRT or WebVTT text into cues (in file order)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.strip("\n").split("\n")
        for index, line in enumerate(lines):
            match = _TIMING.match(line)
            if match:
                body = " ".join(_TAG.sub("", t).strip() for t in lines[index + 1 :])
                cues.append(Cue(timestamp(match["start"]), timestamp(match["end"]), " ".join(body.split())))
                break
    if not cues and text.strip() and not text.strip().startswith("WEBVTT"):
        raise SubtitleError("no subtitle cues found (expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm' lines)")
    return cues


def select(cues: list[Cue], start: float | None, end: float | None, rule: WindowRule = "inside") -> list[Cue]:
    """The cues in the window ``[start, end]`` under ``rule``; None bounds are open."""
    lo = float("-inf") if start is None else start
    hi = float("inf") if end is None else end
    if rule == "inside":
        return [c for c in cues if c.start >= lo and c.end <= hi]
    if rule == "overlap":
        return [c for c in cues if c.end > lo and c.start < hi]
    return [c for c in cues if lo <= (c.start + c.end) / 2 < hi]


def reference_text(path: Path, start: float | None, end: float | None, rule: WindowRule = "inside") -> str:
    """The reference transcript of ``path`` within the window: cue texts joined by spaces."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SubtitleError(f"cannot read subtitles {path}: {exc}") from exc
    return " ".join(c.text for c in select(parse(raw), start, end, rule) if c.text)
