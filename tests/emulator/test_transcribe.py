"""Real offline transcription of the six clip formats through the SDK, with time windows. Through the session's
shared emulator cache, which tests/recognitions.py seeds with the recorded recognitions of these clips; the
recogniser itself is run live by the worker and silence tests here and by test_recorded_recognitions.py."""

from __future__ import annotations

import jiwer
import pytest
from emu_support import AUDIO, mono_wav
from google import genai
from google.genai import types

from harness_gemini.emulator import RunningEmulator
from harness_gemini.emulator.intent import TRANSCRIBE, classify, time_range

JFK = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"
CLIPS = {
    "jfk.flac": ("audio/flac", JFK),
    "jfk.mp3": ("audio/mp3", JFK),
    "jfk.aac": ("audio/aac", JFK),
    "sr_one_two_three.aiff": ("audio/aiff", "one two three"),
    "vosk_test.ogg": ("audio/ogg", "one zero zero zero one nine oh two one oh zero one eight zero three"),
    "vosk_test.wav": ("audio/wav", "one zero zero zero one nine oh two one oh zero one eight zero three"),
}

POCKETSPHINX = {
    "jfk.flac": "and all my fellow america and not what your country can do for you and what you can do for your lovely",
    "jfk.mp3": "and while my fellow america and not what your country can do for you and what you can do for your country",
    "jfk.aac": "and got my fellow america and not what your country can do for you and like you can do for your country",
    "sr_one_two_three.aiff": "want to three",
    "vosk_test.ogg": "one zero zero zero one that no two one of zero one eight zero three",
    "vosk_test.wav": "one zero zero zero one that note to one of zero one eight zero three",
}


@pytest.mark.slow
@pytest.mark.parametrize("clip", sorted(CLIPS))
def test_transcribes_each_format(client: genai.Client, clip: str) -> None:
    mime, reference = CLIPS[clip]
    part = types.Part.from_bytes(data=(AUDIO / clip).read_bytes(), mime_type=mime)
    r = client.models.generate_content(
        model="gemini-2.5-flash", contents=[part, "Generate a transcript of the speech."]
    )
    assert r.text and not r.text.startswith("Echo:")
    assert jiwer.wer(reference, r.text.lower()) < 0.75
    assert r.text == POCKETSPHINX[clip]  # the real pocketsphinx 5.1.1 outputs listed in SOURCES.md


@pytest.mark.slow
def test_window_and_cache(emu: RunningEmulator, client: genai.Client) -> None:
    part = types.Part.from_bytes(data=(AUDIO / "jfk.mp3").read_bytes(), mime_type="audio/mp3")
    whole = client.models.generate_content(model="gemini-2.5-flash", contents=[part, "Transcribe this."]).text
    cut = client.models.generate_content(
        model="gemini-2.5-flash", contents=[part, "Transcribe the audio from 00:07 to 00:11."]
    ).text
    assert cut and len(cut.split()) < len(whole.split()) / 2
    assert "country" in cut and "fellow" not in cut
    recognised = emu.state.lab.recognitions
    again = client.models.generate_content(model="gemini-2.5-flash", contents=[part, "Transcribe this."]).text
    assert again == whole and emu.state.lab.recognitions == recognised  # heard once, cached by sha256


def test_prompt_with_audio_is_never_echoed(client: genai.Client) -> None:
    part = types.Part.from_bytes(data=(AUDIO / "sr_english.wav").read_bytes(), mime_type="audio/wav")
    r = client.models.generate_content(model="gemini-2.5-flash", contents=[part, "Describe the recording."])
    assert r.text and not r.text.startswith("Echo:")
    assert "2.7-second mono WAV recording" in r.text and "want to three" in r.text


def test_trigger_and_ranges() -> None:
    assert classify("Please TRANSCRIBE the clip").tasks == [TRANSCRIBE]
    assert classify("Write a transcription").tasks == [TRANSCRIBE]
    assert classify("speech-to-text please").tasks == [TRANSCRIBE]
    assert TRANSCRIBE not in classify("Summarise the recording").tasks
    assert time_range("from 01:02 to 1:03:04.5") == (62.0, 3784.5)
    assert time_range("between 0:10 and 0:05") == (5.0, 10.0)
    assert time_range("the whole thing") is None


def test_a_worker_hears_a_clip_the_same_whatever_it_heard_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker keeps one decoder (building one costs 0.2 s a clip); what it hears of a clip must not depend on the
    clips before it, as a decoder's cepstral-mean state would make it, so each clip starts from a reset state."""
    from harness_gemini.emulator import transcribe

    monkeypatch.setattr(transcribe, "_DECODER", None)
    first = transcribe.listen((AUDIO / "sr_english.wav").read_bytes())  # a fresh decoder
    transcribe.listen((AUDIO / "sr_one_two_three.aiff").read_bytes())
    again = transcribe.listen((AUDIO / "sr_english.wav").read_bytes())  # the same decoder, after another clip
    assert again == first and first["words"]  # without the reset, even the words differ ("want to three")


def test_an_inaudible_clip_is_not_recognised_into_made_up_words() -> None:
    """Digital silence and a one-bit hum: nothing to hear, so no words (pocketsphinx would name one, 'dog')."""
    from harness_gemini.emulator import transcribe

    for pcm, seconds in ((b"\0\0" * 16000 * 30, 30.0), (bytes([1, 0]) * 16000 * 5, 5.0)):
        heard = transcribe.listen(mono_wav(pcm))
        assert heard["text"] == "" and heard["words"] == []
        assert heard["facts"]["duration_s"] == seconds and heard["facts"]["peak_dbfs"] <= transcribe.INAUDIBLE_DBFS
