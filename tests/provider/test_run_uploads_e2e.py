"""Through `harness run` itself: a 25 MB WAV used by 10 cases is uploaded once, then reused by the next run."""

from __future__ import annotations

import json
import wave
from pathlib import Path

from clirun import harness_cli

from harness_gemini.emulator import EmulatorConfig, start_background


def _upload_starts(emu: object) -> list[object]:
    """Resumable-upload start requests (each upload then sends its 8 MiB chunks to the upload URL)."""
    return [
        r
        for r in emu.requests  # type: ignore[attr-defined]
        if {k.lower(): v for k, v in r.headers.items()}.get("x-goog-upload-command") == "start"
    ]


def _big_wav(path: Path, megabytes: float) -> Path:
    frames = int(megabytes * 1_000_000 / 2)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(bytes(frames * 2))
    return path


def _run(suite: Path, base_url: str, tmp: Path, out: str) -> dict:
    env = {"GEMINI_API_KEY": "emulator-key", "HARNESS_STORE": str(tmp / "store.db")}
    args = ["run", str(suite), "--base-url", base_url, "--no-cache", "--out", str(tmp / out), "--format", "json"]
    done = harness_cli(*args, "-q", "-j", "10", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((tmp / out / suite.name.removesuffix(".suite.yaml") / "results.json").read_text())


def test_big_audio_goes_through_files_api_once_and_is_reused(tmp_path: Path) -> None:
    _big_wav(tmp_path / "big.wav", 25)
    cases = "\n".join(f"  - id: c{i}\n    media: [big.wav]" for i in range(10))
    suite = tmp_path / "big.suite.yaml"
    suite.write_text(f"name: big\nprompts: [{{id: p, template: Describe the sound.}}]\ncases:\n{cases}\n")
    # A canned answer: the point is the upload path, not the emulator listening to 13 minutes of silence.
    responses = tmp_path / "responses.yaml"
    responses.write_text("responses:\n  - match: {prompt: Describe the sound}\n    text: Silence.\n")
    with start_background(EmulatorConfig.from_yaml(responses, port=0, processing_s=0.05)) as emu:
        first = _run(suite, emu.base_url, tmp_path, "one")
        chunks = [r for r in emu.requests if r.path.startswith("/upload/")]
        assert len(_upload_starts(emu)) == 1 and len(chunks) == 1 + 3  # start, then three 8 MiB chunks
        media = [t["output"]["media"][0] for t in first["trials"]]
        assert len(media) == 10 and {m["transport"] for m in media} == {"upload"}
        assert len({m["file_uri"] for m in media}) == 1
        assert media[0]["size_bytes"] > 20_000_000 and media[0]["mime_type"] == "audio/wav"
        second = _run(suite, emu.base_url, tmp_path, "two")
        assert len(_upload_starts(emu)) == 1  # remembered in the store: no new upload
        assert {t["output"]["media"][0]["transport"] for t in second["trials"]} == {"reused"}
