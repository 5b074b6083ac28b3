"""A media file is opened as what its content says: a playlist saved as ``x.flac`` that points at a file outside
the suite's folder is refused at validate time (file:line), and never makes ffmpeg open what it names, neither
in the provider nor in the emulator (inline data)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import harness_cli

from harness_gemini.emulator.transcribe import decode
from harness_gemini.mime import indirection

ROOT = Path(__file__).resolve().parents[2]
AUDIO = ROOT / "suites" / "media" / "audio"


def _playlist(target: Path) -> str:
    return f"#EXTM3U\n#EXT-X-TARGETDURATION:20\n#EXTINF:11.0,\nfile://{target}\n#EXT-X-ENDLIST\n"


@pytest.mark.parametrize("declared", [True, False])
def test_a_playlist_posing_as_audio_is_refused(tmp_path: Path, declared: bool) -> None:
    outside = tmp_path / "private" / "secret.flac"
    outside.parent.mkdir()
    shutil.copy(AUDIO / "jfk.flac", outside)
    suite_dir = tmp_path / "suite"
    suite_dir.mkdir()
    (suite_dir / "x.flac").write_text(_playlist(outside))
    media = "{path: x.flac, mime_type: audio/flac}" if declared else "x.flac"
    suite = suite_dir / "s.suite.yaml"
    suite.write_text(
        "name: s\nprovider: gemini\nprompts: [{id: p, template: Transcribe.}]\ncases:\n"
        f"  - id: leak\n    media: [{media}]\n"
    )
    done = harness_cli("validate", str(suite), env={"HARNESS_LOAD_PLUGINS": "gemini"})
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{suite}:5:" in done.stderr
    assert "playlist" in done.stderr and "Traceback" not in done.stderr
    assert "11" not in done.stdout  # nothing of the outside file's duration


def test_a_declared_type_is_opened_with_its_own_demuxer_only(tmp_path: Path) -> None:
    """Text that names no URL, declared as FLAC: the FLAC demuxer refuses it (ffmpeg's guess is never used)."""
    suite_dir = tmp_path / "suite"
    suite_dir.mkdir()
    (suite_dir / "x.flac").write_text("just some text\n")
    suite = suite_dir / "s.suite.yaml"
    suite.write_text(
        "name: s\nprovider: gemini\nprompts: [{id: p, template: T.}]\ncases:\n"
        "  - id: a\n    media: [{path: x.flac, mime_type: audio/flac}]\n"
    )
    done = harness_cli("validate", str(suite), env={"HARNESS_LOAD_PLUGINS": "gemini"})
    assert done.returncode == 2 and "unreadable audio/flac" in done.stderr, done.stderr


def test_the_emulator_never_follows_an_inline_playlist(tmp_path: Path) -> None:
    target = tmp_path / "secret.flac"
    shutil.copy(AUDIO / "jfk.flac", target)
    with pytest.raises(ValueError, match="not a recognised"):
        decode(_playlist(target).encode())


@pytest.mark.parametrize(
    "head",
    [
        b"#EXTM3U\n",
        b"\xef\xbb\xbf#EXTM3U",
        b"[playlist]\nFile1=x",
        b"ffconcat version 1.0",
        b'<?xml version="1.0"?><MPD>',
        b"file:///etc/passwd\n",
    ],
)
def test_indirections_are_recognised(head: bytes) -> None:
    assert indirection(head) is not None


def test_real_media_is_not_an_indirection() -> None:
    for clip in AUDIO.glob("*.*"):
        if clip.suffix in (".flac", ".wav", ".mp3", ".aac", ".ogg", ".aiff"):
            assert indirection(clip.read_bytes()[:1024]) is None, clip
