"""The recognition workers (one per core, a dead one replaced) and what they heard, cached in memory and on disk
by the audio's sha256 and shared by concurrent requests and by emulators sharing a cache folder."""

from __future__ import annotations

import hashlib
import json
import time
import wave
from pathlib import Path

import pytest
from emu_support import AUDIO, make_client, mono_wav
from google.genai import types

from harness_gemini.emulator import EmulatorConfig, start_background
from harness_gemini.emulator.transcribe import LISTEN_FORMAT

pytestmark = pytest.mark.slow  # each test starts recognition worker processes


def _word(start_s: float, end_s: float) -> bytes:
    """One spoken word cut from sr_english.wav ("one two three"), as a WAV: each recognition here starts a worker
    and its decoder (0.5 s), and a word keeps what it hears to a tenth of a second more."""
    with wave.open(str(AUDIO / "sr_english.wav")) as clip:
        rate = clip.getframerate()
        clip.setpos(int(start_s * rate))
        return mono_wav(clip.readframes(int((end_s - start_s) * rate)), rate)


ONE, TWO = _word(0.0, 0.9), _word(0.9, 1.7)


def _ask(emu: object, clip: bytes) -> str:
    client = make_client(emu)  # type: ignore[arg-type]
    part = types.Part.from_bytes(data=clip, mime_type="audio/wav")
    return client.models.generate_content(model="gemini-2.5-flash", contents=[part, "Transcribe it."]).text or ""


def test_disk_cache_by_sha256_survives_restarts(tmp_path: Path) -> None:
    clip = ONE
    sha = hashlib.sha256(clip).hexdigest()
    with start_background(EmulatorConfig(port=0, cache_dir=tmp_path)) as first:
        text = _ask(first, clip)
        assert first.state.lab.recognitions == 1
    entry = tmp_path / "audio" / sha[:2] / f"{sha}.json"
    cached = json.loads(entry.read_text())
    assert (
        cached["format"] == LISTEN_FORMAT and cached["text"] == text and cached["recogniser"].startswith("pocketsphinx")
    )
    with start_background(EmulatorConfig(port=0, cache_dir=tmp_path)) as second:
        assert _ask(second, clip) == text
        assert second.state.lab.recognitions == 0  # read from the disk, not heard again
    cached["recogniser"] = "pocketsphinx 0.0"  # made by another recogniser: recomputed, not trusted
    entry.write_text(json.dumps(cached))
    with start_background(EmulatorConfig(port=0, cache_dir=tmp_path)) as third:
        assert _ask(third, clip) == text and third.state.lab.recognitions == 1
    with start_background(EmulatorConfig(port=0, cache_dir=None)) as memory_only:
        assert _ask(memory_only, clip) == text and memory_only.state.lab.recognitions == 1


def test_two_emulators_sharing_a_cache_recognise_a_clip_once(tmp_path: Path) -> None:
    """Two processes (here two labs, each with its own lock handle) asked for the same new clip at the same time:
    one recognises it, the other waits for the entry and reads it (before, both recognised it)."""
    import concurrent.futures

    clip = ONE
    with (
        start_background(EmulatorConfig(port=0, cache_dir=tmp_path)) as one,
        start_background(EmulatorConfig(port=0, cache_dir=tmp_path)) as two,
    ):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            texts = list(pool.map(lambda emu: _ask(emu, clip), [one, two]))
        assert texts[0] and texts[0] == texts[1]
        assert one.state.lab.recognitions + two.state.lab.recognitions == 1


def test_clips_are_recognised_in_parallel_workers() -> None:
    """Two uncached clips at once go to two worker processes (one per core by default). Structural, not
    timed: the 2-core machine is shared, so wall-clock speed-ups are not reliable here."""
    import concurrent.futures

    from harness_gemini.emulator.lab import default_workers

    assert default_workers() >= 1
    clips = [ONE, TWO]
    with start_background(EmulatorConfig(port=0, cache_dir=None, asr_workers=2)) as two:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            texts = list(pool.map(lambda c: _ask(two, c), clips))
        lab = two.state.lab
        assert all(texts) and lab.recognitions == 2
        assert len({p.pid for p in lab._pool._all}) == 2


def test_a_dead_worker_is_a_500_then_recovers(tmp_path: Path) -> None:
    from google.genai import errors

    with start_background(EmulatorConfig(port=0, cache_dir=None, asr_workers=1)) as emu:
        lab = emu.state.lab
        assert _ask(emu, ONE)
        for proc in list(lab._pool._all):
            proc.kill()
            proc.wait()
        with pytest.raises(errors.ServerError) as failed:
            _ask(emu, TWO)
        assert failed.value.code == 500
        assert _ask(emu, TWO)  # a new worker


def test_concurrent_requests_with_one_new_clip_measure_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten requests at once with the same clip, never heard before: its length (for the audio tokens) is decoded
    once and shared, as a recognition is (before, each request decoded the whole clip again)."""
    import concurrent.futures
    import threading

    from harness_gemini.emulator.lab import AudioLab

    asked: list[str] = []
    probed: list[int] = []
    started = threading.Event()
    real_probe, real_duration = AudioLab._probe_duration, AudioLab.duration

    def held_probe(self: AudioLab, data: bytes) -> float:
        probed.append(len(data))
        started.wait(5)  # held until every request has asked: they all find the clip unmeasured
        return real_probe(self, data)

    async def counted_duration(self: AudioLab, sha: str, data: bytes) -> float | None:
        asked.append(sha)
        return await real_duration(self, sha, data)

    monkeypatch.setattr(AudioLab, "_probe_duration", held_probe)
    monkeypatch.setattr(AudioLab, "duration", counted_duration)
    clip = mono_wav(b"\1\0" * 16000 * 60)
    part = types.Part.from_bytes(data=clip, mime_type="audio/wav")
    with start_background(EmulatorConfig(port=0, cache_dir=None)) as emu:
        client = make_client(emu)
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            counts = [
                pool.submit(client.models.count_tokens, model="gemini-2.5-flash", contents=[part, "How long?"])
                for _ in range(10)
            ]
            deadline = time.monotonic() + 5
            while len(asked) < 10 and time.monotonic() < deadline:
                time.sleep(0.01)
            started.set()
            totals = {future.result().total_tokens for future in counts}
    assert len(asked) == 10 and probed == [len(clip)]
    assert totals == {60 * 32 + 3}  # 32 tokens a second of audio, and the prompt's words
