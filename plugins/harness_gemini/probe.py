"""Reading audio and video files with PyAV: duration, channels and sample rate; frame size, rate, audio track.

Media come from untrusted suites, so a file is opened as what its content says it is: through a Python file
object (no URL, no protocol) with the demuxer of its sniffed type forced, never the demuxer ffmpeg would guess,
so a playlist or manifest named ``x.flac`` can never make ffmpeg open the files or URLs it names.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import av

#: The ffmpeg demuxer of each type (mime.py's names).
DEMUXERS = {
    "audio/wav": "wav",
    "audio/mp3": "mp3",
    "audio/aiff": "aiff",
    "audio/aac": "aac",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "video/mp4": "mov",
    "video/mov": "mov",
    "video/3gpp": "mov",
    "video/mpeg": "mpeg",
    "video/mpg": "mpeg",
    "video/avi": "avi",
    "video/x-flv": "flv",
    "video/webm": "matroska",
    "video/wmv": "asf",
}

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


def open_media(source: IO[bytes], mime: str) -> Any:
    """``source`` opened by PyAV with the demuxer of ``mime`` forced (ProbeError for a type without one)."""
    demuxer = DEMUXERS.get(mime)
    if demuxer is None:
        raise ProbeError(f"no demuxer for {mime}")
    return av.open(source, mode="r", format=demuxer)


def probe_audio(path: Path, mime: str) -> AudioProbe:
    """Probe an audio file as ``mime``; raise ProbeError when PyAV cannot read it or it has no audio stream."""
    stat = path.stat()
    return _probe_audio(str(path), mime, stat.st_size, stat.st_mtime_ns)


def probe_video(path: Path, mime: str) -> VideoProbe:
    """Probe a video file as ``mime``; raise ProbeError when PyAV cannot read it or it has no video stream."""
    stat = path.stat()
    return _probe_video(str(path), mime, stat.st_size, stat.st_mtime_ns)


def _stream_duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    duration: float | None = None
    if container.format.name not in _ESTIMATED:
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
    return duration if duration is not None else _packet_duration(container, stream)


@functools.lru_cache(maxsize=256)
def _probe_audio(path: str, mime: str, size: int, mtime_ns: int) -> AudioProbe:
    try:
        with open(path, "rb") as handle, open_media(handle, mime) as container:
            if not container.streams.audio:
                raise ProbeError("no audio stream")
            stream = container.streams.audio[0]
            context = stream.codec_context
            if not context.sample_rate:
                raise ProbeError("the audio stream has no sample rate: not decodable as this type")
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
def _probe_video(path: str, mime: str, size: int, mtime_ns: int) -> VideoProbe:
    try:
        with open(path, "rb") as handle, open_media(handle, mime) as container:
            if not container.streams.video:
                raise ProbeError("no video stream (an audio-only file in a video container?)")
            video = container.streams.video[0]
            if not video.codec_context.width:
                raise ProbeError("the video stream has no picture size: not decodable as this type")
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
