"""The latency profile: time to first token, output speed and seeded jitter, and no profile at all."""

from __future__ import annotations

import time

import pytest
from emu_support import make_client

from harness_gemini.emulator import EmulatorConfig, start_background
from harness_gemini.emulator.latency import LatencyProfile, resolve, schedule, whole

TEXT = " ".join(f"word{i}" for i in range(200))  # the echo is about 300 tokens


def test_schedule_follows_ttft_speed_and_thinking() -> None:
    profile = LatencyProfile(ttft_ms=400, tokens_per_s=250)
    assert whole(profile, "k", 0, 500, 0) == pytest.approx(0.4 + 2.0)
    assert whole(profile, "k", 0, 500, 250) == pytest.approx(0.4 + 1.0 + 2.0)  # thoughts come first
    plan = schedule(profile, "k", 0, [50, 100, 150], 0)
    assert plan.first_s == pytest.approx(0.4) and plan.chunks_s == pytest.approx([0.4, 0.8, 1.4])


def test_jitter_is_seeded_per_key() -> None:
    profile = resolve({"preset": "realistic"})
    assert profile.jitter == 0.25 and profile.ttft_ms == 400
    times = [whole(profile, f"trial-{i}", 0, 100, 0) for i in range(50)]
    assert times == [whole(profile, f"trial-{i}", 0, 100, 0) for i in range(50)]  # reproducible
    assert len(set(times)) == 50 and min(times) < 0.75 < max(times)  # spread around 0.4 + 0.4 s
    assert whole(profile, "trial-1", 1, 100, 0) != whole(profile, "trial-1", 0, 100, 0)  # the seed counts
    with pytest.raises(ValueError, match="unknown latency preset"):
        resolve("fast")


def test_profile_times_answers_and_streams() -> None:
    profile = {"ttft_ms": 300, "tokens_per_s": 500}
    with start_background(EmulatorConfig(port=0, latency=profile)) as emu:
        client = make_client(emu)
        start = time.perf_counter()
        answer = client.models.generate_content(model="gemini-2.5-flash", contents=TEXT)
        took = time.perf_counter() - start
        tokens = answer.usage_metadata.candidates_token_count if answer.usage_metadata else 0
        assert tokens and took == pytest.approx(0.3 + tokens / 500, abs=0.15)
        start = time.perf_counter()
        arrivals = []
        for _ in client.models.generate_content_stream(model="gemini-2.5-flash", contents=TEXT):
            arrivals.append(time.perf_counter() - start)
        assert arrivals[0] == pytest.approx(0.3, abs=0.1)  # time to first token
        assert arrivals[-1] == pytest.approx(0.3 + tokens * 2 / 3 / 500, abs=0.15)  # chunks paced at 500 tok/s


def test_no_profile_answers_at_once() -> None:
    with start_background(EmulatorConfig(port=0)) as fast:
        client = make_client(fast)
        start = time.perf_counter()
        client.models.generate_content(model="gemini-2.5-flash", contents=TEXT)
        assert time.perf_counter() - start < 0.3
