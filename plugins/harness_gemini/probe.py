"""Reading audio and video files with PyAV: duration, channels and sample rate; frame size, rate, audio track."""

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


@dataclass(frozen=True)
class VideoProbe:
    duration_s: float | None
    width: int | None
    height: int | None
    #: Frames per second of the file (its average rate), not what the API samples.
    frame_rate: float | None
    has_audio: bool
    channels: int | None
    sample_rate: int | None


def probe_audio(path: Path) -> AudioProbe:
    """Probe an audio file; raise ProbeError when PyAV cannot read it or it has no audio stream."""
    stat = path.stat()
    return _probe_audio(str(path), stat.st_size, stat.st_mtime_ns)


def probe_video(path: Path) -> VideoProbe:
    """Probe a video file; raise ProbeError when PyAV cannot read it or it has no video stream."""
    stat = path.stat()
    return _probe_video(str(path), stat.st_size, stat.st_mtime_ns)


def _stream_duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    duration: float | None = None
    if container.format.name not in _ESTIMATED:
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
    return duration if duration is not None else _packet_duration(container, stream)


@functools.lru_cache(maxsize=256)
def _probe_audio(path: str, size: int, mtime_ns: int) -> AudioProbe:
    try:
        with av.open(path) as container:
            if not container.streams.audio:
                raise ProbeError("no audio stream")
            stream = container.streams.audio[0]
            context = stream.codec_context
            return AudioProbe(
                duration_s=_stream_duration(container, stream),
                channels=context.channels or None,
                sample_rate=context.sample_rate or None,
            )
    except ProbeError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        raise ProbeError(str(error)) from error


@functools.lru_cache(maxsize=256)
def _probe_video(path: str, size: int, mtime_ns: int) -> VideoProbe:
    try:
        with av.open(path) as container:
            if not container.streams.video:
                raise ProbeError("no video stream (an audio-only file in a video container?)")
            video = container.streams.video[0]
            rate = video.average_rate or video.guessed_rate
            audio = container.streams.audio[0] if container.streams.audio else None
            # The container's duration covers every stream (a soundtrack may outlast the pictures).
            duration = container.duration / av.time_base if container.duration is not None else None
            if duration is None:
                duration = _stream_duration(container, video)
            return VideoProbe(
                duration_s=duration,
                width=video.codec_context.width or None,
                height=video.codec_context.height or None,
                frame_rate=round(float(rate), 3) if rate else None,
                has_audio=audio is not None,
                channels=(audio.codec_context.channels or None) if audio is not None else None,
                sample_rate=(audio.codec_context.sample_rate or None) if audio is not None else None,
            )
    except ProbeError:
        raise
    except (av.FFmpegError, OSError, ValueError, ZeroDivisionError) as error:
        raise ProbeError(str(error)) from error


def _packet_duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    """Sum packet durations (demuxing only, no decoding): exact for ADTS AAC."""
    if stream.time_base is None:
        return None
    ticks = 0
    for packet in container.demux(stream):
        if packet.duration:
            ticks += packet.duration
    return float(ticks * stream.time_base) if ticks else None
