"""Media in a request: type detection, probing, and choosing inline bytes or the Files API."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from google.genai import types

from harness.api import MediaInfo, MediaRef, ProviderError, ProviderRequest
from harness_gemini.mime import SUPPORTED_TYPES, detect_file
from harness_gemini.probe import ProbeError, probe_audio
from harness_gemini.uploads import Uploads

#: Gemini's limit on audio in one prompt.
MAX_AUDIO_S = 9.5 * 3600


def media_key(ref: MediaRef) -> str:
    return ref.sha256 or ref.uri or str(ref.path)


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
    """Detect the MIME type from content and probe audio; raise ValueError with a user-facing message."""
    if ref.path is None:
        return Described(ref, MediaInfo(source=ref.source, mime_type=ref.mime_type, file_uri=ref.uri))
    path = Path(ref.path)
    try:
        detected = detect_file(path)
        size = ref.size_bytes if ref.size_bytes is not None else path.stat().st_size
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
    info = MediaInfo(source=ref.source, mime_type=mime, size_bytes=size, sha256=ref.sha256)
    if mime.startswith("audio/"):
        try:
            probe = probe_audio(path)
        except ProbeError as error:
            raise ValueError(f"{ref.source}: unreadable {mime} file: {error}") from error
        info.duration_s = round(probe.duration_s, 3) if probe.duration_s is not None else None
        info.channels = probe.channels
        info.sample_rate = probe.sample_rate
        if probe.channels and probe.channels > 1:
            notes.append(f"{ref.source}: {probe.channels} audio channels; the Gemini API merges them into one (mono)")
    return Described(ref, info, notes)


def audio_problems(items: list[Described]) -> list[str]:
    total = sum(item.info.duration_s or 0.0 for item in items if (item.info.mime_type or "").startswith("audio/"))
    if total > MAX_AUDIO_S:
        hours = total / 3600
        return [
            f"{hours:.2f} hours of audio in one prompt; Gemini accepts at most 9.5 hours per prompt "
            "(split the audio across cases)"
        ]
    return []


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
        return types.Part.from_uri(file_uri=ref.uri, mime_type=mime), info
    assert info.mime_type is not None
    if upload:
        info.sha256 = await sha256_of(ref)
        remote = await uploads.get(Path(ref.path), info.sha256, info.mime_type, headers)
        info.transport, info.file_uri = remote.transport, remote.uri
        return types.Part.from_uri(file_uri=remote.uri, mime_type=remote.mime_type), info
    data = await asyncio.to_thread(Path(ref.path).read_bytes)
    info.transport = "inline"
    return types.Part.from_bytes(data=data, mime_type=info.mime_type), info
