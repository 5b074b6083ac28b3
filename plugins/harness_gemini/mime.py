"""MIME types from file content (magic bytes), never from the file name."""

from __future__ import annotations

from pathlib import Path

#: What the Gemini API accepts for audio, keyed by the container we recognise.
AUDIO_TYPES = ("audio/wav", "audio/mp3", "audio/aiff", "audio/aac", "audio/ogg", "audio/flac")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
SUPPORTED_TYPES = AUDIO_TYPES + IMAGE_TYPES

#: Bytes read from the start of a file; enough for an ID3 header and the frame after it is read separately.
HEAD_BYTES = 64


def _id3_size(head: bytes) -> int | None:
    """Length of a leading ID3v2 tag (header + body + optional footer), or None when there is none."""
    if len(head) < 10 or head[:3] != b"ID3":
        return None
    body = 0
    for byte in head[6:10]:
        if byte & 0x80:
            return None  # not a synchsafe integer: not a real ID3 header
        body = (body << 7) | byte
    footer = 10 if head[5] & 0x10 else 0
    return 10 + body + footer


def _is_adts(head: bytes) -> bool:
    # 12-bit sync 0xFFF, layer bits 00 (MPEG-2/4 AAC in ADTS).
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0


def _is_mpeg_audio(head: bytes) -> bool:
    # 11-bit sync, a valid version (not 01) and layer (not 00), a bitrate index that is neither
    # "free" (0000) nor invalid (1111), and a sample-rate index that is not reserved (11).
    if len(head) < 3 or head[0] != 0xFF or (head[1] & 0xE0) != 0xE0:
        return False
    version = (head[1] >> 3) & 0x03
    layer = (head[1] >> 1) & 0x03
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0x03
    return version != 0x01 and layer != 0x00 and bitrate not in (0x00, 0x0F) and rate != 0x03


def detect_bytes(head: bytes) -> str | None:
    """The MIME type for content starting with ``head`` (no ID3 handling), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio/aiff"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if _is_adts(head):
        return "audio/aac"
    if _is_mpeg_audio(head):
        return "audio/mp3"
    return None


def detect_file(path: Path) -> str | None:
    """Detect the MIME type of a file from its first bytes; an ID3 tag is skipped (MP3, AAC, FLAC)."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        tag = _id3_size(head)
        if tag is None:
            return detect_bytes(head)
        handle.seek(tag)
        after = handle.read(HEAD_BYTES)
    # Some encoders pad after the tag; an MP3 file with a tag and no recognisable frame is still MP3.
    return detect_bytes(after.lstrip(b"\x00")) or "audio/mp3"
