"""Video and PDF end to end: the provider, the real google-genai SDK, the emulator (issue 16)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gemini_testkit import AUDIO, make_provider, media_ref, media_request
from scorers.scorer_kit import make_context, run

from harness.api import ProviderError, VideoMetadata
from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background
from harness_scorers.tokens import TokensScorer
from tools.example_media import write_pdf, write_video

ROOT = Path(__file__).resolve().parents[2]
VIDEO = ROOT / "suites" / "media" / "video" / "jfk-disc.mp4"
PDF = ROOT / "suites" / "media" / "documents" / "call-notes.pdf"
#: The example video: 11.0 s, 1 fps sampling: 11 x 258 + 11 x 5 VIDEO, 11 x 32 AUDIO on gemini-2.5-flash.
WHOLE = {"VIDEO": 2893, "AUDIO": 352}


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    with start_background(EmulatorConfig(port=0, video_processing_s=0.4, processing_s=0.05)) as emu:
        yield emu


def generate_bodies(emu: RunningEmulator) -> list[Any]:
    return [r.body for r in emu.requests if r.path.endswith(":generateContent")]


def file_polls(emu: RunningEmulator) -> list[str]:
    """The state each files.get answer reported, in order (the provider polls until ACTIVE)."""
    return [r.answer for r in emu.requests if r.method == "GET" and "/files/" in r.path]


def media_modalities(output: Any) -> dict[str, int]:
    return {k: v for k, v in output.usage.prompt_by_modality.items() if k != "TEXT"}


async def test_video_inline_with_clip_and_fps(emulator: RunningEmulator) -> None:
    provider = make_provider(emulator.base_url)
    whole = await provider.generate(media_request([media_ref(VIDEO)], "Transcribe the speech in this video."))
    clip = media_ref(VIDEO, video_metadata=VideoMetadata(start_offset_s=4.0, end_offset_s=11.0, fps=0.5))
    clipped = await provider.generate(media_request([clip], "Transcribe the speech in this clip."))
    await provider.aclose()

    first, second = generate_bodies(emulator)
    part = first["contents"][0]["parts"][0]
    assert part["inlineData"]["mime_type"] == "video/mp4" and "videoMetadata" not in part
    sent = second["contents"][0]["parts"][0]
    assert sent["videoMetadata"] == {"start_offset": "4s", "end_offset": "11s", "fps": 0.5}

    info = whole.media[0]
    assert (info.transport, info.mime_type, info.duration_s) == ("inline", "video/mp4", 11.0)
    assert (info.width, info.height, info.frame_rate, info.has_audio) == (192, 192, 2.0, True)
    assert media_modalities(whole) == WHOLE == info.tokens_estimate == whole.extra["tokens_estimate"]
    # 7 s at 0.5 fps: 4 frames x 258 + 7 x 5; its soundtrack 7 x 32.
    assert media_modalities(clipped) == {"VIDEO": 4 * 258 + 35, "AUDIO": 224} == clipped.media[0].tokens_estimate
    assert clipped.media[0].video_metadata == clip.video_metadata
    # The recogniser heard the soundtrack: all of it, then only the clip (the last two cues).
    assert "fellow" in (whole.text or "") and "country" in (whole.text or "")
    assert "fellow" not in (clipped.text or "") and "country" in (clipped.text or "")


async def test_video_upload_polls_processing_until_active(emulator: RunningEmulator) -> None:
    provider = make_provider(emulator.base_url, inline_limit_mb=0.05)
    outputs = await asyncio.gather(
        *(provider.generate(media_request([media_ref(VIDEO)], "Transcribe.", case_id=f"c{i}")) for i in range(3))
    )
    await provider.aclose()
    assert provider.uploads.started == 1
    assert {o.media[0].transport for o in outputs} == {"upload"}
    polls = file_polls(emulator)
    assert polls[0] == "PROCESSING" and polls[-1] == "ACTIVE", polls  # video is processed before use
    for body in generate_bodies(emulator):
        part = body["contents"][0]["parts"][0]
        assert part["fileData"]["mime_type"] == "video/mp4" and "inlineData" not in part
    assert media_modalities(outputs[0]) == WHOLE


async def test_video_processing_failure_is_a_clear_non_retryable_error() -> None:
    with start_background(EmulatorConfig(port=0, video_processing_s=0.1, processing_fail_rate=1.0)) as emu:
        provider = make_provider(emu.base_url, inline_limit_mb=0.05)
        requests = [media_request([media_ref(VIDEO)], "Transcribe.", case_id=f"c{i}") for i in range(2)]
        errors = await asyncio.gather(*(provider.generate(r) for r in requests), return_exceptions=True)
        again = await asyncio.gather(provider.generate(requests[0]), return_exceptions=True)
        await provider.aclose()
    for error in [*errors, *again]:
        assert isinstance(error, ProviderError) and not error.retryable
        assert "could not process jfk-disc.mp4 (video/mp4, files/" in error.message
        assert "File processing failed" in error.message and "re-encode" in error.message
    assert provider.uploads.started == 1  # a FAILED file is not uploaded again by every trial that shares it


async def test_pdf_inline_and_uploaded(emulator: RunningEmulator, tmp_path: Path) -> None:
    big = write_pdf("\f".join(["Page one\nhello"] * 40), tmp_path / "forty.pdf", "forty pages")
    provider = make_provider(emulator.base_url, inline_limit_mb=0.01)
    inline = await provider.generate(media_request([media_ref(PDF)], "Extract the text of this document."))
    uploaded = await provider.generate(media_request([media_ref(big)], "What does this document say?"))
    await provider.aclose()
    assert (inline.media[0].transport, inline.media[0].pages, inline.media[0].encrypted) == ("inline", 2, False)
    assert media_modalities(inline) == {"DOCUMENT": 2 * 258} == inline.media[0].tokens_estimate
    assert "ask not what your country can do for you" in (inline.text or "")
    assert (uploaded.media[0].transport, uploaded.media[0].pages) == ("upload", 40)
    assert media_modalities(uploaded) == {"DOCUMENT": 40 * 258}
    assert "Page one" in (uploaded.text or "")
    first, second = generate_bodies(emulator)
    assert first["contents"][0]["parts"][0]["inlineData"]["mime_type"] == "application/pdf"
    assert second["contents"][0]["parts"][0]["fileData"]["mime_type"] == "application/pdf"


@pytest.mark.parametrize(
    ("model", "resolution", "video", "document"),
    [
        ("gemini-2.5-flash", None, 11 * 258 + 55, 2 * 258),
        ("gemini-2.5-flash", "MEDIA_RESOLUTION_LOW", 11 * 66 + 55, None),  # no documented figure for 2.x pages
        ("gemini-3-flash-preview", None, 11 * 70 + 55, 2 * 560),
        ("gemini-3-flash-preview", "MEDIA_RESOLUTION_HIGH", 11 * 280 + 55, 2 * 1120),
        ("gemini-3-flash-preview", "MEDIA_RESOLUTION_LOW", 11 * 70 + 55, 2 * 280),
    ],
)
async def test_usage_by_modality_follows_media_resolution_and_model(
    emulator: RunningEmulator, model: str, resolution: str | None, video: int, document: int | None
) -> None:
    config = {"media_resolution": resolution} if resolution else {}
    provider = make_provider(emulator.base_url)
    request = media_request([media_ref(VIDEO), media_ref(PDF)], "Describe these.", model=model, config=config)
    output = await provider.generate(request)
    await provider.aclose()
    reported = media_modalities(output)
    assert reported["VIDEO"] == video and reported["AUDIO"] == 11 * (25 if model.startswith("gemini-3") else 32)
    estimate = output.extra["tokens_estimate"]
    assert estimate["VIDEO"] == video and estimate["AUDIO"] == reported["AUDIO"]
    if document is None:
        assert "DOCUMENT" not in estimate
    else:
        assert reported["DOCUMENT"] == estimate["DOCUMENT"] == document
    scorer_ctx = make_context(ROOT, output.text, model=model, usage=output.usage, media=output.media)
    score = await run(TokensScorer, {"check_media_tokens": True}, scorer_ctx)
    assert score.passed is True, score.details


async def test_tokens_scorer_fails_when_usage_departs_from_the_estimate(tmp_path: Path) -> None:
    responses = tmp_path / "responses.yaml"
    responses.write_text("responses:\n  - match: {prompt: padded}\n    usage: {prompt_tokens: 50}\n")
    with start_background(EmulatorConfig(port=0, responses=responses)) as emu:
        provider = make_provider(emu.base_url)
        output = await provider.generate(media_request([media_ref(VIDEO)], "padded"))
        await provider.aclose()
    scorer_ctx = make_context(ROOT, output.text, usage=output.usage, media=output.media)
    score = await run(TokensScorer, {"check_media_tokens": True, "max_video_tokens": 5000}, scorer_ctx)
    assert score.passed is False
    assert "video_tokens: expected 2893, got 0" in score.details["reason"]
    assert score.details["media_tokens_check"]["AUDIO"] == {"estimated": 352, "reported": 0}


async def test_video_without_a_soundtrack_has_no_audio_tokens(emulator: RunningEmulator, tmp_path: Path) -> None:
    silent = write_video(tmp_path / "silent.webm", "webm", seconds=3, size=(64, 64))
    with_sound = write_video(tmp_path / "speech.avi", "avi", audio=AUDIO / "sr_english.wav", size=(64, 64))
    provider = make_provider(emulator.base_url)
    mute = await provider.generate(media_request([media_ref(silent)], "Transcribe the speech."))
    heard = await provider.generate(media_request([media_ref(with_sound)], "Transcribe the speech."))
    await provider.aclose()
    assert mute.media[0].has_audio is False and media_modalities(mute) == {"VIDEO": 3 * 258 + 15}
    # Nothing to hear: no AUDIO estimate, and no transcript (the emulator falls back to its echo).
    assert "AUDIO" not in mute.media[0].tokens_estimate and (mute.text or "").startswith("Echo: ")
    assert heard.media[0].mime_type == "video/avi" and "three" in (heard.text or "")
