"""What the emulator can read from video and PDF parts: a video's length and audio track, a PDF's pages and text.

Facts are read once per content (sha256) off the event loop, and serve three purposes: usage by modality
(tokens.py), the Files API's processing verdict (files.py: an unreadable video or PDF ends FAILED), and
answers (knowledge.py: a video's soundtrack goes through the recogniser like audio, cut to the part's
clip; a PDF's text becomes words the answers are built from).
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import av

from harness_gemini.mime import detect_data
from harness_gemini.probe import ProbeError, open_media

if TYPE_CHECKING:
    from harness_gemini.emulator.request import GenRequest, Media


@dataclass(frozen=True)
class Facts:
    """What a video or PDF holds, as far as the emulator can tell; ``problem`` says why it cannot be read."""

    kind: str  # "video" or "document"
    duration_s: float | None = None
    has_audio: bool = False
    pages: int | None = None
    text: str = ""
    problem: str | None = None


def kind_of(mime: str) -> str | None:
    if mime.startswith("video/"):
        return "video"
    if mime == "application/pdf":
        return "document"
    return None


def read_video(data: bytes) -> Facts:
    try:
        # As what the content says, never ffmpeg's guess: a playlist sent inline must not open local files.
        with open_media(io.BytesIO(data), detect_data(data) or "unknown") as container:
            if not container.streams.video:
                return Facts("video", problem="the file has no video stream")
            duration = container.duration / av.time_base if container.duration is not None else None
            if duration is None:
                stream = container.streams.video[0]
                if stream.duration is not None and stream.time_base is not None:
                    duration = float(stream.duration * stream.time_base)
            return Facts("video", duration_s=duration, has_audio=bool(container.streams.audio))
    except (av.FFmpegError, OSError, ValueError, ProbeError) as exc:
        return Facts("video", problem=f"the video could not be decoded ({exc})")


def read_pdf(data: bytes) -> Facts:
    from pypdf import PasswordType, PdfReader  # on the first PDF: pypdf costs every emulator start 60 ms
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return Facts("document", problem="the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        return Facts("document", problem=f"the PDF could not be read ({exc or type(exc).__name__})")
    return Facts("document", pages=len(pages), text="\n\n".join(p.strip() for p in pages if p.strip()))


def read(mime: str, data: bytes) -> Facts | None:
    """Facts of a video or PDF; None for other types."""
    kind = kind_of(mime)
    if kind == "video":
        return read_video(data)
    if kind == "document":
        return read_pdf(data)
    return None


class Reader:
    """Reads facts off the event loop, once per content."""

    def __init__(self) -> None:
        self._facts: dict[tuple[str, str], Facts | None] = {}

    async def facts(self, mime: str, sha: str, data: bytes) -> Facts | None:
        key = (mime, sha)
        if key not in self._facts:
            if len(self._facts) > 1024:
                self._facts.clear()
            self._facts[key] = await asyncio.get_running_loop().run_in_executor(None, read, mime, data)
        return self._facts[key]

    async def annotate(self, req: GenRequest) -> None:
        """Attach facts to the request's video and PDF parts."""
        for media in req.media:
            if media.facts is None:
                media.facts = await self.facts(media.mime_type, media.sha256, media.data)


def hearable(media: Media) -> bool:
    """Audio, or a video with a soundtrack (or one not read yet, which the recogniser then tries)."""
    if media.mime_type.startswith("audio/"):
        return True
    return media.mime_type.startswith("video/") and (media.facts is None or media.facts.has_audio)


def document_text(media: Media) -> str | None:
    """The text of a readable PDF part; None for anything else."""
    facts = media.facts
    if facts is None or facts.kind != "document" or facts.problem is not None:
        return None
    return facts.text


def knowable(media: Media) -> bool:
    """Whether the emulator can say anything about this part (audio, a soundtrack, a PDF's text)."""
    return hearable(media) or document_text(media) is not None
