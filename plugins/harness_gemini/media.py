"""Media in a request: type detection, probing, and choosing inline bytes or the Files API."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from google.genai import types

from harness.api import MediaInfo, MediaRef, ProviderError, ProviderRequest, VideoMetadata
from harness_gemini import limits, media_tokens
from harness_gemini.mime import HEAD_BYTES, SUPPORTED_TYPES, detect_file, indirection, kind_of
from harness_gemini.options import GeminiOptions
from harness_gemini.pdf import probe_pdf
from harness_gemini.probe import ProbeError, probe_audio, probe_video
from harness_gemini.uploads import Uploads


def media_key(ref: MediaRef) -> str:
    """One key per distinct item: the same file clipped two ways is two items."""
    base = ref.sha256 or ref.uri or str(ref.path)
    return base if ref.video_metadata is None else f"{base}#{ref.video_metadata.model_dump_json()}"


def distinct_media(request: ProviderRequest) -> list[MediaRef]:
    """Every media item in the conversation, once each, in order of appearance."""
    seen: dict[str, MediaRef] = {}
    for message in request.contents:
        for part in message.parts:
            if part.media is not None:
                seen.setdefault(media_key(part.media), part.media)
    return list(seen.values())


@dataclass
class Described:
    """A local or remote media item with what we learned about it."""

    ref: MediaRef
    info: MediaInfo
    warnings: list[str] = field(default_factory=list)

    @property
    def is_local(self) -> bool:
        return self.ref.path is not None


def describe(ref: MediaRef) -> Described:
    """Detect the MIME type from content and probe the file; raise ValueError with a user-facing message."""
    if ref.path is None:
        info = MediaInfo(
            source=ref.source, mime_type=ref.mime_type, file_uri=ref.uri, video_metadata=ref.video_metadata
        )
        return Described(ref, info)
    path = Path(ref.path)
    try:
        detected = detect_file(path)
        size = ref.size_bytes if ref.size_bytes is not None else path.stat().st_size
        if detected is None:
            with path.open("rb") as handle:
                pointer = indirection(handle.read(HEAD_BYTES))
            if pointer is not None:
                raise ValueError(
                    f"{ref.source}: the file is {pointer}, not media: files that make a reader open other files "
                    "or URLs are refused (suites are untrusted)"
                )
    except OSError as error:
        raise ValueError(f"{ref.source}: cannot read media file: {error.strerror or error}") from error
    notes: list[str] = []
    mime = ref.mime_type or detected
    if mime is None:
        raise ValueError(
            f"{ref.source}: unknown media type (the content is none of {', '.join(SUPPORTED_TYPES)}); "
            "give mime_type explicitly if the API accepts it"
        )
    if ref.mime_type and detected and ref.mime_type != detected:
        notes.append(f"{ref.source}: declared {ref.mime_type} but the content looks like {detected}")
    info = MediaInfo(
        source=ref.source, mime_type=mime, size_bytes=size, sha256=ref.sha256, video_metadata=ref.video_metadata
    )
    try:
        # Opened as what the content says (the declared type only when the content is not recognised).
        _probe(path, info, notes, detected or mime)
    except ProbeError as error:
        raise ValueError(f"{ref.source}: unreadable {detected or mime} file: {error}") from error
    return Described(ref, info, notes)


def _probe(path: Path, info: MediaInfo, notes: list[str], container: str) -> None:
    """Fill in what PyAV (audio, video) or pypdf (PDF) reads from the file, opened as ``container``."""
    kind = kind_of(info.mime_type)
    if kind == "audio":
        audio = probe_audio(path, container)
        info.duration_s = round(audio.duration_s, 3) if audio.duration_s is not None else None
        info.channels, info.sample_rate = audio.channels, audio.sample_rate
        if audio.channels and audio.channels > 1:
            notes.append(f"{info.source}: {audio.channels} audio channels; the Gemini API merges them into one (mono)")
    elif kind == "video":
        video = probe_video(path, container)
        info.duration_s = round(video.duration_s, 3) if video.duration_s is not None else None
        info.width, info.height, info.frame_rate = video.width, video.height, video.frame_rate
        info.has_audio, info.channels, info.sample_rate = video.has_audio, video.channels, video.sample_rate
    elif kind == "document":
        document = probe_pdf(path)
        info.pages, info.encrypted = document.pages, document.encrypted


def text_bytes(request: ProviderRequest) -> int:
    """UTF-8 size of every text part and the system instruction."""
    texts = [part.text or "" for message in request.contents for part in message.parts]
    return sum(len(text.encode("utf-8")) for text in [*texts, request.system_instruction or ""])


def assess(items: list[Described], request: ProviderRequest, options: GeminiOptions) -> list[str]:
    """Set each item's token estimate; return the documented limits the prompt breaks (empty: none)."""
    resolution = media_tokens.resolution_of(request.config)
    rate = options.tokens_per_second(request.model)
    for item in items:
        item.info.tokens_estimate = media_tokens.estimate(item.info, request.model, resolution, rate)
    estimated = sum(media_tokens.total([item.info.tokens_estimate for item in items]).values())
    estimated += text_bytes(request) // 4  # about four bytes of text per token
    infos = [item.info for item in items]
    return [str(p) for p in limits.prompt_problems(infos, resolution, estimated, options.max_input_tokens)]


