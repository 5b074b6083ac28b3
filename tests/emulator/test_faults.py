"""Fault drills: what the real google-genai SDK sees for each one, plus the request log."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
from emu_support import make_client, transport_error
from google.genai import errors

from harness_gemini.emulator import EmulatorConfig, start_background
from harness_gemini.emulator.faults import RateLimiter

MODEL = "gemini-2.5-flash"


def _details(err: errors.APIError) -> list[dict[str, object]]:
    return err.details["error"]["details"]  # type: ignore[no-any-return]


def test_429_with_retry_info() -> None:
    with start_background(EmulatorConfig(port=0, fail_rate_429=1.0, retry_delay_s=26)) as emu:
        client = make_client(emu)
        with pytest.raises(errors.ClientError) as info:
            client.models.generate_content(model=MODEL, contents="hi")
    err = info.value
    assert (err.code, err.status) == (429, "RESOURCE_EXHAUSTED")
    retry = [d for d in _details(err) if d["@type"] == "type.googleapis.com/google.rpc.RetryInfo"]
    assert retry == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "26s"}]


@pytest.mark.parametrize(
    ("flag", "code", "status"), [("fail_rate_500", 500, "INTERNAL"), ("fail_rate_503", 503, "UNAVAILABLE")]
)
def test_server_errors(flag: str, code: int, status: str) -> None:
    with start_background(EmulatorConfig(port=0, **{flag: 1.0})) as emu:
        client = make_client(emu)
        with pytest.raises(errors.ServerError) as info:
            client.models.generate_content(model=MODEL, contents="hi")
    assert (info.value.code, info.value.status) == (code, status)


def test_error_chunk_mid_stream() -> None:
    with start_background(EmulatorConfig(port=0, stream_error_rate=1.0)) as emu:
        client = make_client(emu)
        got: list[str] = []
        with pytest.raises(errors.APIError) as info:
            for chunk in client.models.generate_content_stream(model=MODEL, contents="a b c d e f"):
                got.append(chunk.text or "")
    assert got == ["Echo: a b "]  # one good chunk, then the error chunk
    assert info.value.code == 500 and info.value.status == "INTERNAL"


def test_dropped_connection() -> None:
    with start_background(EmulatorConfig(port=0, drop_rate=1.0)) as emu:
        client = make_client(emu)
        with pytest.raises(transport_error()):
            client.models.generate_content(model=MODEL, contents="hi")
        assert emu.requests[-1].answer == "dropped"


def test_latency_fixed_and_jitter() -> None:
    with start_background(EmulatorConfig(port=0, latency_ms=150, latency_jitter_ms=50)) as emu:
        client = make_client(emu)
        start = time.perf_counter()
        client.models.generate_content(model=MODEL, contents="hi")
        assert 0.15 <= time.perf_counter() - start < 2.0


def _outcomes(seed: int) -> list[int]:
    with start_background(EmulatorConfig(port=0, fail_rate_429=0.3, fail_rate_503=0.3, seed=seed)) as emu:
        client = make_client(emu)
        out = []
        for _ in range(20):
            try:
                client.models.generate_content(model=MODEL, contents="hi")
                out.append(200)
            except errors.APIError as err:
                out.append(err.code)
    return out


def test_random_faults_are_seeded() -> None:
    first = _outcomes(3)
    assert first == _outcomes(3)
    assert first != _outcomes(4)
    assert {200, 429, 503} == set(first)


def test_rpm_limit_over_sliding_minute() -> None:
    with start_background(EmulatorConfig(port=0, rpm=2)) as emu:
        client = make_client(emu)
        client.models.generate_content(model=MODEL, contents="hi")
        client.models.generate_content(model=MODEL, contents="hi")
        client.models.generate_content(model="gemini-2.0-flash", contents="other model, own quota")
        with pytest.raises(errors.ClientError) as info:
            client.models.generate_content(model=MODEL, contents="hi")
    details = _details(info.value)
    assert details[0]["violations"] == [{"quotaId": "GenerateRequestsPerMinutePerProjectPerModel"}]
    delay = float(str(details[1]["retryDelay"]).rstrip("s"))
    assert 55 <= delay <= 60


def test_tpm_limit() -> None:
    with start_background(EmulatorConfig(port=0, tpm=10)) as emu:
        client = make_client(emu)
        client.models.generate_content(model=MODEL, contents="x" * 32)  # 8 tokens
        with pytest.raises(errors.ClientError) as info:
            client.models.generate_content(model=MODEL, contents="x" * 12)  # 3 more: over 10
    assert _details(info.value)[0]["violations"] == [{"quotaId": "GenerateContentInputTokensPerModelPerMinute"}]


def test_limiter_window_slides() -> None:
    limiter = RateLimiter(rpm=1, tpm=None)
    assert limiter.admit("m", 1, now=0.0) is None
    assert limiter.admit("m", 1, now=30.0) is not None
    assert limiter.admit("m", 1, now=60.5) is None


def test_request_log_never_holds_the_key(tmp_path: Path) -> None:
    log = tmp_path / "log" / "requests.jsonl"
    with start_background(EmulatorConfig(port=0, request_log=log, fail_rate_503=0.5, seed=1)) as emu:
        client = make_client(emu)
        for _ in range(6):
            try:
                client.models.generate_content(
                    model=MODEL, contents="hi", config={"http_options": {"headers": {"x-harness-case": "c1"}}}
                )
            except errors.ServerError:
                pass
        urllib.request.urlopen(f"{emu.base_url}/v1beta/models?key=test-key-123").close()
    text = log.read_text()
    assert "test-key-123" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 7
    assert {"method", "path", "model", "status", "duration_ms"} <= set(lines[0])
    assert {line["status"] for line in lines[:6]} == {200, 503}
    assert lines[0]["case"] == "c1" and lines[0]["model"] == MODEL
