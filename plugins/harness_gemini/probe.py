"""Reading duration, channels and sample rate of audio files with PyAV."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import av

#: Containers without a duration header (ADTS AAC: ffmpeg guesses from the bitrate): sum packet durations.
_ESTIMATED = {"aac"}


class ProbeError(Exception):
    """The file cannot be read as media."""


@dataclass(frozen=True)
class AudioProbe:
    duration_s: float | None
    channels: int | None
    sample_rate: int | None


def probe_audio(path: Path) -> AudioProbe:
    """Probe an audio file; raise ProbeError when PyAV cannot read it or it has no audio stream."""
    stat = path.stat()
    return _probe_cached(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _probe_cached(path: str, size: int, mtime_ns: int) -> AudioProbe:
    try:
        with av.open(path) as container:
            if not container.streams.audio:
                raise ProbeError("no audio stream")
            stream = container.streams.audio[0]
            context = stream.codec_context
            channels = context.channels or None
            sample_rate = context.sample_rate or None
            duration: float | None = None
            if container.format.name not in _ESTIMATED:
                if stream.duration is not None and stream.time_base is not None:
                    duration = float(stream.duration * stream.time_base)
                elif container.duration is not None:
                    duration = container.duration / av.time_base
            if duration is None:
                duration = _packet_duration(container, stream)
    except ProbeError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        raise ProbeError(str(error)) from error
    return AudioProbe(duration_s=duration, channels=channels, sample_rate=sample_rate)


def _packet_duration(container: av.container.InputContainer, stream: av.AudioStream) -> float | None:
    """Sum packet durations (demuxing only, no decoding): exact for ADTS AAC."""
    if stream.time_base is None:
        return None
    ticks = 0
    for packet in container.demux(stream):
        if packet.duration:
            ticks += packet.duration
    return float(ticks * stream.time_base) if ticks else None
