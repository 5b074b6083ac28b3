"""Quotas shared by all workers: the sliding minute, pacing, AIMD on 429, and the emulator's RPM limit."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from clirun import harness_cli
from engine_kit import cli_env, generate_calls, text_suite

from harness.api.provider import Quota
from harness.run import limits
from harness.run.limits import Limiter, quota_lookup


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_minute_holds_at_most_rpm_requests_spaced_over_it() -> None:
    clock = Clock()
    limiter = Limiter(100, lambda _m: Quota(rpm=4), clock=clock)
    minute = limiter._minute("m")
    assert minute is not None
    waits = []
    for _ in range(4):
        wait = minute.wait_s(1, clock.now)
        waits.append(round(wait, 3))
        clock.now += wait
        minute.take(1, clock.now)
        clock.now += 1.0  # the answer comes back a second later
        minute.done(1, clock.now)
    # 60 / 4 = 15 s apart (the second waits 14 s more after its predecessor's one-second call)
    assert waits == [0.0, 14.0, 14.0, 14.0]
    # the fifth waits until the first answer (at 1 s) has left the minute
    assert minute.wait_s(1, clock.now) == pytest.approx(1.0 + 60 + limits.WINDOW_MARGIN_S - clock.now)


def test_calls_in_flight_fill_the_minute_until_they_come_back() -> None:
    clock = Clock()
    limiter = Limiter(100, lambda _m: Quota(rpm=2), clock=clock)
    minute = limiter._minute("m")
    assert minute is not None
    minute.take(1, 0.0)
    clock.now = 40.0
    minute.take(1, 40.0)
    assert minute.wait_s(1, 41.0) == limits.UNTIL_RELEASE
    minute.done(1, 45.0)
    assert minute.wait_s(1, 46.0) == pytest.approx(45.0 + 60 + limits.WINDOW_MARGIN_S - 46.0)


def test_tokens_per_minute_wait_for_room() -> None:
    clock = Clock()
    limiter = Limiter(100, lambda _m: Quota(tpm=1000), clock=clock)
    minute = limiter._minute("m")
    assert minute is not None
    minute.take(700, 0.0)
    assert minute.wait_s(200, 0.5) == 0
    assert minute.wait_s(400, 0.5) == limits.UNTIL_RELEASE  # only the call in flight could free room
    minute.done(700, 1.0)
    assert minute.wait_s(400, 2.0) == pytest.approx(59.0 + limits.WINDOW_MARGIN_S)
    # a request larger than the whole quota goes alone once the minute is empty
    assert minute.wait_s(5000, 2.0) == pytest.approx(59.0 + limits.WINDOW_MARGIN_S)
    assert minute.wait_s(5000, 62.0) == 0


def test_429_shrinks_the_slots_by_the_throttled_share_once_per_cooldown_and_successes_grow_them_back() -> None:
    clock = Clock()
    limiter = Limiter(40, clock=clock)
    limiter.in_flight = 1000
    for _ in range(limits.MIN_SAMPLE):  # a burst of 429s in one moment counts once: all throttled, half go
        limiter.release(throttled=True)
    assert limiter.limit == 20
    for _ in range(9):  # within the cool-down: counted, no change
        limiter.release(throttled=True)
    assert limiter.limit == 20
    clock.now += limits.COOLDOWN_S
    for _ in range(limits.MIN_SAMPLE - 5):
        limiter.release()  # two slots back (one per limit / 4 successes)
    limiter.release(throttled=True)  # 10 of 25 calls since the change were throttled
    excess = (10 / 25 - limits.NOISE_SHARE) / (1 - limits.NOISE_SHARE)
    assert limiter.limit == pytest.approx(22 * (1 - 0.5 * excess))
    for _ in range(400):
        limiter.release()
    assert limiter.limit == 40  # recovered, never above --concurrency


def test_random_429s_at_a_fifth_of_calls_keep_most_slots() -> None:
    clock = Clock()
    limiter = Limiter(50, clock=clock)
    limiter.in_flight = 100_000
    for second in range(30):
        clock.now = float(second)
        for call in range(250):
            limiter.release(throttled=call % 5 == 0)
    assert limiter.limit == 50 and limiter.lowest >= 48


def test_per_model_quotas_override_the_documented_tier() -> None:
    lookup = quota_lookup({"a": 5}, None, lambda model: Quota(rpm=100, tpm=1000))
    assert lookup("a") == Quota(rpm=5, tpm=1000)
    assert lookup("b") == Quota(rpm=100, tpm=1000)
    assert quota_lookup(None, None, lambda model: None)("a") is None


async def test_acquire_waits_for_a_free_slot() -> None:
    limiter = Limiter(2)
    await limiter.acquire("m", 1)
    await limiter.acquire("m", 1)
    third = asyncio.ensure_future(limiter.acquire("m", 1))
    await asyncio.sleep(0.01)
    assert not third.done()
    limiter.release()
    await asyncio.wait_for(third, 1)
    assert limiter.in_flight == 2


@pytest.mark.slow  # waits out a minute window of 20 requests
def test_the_emulator_rpm_limit_is_never_hit_with_the_same_client_limit(
    tmp_path: Path, emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator allows 20 requests per (compressed, one-second) minute; 30 trials at -j 16. Without a client
    limit the emulator answers many 429s; with --rpm 20 it answers none, and every trial completes."""
    from harness_gemini.emulator import faults

    monkeypatch.setattr(faults, "WINDOW_S", 1.0)
    monkeypatch.setattr(limits, "WINDOW_S", 1.0)
    suite = text_suite(tmp_path, 30)
    base = ["run", str(suite), "-j", "16", "--retry-base-delay", "0.05", "--format", "json", "--no-cache"]

    emu = emulator(rpm=20, retry_delay_s=0.1)
    harness_cli(*base, "--base-url", emu.base_url, "--out", str(tmp_path / "free"), env=cli_env(tmp_path))
    assert sum(1 for r in generate_calls(emu) if r.status == 429) > 5

    emu = emulator(rpm=20, retry_delay_s=0.1)
    done = harness_cli(
        *base, "--base-url", emu.base_url, "--rpm", "20", "--out", str(tmp_path / "held"), env=cli_env(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    statuses = [r.status for r in generate_calls(emu)]
    assert statuses.count(429) == 0 and statuses.count(200) == 30
    trials = json.loads((tmp_path / "held" / "engine" / "results.json").read_text())["trials"]
    assert all(t["status"] == "ok" and not t["output"]["retries"] for t in trials)


def test_random_429s_cost_little_and_lose_nothing(tmp_path: Path, emulator) -> None:
    """20% of answers are 429 with a short RetryInfo and 5% are 503: every trial still completes."""
    emu = emulator(fail_rate_429=0.2, fail_rate_503=0.05, retry_delay_s=0.2, seed=3)
    suite = text_suite(tmp_path, 60)
    done = harness_cli(
        "run", str(suite), "--base-url", emu.base_url, "-j", "8", "--retry-base-delay", "0.01", "--retries", "8",
        "--format", "json", "--out", str(tmp_path / "out"), env=cli_env(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    trials = json.loads((tmp_path / "out" / "engine" / "results.json").read_text())["trials"]
    assert len(trials) == 60 and all(t["status"] == "ok" for t in trials)
    retried = [a for t in trials for a in t["output"]["retries"]]
    assert {a["code"] for a in retried} <= {429, 503} and any(a["code"] == 429 for a in retried)
    # RetryInfo honoured: a 429's wait is the server's delay plus at most 10% jitter
    assert all(0.2 <= a["delay_s"] <= 0.221 for a in retried if a["code"] == 429)


def test_an_unknown_quota_tier_is_a_user_error(tmp_path: Path, emulator) -> None:
    emu = emulator()
    suite = text_suite(tmp_path, 1)
    done = harness_cli("run", str(suite), "--base-url", emu.base_url, "--quota-tier", "tier9", env=cli_env(tmp_path))
    assert done.returncode == 2
    assert "no quota tier 'tier9'" in done.stderr and "tier1" in done.stderr
