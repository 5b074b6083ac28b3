"""Measurable facts of a clip: duration, channels, sample rate, codec, loudness, peak, and where the
speech and the silences are.

Speech and silence come from pocketsphinx's voice-activity detector (the WebRTC VAD it bundles) over
30 ms frames of the 16 kHz mono signal, gated by level (see ``speech_spans``); loudness is the RMS
level in dBFS (0 dBFS = full scale), kept as a 100 ms envelope so the facts of any window of the
clip can be computed from the cache without decoding again. Pure Python over the PCM (a few tens of
milliseconds a minute of audio, in the recognition worker): not worth adding numpy for.
"""

from __future__ import annotations

import itertools
import math
from array import array
from dataclasses import asdict, dataclass, field
from typing import Any

RATE = 16000
ENVELOPE_S = 0.1
#: Gaps between speech shorter than this are not pauses (breaths between words).
MIN_PAUSE_S = 0.3
#: Frames this far below the clip's loud frames count as silence whatever the VAD says.
RELATIVE_DB = 20.0
FLOOR_DB = -96.0


@dataclass
class AudioFacts:
    duration_s: float
    channels: int
    sample_rate: int
    codec: str
    container: str
    peak_dbfs: float
    #: RMS level of each 100 ms of the clip, in dBFS.
    envelope: list[float] = field(default_factory=list)
    #: [start, end] seconds of the stretches the VAD hears as speech.
    speech: list[tuple[float, float]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AudioFacts:
        fields = dict(data)
        fields["speech"] = [(float(a), float(b)) for a, b in data.get("speech", [])]
        return cls(**fields)

    # -- facts of a window --------------------------------------------------------------------

    def loudness_dbfs(self, start: float = 0.0, end: float | None = None) -> float:
        """Mean RMS level of the window (energy average of the envelope)."""
        end = self.duration_s if end is None else end
        lo, hi = int(start / ENVELOPE_S), max(int(start / ENVELOPE_S) + 1, math.ceil(end / ENVELOPE_S))
        levels = self.envelope[lo:hi]
        if not levels:
            return FLOOR_DB
        energy = sum(10 ** (db / 10) for db in levels) / len(levels)
        return round(max(FLOOR_DB, 10 * math.log10(energy)) if energy > 0 else FLOOR_DB, 1)

    def speech_in(self, start: float = 0.0, end: float | None = None) -> list[tuple[float, float]]:
        end = self.duration_s if end is None else end
        out = []
        for a, b in self.speech:
            a, b = max(a, start), min(b, end)
            if b > a:
                out.append((a, b))
        return out

    def speech_s(self, start: float = 0.0, end: float | None = None) -> float:
        return round(sum(b - a for a, b in self.speech_in(start, end)), 2)

    def silence_s(self, start: float = 0.0, end: float | None = None) -> float:
        end = self.duration_s if end is None else end
        return round(max(0.0, (end - start) - self.speech_s(start, end)), 2)

    def pauses(self, start: float = 0.0, end: float | None = None) -> list[tuple[float, float]]:
        """Silences of at least MIN_PAUSE_S between two stretches of speech."""
        spans = self.speech_in(start, end)
        return [(a[1], b[0]) for a, b in itertools.pairwise(spans) if b[0] - a[1] >= MIN_PAUSE_S]


def _db(mean_square: float) -> float:
    return round(10 * math.log10(mean_square), 1) if mean_square > 0 else FLOOR_DB


def envelope(samples: array, step: int) -> list[float]:
    """RMS level in dBFS of each ``step`` samples of signed 16-bit audio."""
    out = []
    full = 32768.0 * 32768.0
    for at in range(0, len(samples), step):
        block = samples[at : at + step]
        out.append(_db(sum(s * s for s in block) / (len(block) * full)))
    return out


def speech_spans(pcm: bytes, samples: array) -> list[tuple[float, float]]:
    """Stretches of speech, merged across gaps shorter than MIN_PAUSE_S.

    A 30 ms frame is speech when pocketsphinx's VAD (mode 2) says so *and* it is no more than
    RELATIVE_DB below the clip's loud frames (90th percentile): the VAD alone hears steady crowd
    or room noise as speech.
    """
    from pocketsphinx import Vad

    vad = Vad(2, RATE)
    size, step = vad.frame_bytes, vad.frame_length
    count = max(0, (len(pcm) - size) // size + 1)
    width = size // 2
    levels = envelope(samples[: count * width], width)
    if not levels:
        return []
    threshold = sorted(levels)[int(0.9 * (len(levels) - 1))] - RELATIVE_DB
    spans: list[list[float]] = []
    for i in range(count):
        if levels[i] < threshold or not vad.is_speech(pcm[i * size : (i + 1) * size]):
            continue
        start = i * step
        if spans and start - spans[-1][1] < MIN_PAUSE_S:
            spans[-1][1] = start + step
        else:
            spans.append([start, start + step])
    return [(round(a, 3), round(b, 3)) for a, b in spans if b - a >= 0.06]


def measure(pcm: bytes, channels: int, sample_rate: int, codec: str, container: str) -> AudioFacts:
    """Facts of 16 kHz mono s16le ``pcm`` decoded from a clip with the given stream properties."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) // 2 * 2])
    peak = max((abs(s) for s in samples), default=0)
    return AudioFacts(
        duration_s=len(pcm) / (RATE * 2),
        channels=channels,
        sample_rate=sample_rate,
        codec=codec,
        container=container,
        peak_dbfs=round(20 * math.log10(peak / 32768), 1) if peak else FLOOR_DB,
        envelope=envelope(samples, int(RATE * ENVELOPE_S)),
        speech=speech_spans(pcm, samples),
    )
