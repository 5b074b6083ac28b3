"""The recorded recognitions that seed each test session's emulator cache (tests/recognitions.py): current
for the code that would recognise the clips, equal to what a live recognition gives, and never seeded stale."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
import recognitions
from emu_support import AUDIO

from harness_gemini.emulator import transcribe

pytestmark = pytest.mark.skipif(
    bool(os.environ.get(recognitions.RECORDING)), reason="recording the recognitions: they are being replaced"
)


def test_the_recorded_recognitions_are_current() -> None:
    assert recognitions.recorded_fingerprint() == recognitions.fingerprint(), (
        "tests/data/recognitions/ was recorded by other code or other versions than these: "
        "run `make recognitions` (until then each session recognises every clip itself)"
    )
    assert recognitions.entries(), "nothing recorded"


def test_a_recorded_entry_is_what_the_recogniser_hears_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fingerprint names what decides an entry; this checks one against a live recognition on this
    machine, every word, time, posterior and fact."""
    data = (AUDIO / "sr_one_two_three.aiff").read_bytes()
    recorded = recognitions.RECORDED / f"{hashlib.sha256(data).hexdigest()}.json"
    monkeypatch.setattr(transcribe, "_DECODER", None)
    live = json.loads(json.dumps(transcribe.listen(data)))
    assert live["words"] and live == json.loads(recorded.read_text(encoding="utf-8"))


def _recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fingerprint: dict[str, object]) -> Path:
    folder = tmp_path / "recorded"
    folder.mkdir()
    (folder / ("ab" * 32 + ".json")).write_text('{"format": 2, "text": "x"}', encoding="utf-8")
    (folder / "README.md").write_text("not an entry", encoding="utf-8")
    (folder / "fingerprint.json").write_text(json.dumps(fingerprint), encoding="utf-8")
    monkeypatch.setattr(recognitions, "RECORDED", folder)
    monkeypatch.setattr(recognitions, "FINGERPRINT", folder / "fingerprint.json")
    return folder


def test_a_current_recording_seeds_the_cache_where_the_emulator_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness_gemini.emulator.lab import DiskCache

    _recording(tmp_path, monkeypatch, recognitions.fingerprint())
    assert recognitions.seed(tmp_path / "cache" / "audio") == 1
    assert DiskCache(tmp_path / "cache" / "audio").path("ab" * 32).is_file()
    assert [p.name for p in (tmp_path / "cache" / "audio").rglob("*")] == ["ab", "ab" * 32 + ".json"]


@pytest.mark.parametrize("changed", ["listen_format", "versions", "sources_sha256"])
def test_a_stale_recording_seeds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: str) -> None:
    stale = {**recognitions.fingerprint(), changed: "something else"}
    _recording(tmp_path, monkeypatch, stale)
    assert recognitions.seed(tmp_path / "cache" / "audio") == 0
    assert not (tmp_path / "cache").exists()


def test_the_fingerprint_follows_the_listening_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = recognitions.fingerprint()
    copies = []
    for path in recognitions.LISTENING_PATH:
        copy = tmp_path / path.relative_to(recognitions.ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(recognitions, "ROOT", tmp_path)
    monkeypatch.setattr(recognitions, "LISTENING_PATH", copies)
    assert recognitions.fingerprint() == before
    copies[0].write_bytes(copies[0].read_bytes() + b"\n# a changed threshold\n")
    assert recognitions.fingerprint()["sources_sha256"] != before["sources_sha256"]
