"""MIME types from content (not extension), PyAV probing, and validate-time media checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gemini_testkit import AUDIO, media_ref, media_request

from harness.api.provider import MediaRef
from harness_gemini.media import choose_uploads, describe, encoded_size
from harness_gemini.mime import detect_bytes, detect_file
from harness_gemini.probe import ProbeError, probe_audio
from harness_gemini.provider import GeminiProvider

CLIPS = {
    "jfk.aac": "audio/aac",
    "jfk.flac": "audio/flac",
    "jfk.mp3": "audio/mp3",
    "sr_english.wav": "audio/wav",
    "sr_one_two_three.aiff": "audio/aiff",
    "vosk_test.ogg": "audio/ogg",
    "vosk_test.wav": "audio/wav",
}
#: (seconds, channels, sample rate) from suites/media/audio/SOURCES.md.
FACTS = {
    "jfk.aac": (11.07, 1, 16000),
    "jfk.flac": (11.0, 2, 44100),
    "jfk.mp3": (11.0, 1, 16000),  # the LAME header gives the exact length
    "sr_english.wav": (2.745, 1, 44100),
    "sr_one_two_three.aiff": (2.745, 1, 44100),
    "vosk_test.ogg": (8.308, 1, 16000),
    "vosk_test.wav": (8.308, 1, 16000),
}


@pytest.mark.parametrize("name", sorted(CLIPS))
def test_mime_from_content_despite_misleading_extension(name: str, tmp_path: Path) -> None:
    # Every clip gets another format's extension: detection must ignore the name.
    wrong = {".wav": ".mp3", ".mp3": ".flac", ".flac": ".ogg", ".ogg": ".aac", ".aac": ".aiff", ".aiff": ".wav"}
    source = AUDIO / name
    target = tmp_path / (source.stem + wrong[source.suffix])
    shutil.copy(source, target)
    assert detect_file(target) == CLIPS[name]
    assert describe(media_ref(target)).info.mime_type == CLIPS[name]


def test_mp3_without_id3_tag_and_flac_after_id3(tmp_path: Path) -> None:
    mp3 = (AUDIO / "jfk.mp3").read_bytes()
    tag_len = 10 + ((mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9])
    bare = tmp_path / "bare.bin"
    bare.write_bytes(mp3[tag_len:])
    assert detect_file(bare) == "audio/mp3"
    tagged_flac = tmp_path / "tagged.bin"
    tagged_flac.write_bytes(mp3[:tag_len] + (AUDIO / "jfk.flac").read_bytes())
    assert detect_file(tagged_flac) == "audio/flac"


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00", None),  # audio-only MPEG-4 is not a listed type
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", None),  # Matroska is not, WebM is
        (b"hello world, plain text", None),
        (b"\xff\xfe\x00\x00", None),  # a UTF-32 BOM, not an MPEG frame
    ],
)
def test_image_and_unknown_magic(head: bytes, mime: str | None) -> None:
    assert detect_bytes(head) == mime


@pytest.mark.parametrize("name", sorted(FACTS))
def test_pyav_duration_channels_rate(name: str) -> None:
    probe = probe_audio(AUDIO / name, detect_file(AUDIO / name) or "")
    seconds, channels, rate = FACTS[name]
    assert probe.duration_s == pytest.approx(seconds, abs=0.01)
    assert (probe.channels, probe.sample_rate) == (channels, rate)


def test_multichannel_audio_warns() -> None:
    described = describe(media_ref(AUDIO / "jfk.flac"))
    assert described.info.channels == 2
    assert any("merges them into one" in note for note in described.warnings)
    assert describe(media_ref(AUDIO / "jfk.mp3")).warnings == []


def test_declared_type_wins_but_mismatch_is_noted() -> None:
    described = describe(media_ref(AUDIO / "sr_english.wav", mime_type="audio/mpeg"))
    assert described.info.mime_type == "audio/mpeg"
    assert "looks like audio/wav" in described.warnings[0]


def test_probe_error_on_garbage(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")
    with pytest.raises(ProbeError):
        probe_audio(junk, "audio/wav")


def test_check_request_refuses_unknown_and_unreadable(tmp_path: Path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all", encoding="utf-8")
    broken = tmp_path / "broken.flac"
    broken.write_bytes(b"fLaC" + b"\x00" * 40)
    problems = GeminiProvider.check_request(media_request([media_ref(text), media_ref(broken)]))
    assert len(problems) == 2
    assert "notes.wav: unknown media type" in problems[0]
    assert "broken.flac: unreadable audio/flac file" in problems[1]
    assert GeminiProvider.check_request(media_request([media_ref(AUDIO / "jfk.aac")])) == []


def _long_flac(path: Path, hours: float, marker: int) -> Path:
    """jfk.flac with STREAMINFO claiming ``hours`` of audio (PyAV trusts it), made distinct by ``marker``."""
    data = bytearray((AUDIO / "jfk.flac").read_bytes())
    packed = int.from_bytes(data[18:26], "big")
    packed = (packed & ~((1 << 36) - 1)) | int(hours * 3600 * 44100)
    data[18:26] = packed.to_bytes(8, "big")
    path.write_bytes(bytes(data) + bytes([marker]))
    return path


def test_more_than_nine_and_a_half_hours_refused(tmp_path: Path) -> None:
    five = [media_ref(_long_flac(tmp_path / f"long{i}.flac", 5, i)) for i in range(2)]
    assert describe(five[0]).info.duration_s == pytest.approx(18000)
    assert GeminiProvider.check_request(media_request(five[:1])) == []
    problems = GeminiProvider.check_request(media_request(five))
    assert problems[0] == (
        "10.00 hours of audio in one prompt; Gemini accepts at most 9.5 hours per prompt (split the audio across cases)"
    )
    # 10 hours at 32 tokens per second is also more than the model's 1,048,576-token input.
    assert problems[1:] and "1,048,576-token input limit" in problems[1]


def test_uri_media_is_not_probed() -> None:
    ref = MediaRef(source="files/abc", uri="https://example.invalid/v1beta/files/abc", mime_type="audio/wav")
    assert GeminiProvider.check_request(media_request([ref])) == []


def test_choose_uploads_largest_first() -> None:
    small, big = media_ref(AUDIO / "sr_english.wav"), media_ref(AUDIO / "jfk.flac")
    items = [describe(small), describe(big)]
    total = encoded_size(small.size_bytes or 0) + encoded_size(big.size_bytes or 0)
    assert choose_uploads(items, 100, total + 100) == set()
    assert choose_uploads(items, 100, total) == {big.sha256}
    assert choose_uploads(items, 0, 1000) == {big.sha256, small.sha256}


def test_validate_refuses_too_much_audio_with_file_and_line(tmp_path: Path) -> None:
    """End to end: `harness validate` names the case's file:line and exits 2, without calling a model."""
    from clirun import harness_cli

    for i in range(2):
        _long_flac(tmp_path / f"long{i}.flac", 5, i)
    suite = tmp_path / "long.suite.yaml"
    suite.write_text(
        "name: long\nprompts: [{id: p, template: Summarise the recordings.}]\ncases:\n"
        "  - id: one-clip\n    media: [long0.flac]\n"
        "  - id: two-clips\n    media: [long0.flac, long1.flac]\n"
    )
    done = harness_cli("validate", str(suite))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{suite}:6: error: case 'two-clips': 10.00 hours of audio in one prompt" in done.stderr
    assert "Traceback" not in done.stderr
