"""The Gemini API's documented limits on media in one prompt (cited in docs/gemini.md), checked before any call."""

from __future__ import annotations

from dataclasses import dataclass

from harness.api import MediaInfo
from harness_gemini.media_tokens import clip_seconds
from harness_gemini.mime import kind_of

#: Audio in one prompt.
MAX_AUDIO_S = 9.5 * 3600
#: Video in one prompt for models with a 1M-token context: 1 hour at the default media resolution,
#: 3 hours at MEDIA_RESOLUTION_LOW.
MAX_VIDEO_S = 3600.0
MAX_VIDEO_LOW_S = 3 * 3600.0
#: Pages of all documents in one prompt, and bytes of one PDF (the Files API keeps PDFs up to 50 MB).
MAX_DOCUMENT_PAGES = 1000
MAX_PDF_BYTES = 50 * 1_000_000
#: Bytes of one file in the Files API.
MAX_FILE_BYTES = 2 * 1_000_000_000
#: Input tokens of the models this provider knows (gemini-2.0, 2.5 and 3 models all take 1,048,576).
DEFAULT_MAX_INPUT_TOKENS = 1_048_576


@dataclass(frozen=True)
class Problem:
    """A media limit a prompt breaks; ``source`` names the item when one item is at fault."""

    message: str
    source: str | None = None

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} hours" if seconds >= 3600 else f"{seconds / 60:.1f} minutes"


def item_problems(info: MediaInfo) -> list[Problem]:
    """Limits on one item: file sizes, and video_metadata that does not fit the video."""
    out: list[Problem] = []
    kind = kind_of(info.mime_type)
    size = info.size_bytes or 0
    if size > MAX_FILE_BYTES:
        out.append(Problem(f"{size / 1e9:.2f} GB; the Files API takes files up to 2 GB", info.source))
    if kind == "document" and size > MAX_PDF_BYTES:
        out.append(Problem(f"a {size / 1e6:.1f} MB PDF; Gemini takes PDFs up to 50 MB (split it)", info.source))
    meta = info.video_metadata
    if meta is not None and kind != "video":
        out.append(Problem(f"video_metadata is for video, but this is {info.mime_type}", info.source))
    elif meta is not None and info.duration_s is not None:
        length = info.duration_s
        if meta.start_offset_s is not None and meta.start_offset_s >= length:
            out.append(
                Problem(
                    f"video_metadata.start_offset {meta.start_offset_s:g} s is past the end of the video "
                    f"({length:.2f} s)",
                    info.source,
                )
            )
        # Durations in headers are rounded; half a second of slack avoids refusing "to the end" clips.
        elif meta.end_offset_s is not None and meta.end_offset_s > length + 0.5:
            out.append(
                Problem(
                    f"video_metadata.end_offset {meta.end_offset_s:g} s is past the end of the video ({length:.2f} s)",
                    info.source,
                )
            )
    return out


def prompt_problems(
    items: list[MediaInfo], resolution: str | None, estimated_tokens: int, max_input_tokens: int
) -> list[Problem]:
    """Limits on all media of one prompt, then each item's own."""
    out: list[Problem] = []
    audio = sum(i.duration_s or 0.0 for i in items if kind_of(i.mime_type) == "audio")
    if audio > MAX_AUDIO_S:
        out.append(
            Problem(
                f"{audio / 3600:.2f} hours of audio in one prompt; Gemini accepts at most 9.5 hours per prompt "
                "(split the audio across cases)"
            )
        )
    video = sum(clip_seconds(i) or 0.0 for i in items if kind_of(i.mime_type) == "video")
    low = resolution == "MEDIA_RESOLUTION_LOW"
    video_limit = MAX_VIDEO_LOW_S if low else MAX_VIDEO_S
    if video > video_limit:
        hint = (
            "clip it with video_metadata start_offset/end_offset, or split it across cases"
            if low
            else "set media_resolution: MEDIA_RESOLUTION_LOW (3 hours), clip it with video_metadata, or split it"
        )
        out.append(
            Problem(
                f"{_hours(video)} of video in one prompt; Gemini models with a 1M-token context take at most "
                f"{_hours(video_limit)} at {'low' if low else 'the default'} media resolution ({hint})"
            )
        )
    pages = sum(i.pages or 0 for i in items if kind_of(i.mime_type) == "document")
    if pages > MAX_DOCUMENT_PAGES:
        out.append(Problem(f"{pages} document pages in one prompt; Gemini accepts at most 1,000 (split the documents)"))
    if estimated_tokens > max_input_tokens:
        out.append(
            Problem(
                f"the media in this prompt come to about {estimated_tokens:,} tokens, more than the model's "
                f"{max_input_tokens:,}-token input limit (lower video_metadata.fps, clip the video, or set "
                "media_resolution: MEDIA_RESOLUTION_LOW)"
            )
        )
    for info in items:
        out.extend(item_problems(info))
    return out