def encoded_size(size: int) -> int:
    """Size of ``size`` bytes after base64 encoding, as they travel inline in JSON."""
    return 4 * ((size + 2) // 3)


def choose_uploads(items: list[Described], text_bytes: int, limit: int) -> set[str]:
    """Keys of the local items to send through the Files API so the inline request fits ``limit``.

    Largest files go first, so as few files as possible are uploaded.
    """
    local = sorted((item for item in items if item.is_local), key=lambda i: -(i.info.size_bytes or 0))
    total = text_bytes + sum(encoded_size(item.info.size_bytes or 0) for item in local)
    chosen: set[str] = set()
    for item in local:
        if total <= limit:
            break
        chosen.add(media_key(item.ref))
        total -= encoded_size(item.info.size_bytes or 0)
    return chosen


async def sha256_of(ref: MediaRef) -> str:
    if ref.sha256:
        return ref.sha256
    assert ref.path is not None
    data = await asyncio.to_thread(Path(ref.path).read_bytes)
    return hashlib.sha256(data).hexdigest()


async def to_part(
    item: Described, upload: bool, uploads: Uploads, headers: dict[str, str]
) -> tuple[types.Part, MediaInfo]:
    """The wire part for a media item, and its MediaInfo with the transport that was used."""
    info = item.info.model_copy()
    ref = item.ref
    if ref.path is None:
        assert ref.uri is not None
        mime = ref.mime_type or await uploads.mime_of(ref.uri, headers)
        if mime is None:
            raise ProviderError(f"{ref.source}: give mime_type for a media URI that is not a Files API URI")
        info.mime_type, info.transport, info.file_uri = mime, "uri", ref.uri
        return _with_clip(types.Part.from_uri(file_uri=ref.uri, mime_type=mime), ref.video_metadata), info
    assert info.mime_type is not None
    if upload:
        info.sha256 = await sha256_of(ref)
        remote = await uploads.get(Path(ref.path), info.sha256, info.mime_type, headers)
        info.transport, info.file_uri = remote.transport, remote.uri
        part = types.Part.from_uri(file_uri=remote.uri, mime_type=remote.mime_type)
        return _with_clip(part, ref.video_metadata), info
    data = await asyncio.to_thread(Path(ref.path).read_bytes)
    info.transport = "inline"
    return _with_clip(types.Part.from_bytes(data=data, mime_type=info.mime_type), ref.video_metadata), info


def duration_text(seconds: float) -> str:
    """Seconds as a protobuf Duration in JSON (``"75s"``, ``"1.5s"``), as videoMetadata offsets travel."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


def _with_clip(part: types.Part, meta: VideoMetadata | None) -> types.Part:
    """The part with the suite's video_metadata (clip offsets, frame rate) attached."""
    if meta is None:
        return part
    part.video_metadata = types.VideoMetadata(
        start_offset=duration_text(meta.start_offset_s) if meta.start_offset_s is not None else None,
        end_offset=duration_text(meta.end_offset_s) if meta.end_offset_s is not None else None,
        fps=meta.fps,
    )
    return part
