"""Build the example suites' generated media from material already in the repository (no new licences).

    python -m tools.example_media          # writes what is missing or older than its sources
    python -m tools.example_media --force  # rewrites everything

- ``suites/media/video/jfk-disc.mp4``: the red disc (``suites/media/images/red-disc.png``) as a still
  picture over the JFK speech clip (``suites/media/audio/jfk.flac``), H.264 and AAC, encoded by PyAV.
- ``suites/media/documents/call-notes.pdf``: ``suites/media/documents/call-notes.txt`` typeset by fpdf2,
  one page per form feed.

``write_video`` also makes the test clips in every container the Gemini API takes (mp4, mov, 3gp, webm,
avi, wmv, flv, mpeg), all with encoders that ship inside the PyAV wheel.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parents[1]
MEDIA = ROOT / "suites" / "media"


@dataclass(frozen=True)
class Preset:
    """An output container with a video and an audio encoder it takes."""

    format: str
    video_codec: str
    audio_codec: str
    sample_rate: int = 16000
    audio_bit_rate: int | None = 64000
    #: Some codecs only take standard frame rates (MPEG-1 video: 24, 25, 30, ...).
    fps: float | None = None


PRESETS: dict[str, Preset] = {
    "mp4": Preset("mp4", "libx264", "aac"),
    "mov": Preset("mov", "libx264", "aac"),
    "3gp": Preset("3gp", "libx264", "aac"),
    "webm": Preset("webm", "libvpx", "libopus", sample_rate=48000),
    "avi": Preset("avi", "mpeg4", "mp2", audio_bit_rate=64000),
    "wmv": Preset("asf", "wmv2", "wmav2"),
    "flv": Preset("flv", "flv", "libmp3lame", sample_rate=22050),
    "mpeg": Preset("mpeg", "mpeg1video", "mp2", audio_bit_rate=64000, fps=25),
}


def _picture(image: Path | None, size: tuple[int, int]) -> av.VideoFrame:
    """The first frame of ``image`` scaled to ``size`` (a plain grey frame without one), as yuv420p."""
    if image is None:
        frame = av.VideoFrame(size[0], size[1], "gray")
        frame.planes[0].update(bytes([128]) * frame.planes[0].buffer_size)
        return frame.reformat(format="yuv420p")
    with av.open(str(image)) as container:
        first = next(container.decode(video=0))
    return first.reformat(width=size[0], height=size[1], format="yuv420p")


def _audio_frames(audio: Path, stream: av.AudioStream, seconds: float | None) -> list[av.AudioFrame]:
    """``audio`` decoded, resampled to the encoder's format and cut into its frame size (at most ``seconds``)."""
    context = stream.codec_context
    resampler = av.AudioResampler(format=context.format.name, layout="mono", rate=context.sample_rate)
    fifo = av.AudioFifo()
    with av.open(str(audio)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                fifo.write(out)
    for out in resampler.resample(None):
        fifo.write(out)
    size = context.frame_size or 1024
    limit = math.inf if seconds is None else int(seconds * context.sample_rate)
    frames: list[av.AudioFrame] = []
    taken = 0
    while fifo.samples and taken < limit:
        chunk = fifo.read(min(size, fifo.samples))
        if chunk is None:
            break
        chunk.pts = taken
        taken += chunk.samples
        frames.append(chunk)
    return frames


def write_video(
    out: Path,
    kind: str = "mp4",
    *,
    image: Path | None = None,
    audio: Path | None = None,
    seconds: float | None = None,
    fps: float = 2.0,
    size: tuple[int, int] = (192, 192),
) -> Path:
    """A still-picture video: ``image`` for ``seconds`` (default: the length of ``audio``) with ``audio`` as its
    soundtrack; no audio track when ``audio`` is None."""
    preset = PRESETS[kind]
    out.parent.mkdir(parents=True, exist_ok=True)
    rate = Fraction(preset.fps or fps).limit_denominator(1001)
    with av.open(str(out), "w", format=preset.format) as container:
        video = container.add_stream(preset.video_codec, rate=rate)
        assert isinstance(video, av.VideoStream)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.codec_context.options = {"threads": "1"}  # one thread: the same bytes on every build
        sound: av.AudioStream | None = None
        frames: list[av.AudioFrame] = []
        if audio is not None:
            stream = container.add_stream(preset.audio_codec, rate=preset.sample_rate)
            assert isinstance(stream, av.AudioStream)
            sound = stream
            sound.layout = "mono"
            if preset.audio_bit_rate:
                sound.bit_rate = preset.audio_bit_rate
            frames = _audio_frames(audio, sound, seconds)
        length = seconds if seconds is not None else sum(f.samples for f in frames) / preset.sample_rate
        if length <= 0:
            raise ValueError("a video needs a length: give seconds or an audio file")
        picture = _picture(image, size)
        for index in range(max(1, math.ceil(length * rate))):
            picture.pts = index
            container.mux(video.encode(picture))
        container.mux(video.encode(None))
        if sound is not None:
            for frame in frames:
                container.mux(sound.encode(frame))
            container.mux(sound.encode(None))
    return out


def write_pdf(text: str, out: Path, title: str) -> Path:
    """``text`` typeset on A4 pages (a form feed starts a new page), with a fixed date for reproducible builds."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creation_date(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    pdf.set_font("Helvetica", size=12)
    for page in text.split("\f"):
        pdf.add_page()
        lines = page.strip("\n").splitlines()
        if lines:
            pdf.set_font("Helvetica", style="B", size=16)
            pdf.multi_cell(0, 10, lines[0], new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=12)
        for line in lines[1:]:
            pdf.multi_cell(0, 7, line or " ", new_x="LMARGIN", new_y="NEXT")
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


def _stale(target: Path, sources: list[Path], force: bool) -> bool:
    return force or not target.exists() or any(s.stat().st_mtime > target.stat().st_mtime for s in sources)


def build(force: bool = False) -> list[Path]:
    """Write the example media that is missing or older than its sources; return what was written."""
    written: list[Path] = []
    picture, speech = MEDIA / "images" / "red-disc.png", MEDIA / "audio" / "jfk.flac"
    video = MEDIA / "video" / "jfk-disc.mp4"
    if _stale(video, [picture, speech, Path(__file__)], force):
        written.append(write_video(video, "mp4", image=picture, audio=speech, fps=2))
    notes = MEDIA / "documents" / "call-notes.txt"
    document = MEDIA / "documents" / "call-notes.pdf"
    if _stale(document, [notes, Path(__file__)], force):
        written.append(write_pdf(notes.read_text(encoding="utf-8"), document, "Call notes"))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--force", action="store_true", help="rewrite every file")
    for path in build(parser.parse_args().force):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
