"""MIME types from file content (magic bytes), never from the file name.

The names are the ones the Gemini API documents (``video/mov``, not ``video/quicktime``). A container
recognised here is then opened with PyAV (probe.py) or pypdf (pdf.py), which refuse what only looks right.
"""

from __future__ import annotations

import re
from pathlib import Path

#: What the Gemini API accepts for audio, keyed by the container we recognise.
AUDIO_TYPES = ("audio/wav", "audio/mp3", "audio/aiff", "audio/aac", "audio/ogg", "audio/flac")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
#: The Gemini API's video types (video-understanding guide); video/mpg is accepted as given, never detected.
VIDEO_TYPES = (
    "video/mp4",
    "video/mpeg",
    "video/mov",
    "video/avi",
    "video/x-flv",
    "video/mpg",
    "video/webm",
    "video/wmv",
    "video/3gpp",
)
DOCUMENT_TYPES = ("application/pdf",)
SUPPORTED_TYPES = AUDIO_TYPES + IMAGE_TYPES + VIDEO_TYPES + DOCUMENT_TYPES

#: Bytes read from the start of a file: a PDF header may follow up to 1024 bytes of junk.
HEAD_BYTES = 1024
#: Top-level atoms a QuickTime file may start with when it has no ``ftyp`` box.
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot")
#: ASF (Windows Media) header object GUID.
_ASF = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
#: EBML DocType element: id 0x4282, a one-byte size, then the type name.
_EBML_DOCTYPE = re.compile(rb"\x42\x82[\x81-\x88]([a-z]{1,8})")


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


def _iso_media(head: bytes) -> str | None:
    """MP4, QuickTime and 3GPP share the ISO base media format; the ``ftyp`` major brand tells them apart."""
    if head[4:8] == b"ftyp" and len(head) >= 12:
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/mov"
        if brand[:3] in (b"3gp", b"3g2"):
            return "video/3gpp"
        if brand in (b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "):
            return None  # audio-only MPEG-4 (m4a): not a type the Gemini API lists
        return "video/mp4"
    if head[4:8] in _QUICKTIME_ATOMS:
        return "video/mov"
    return None


def _riff(head: bytes) -> str | None:
    form = head[8:12]
    return {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/avi"}.get(form)


def detect_bytes(head: bytes) -> str | None:
    """The MIME type for content starting with ``head`` (no ID3 handling), or None."""
    if head[:4] == b"RIFF":
        return _riff(head)
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
    if head[:5] == b"%PDF-":
        return "application/pdf"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        doctype = _EBML_DOCTYPE.search(head[:64])
        return "video/webm" if doctype and doctype.group(1) == b"webm" else None  # Matroska is not listed
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):  # MPEG program stream / video sequence
        return "video/mpeg"
    if head[:16] == _ASF:
        return "video/wmv"
    if head[:4] == b"FLV\x01":
        return "video/x-flv"
    iso = _iso_media(head)
    if iso is not None:
        return iso
    if _is_adts(head):
        return "audio/aac"
    if _is_mpeg_audio(head):
        return "audio/mp3"
    if b"%PDF-" in head[:HEAD_BYTES]:  # readers accept a PDF header after up to 1 KiB of junk
        return "application/pdf"
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


def detect_data(data: bytes) -> str | None:
    """:func:`detect_file` for bytes in memory (inline media)."""
    tag = _id3_size(data[:HEAD_BYTES])
    if tag is None:
        return detect_bytes(data[:HEAD_BYTES])
    return detect_bytes(data[tag : tag + HEAD_BYTES].lstrip(b"\x00")) or "audio/mp3"


#: Text that makes a media library open other files or URLs: playlists, manifests, concat lists.
_INDIRECTIONS = (
    (b"#EXTM3U", "an M3U/HLS playlist"),
    (b"#EXTINF", "an M3U playlist"),
    (b"[playlist]", "a PLS playlist"),
    (b"ffconcat", "an ffmpeg concat list"),
    (b"<MPD", "a DASH manifest"),
    (b"<smil", "a SMIL playlist"),
    (b"<asx", "an ASX playlist"),
    (b"<playlist", "an XSPF playlist"),
    (b"[Reference]", "a Windows Media reference"),
)


def indirection(head: bytes) -> str | None:
    """What kind of playlist or reference ``head`` starts (it would make a demuxer open other files or
    URLs), or None. Checked only on content no media signature matched."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for marker, kind in _INDIRECTIONS:
        if text.startswith(marker.lower()) or (marker.startswith(b"<") and marker.lower() in text[:HEAD_BYTES]):
            return kind
    if b"://" in text[:HEAD_BYTES] and b"\x00" not in text:
        return "text naming a URL"
    return None


def kind_of(mime: str | None) -> str | None:
    """``audio``, ``image``, ``video`` or ``document`` for a MIME type, or None."""
    if not mime:
        return None
    if mime in DOCUMENT_TYPES:
        return "document"
    major = mime.split("/", 1)[0]
    return major if major in ("audio", "image", "video") else None
