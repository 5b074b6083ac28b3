"""Error classification, key hygiene, client settings and plugin registration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from gemini_testkit import AUDIO, TEST_KEY, WIRE, Replay, make_provider, media_ref, media_request, text_request
from google.genai import errors as genai_errors

from harness.api.host import load_plugins
from harness.api.provider import ProviderError, ProviderSettings
from harness.errors import UserError
from harness_gemini import register_providers
from harness_gemini.errors import classify, parse_duration, retry_delay, scrub
from harness_gemini.provider import GeminiProvider, is_loopback


def api_error(code: int, status: str, message: str = "boom", details: list[Any] | None = None) -> Exception:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "status": status}}
    if details is not None:
        body["error"]["details"] = details
    cls = genai_errors.ClientError if code < 500 else genai_errors.ServerError
    return cls(code, body)


@pytest.mark.parametrize(
    ("code", "status", "retryable"),
    [
        (429, "RESOURCE_EXHAUSTED", True),
        (408, "DEADLINE_EXCEEDED", True),
        (500, "INTERNAL", True),
        (502, "BAD_GATEWAY", True),
        (503, "UNAVAILABLE", True),
        (504, "DEADLINE_EXCEEDED", True),
        (400, "INVALID_ARGUMENT", False),
        (403, "PERMISSION_DENIED", False),
        (404, "NOT_FOUND", False),
    ],
)
def test_http_codes(code: int, status: str, retryable: bool) -> None:
    error = classify(api_error(code, status), TEST_KEY)
    assert (error.code, error.status, error.retryable, error.retry_after) == (code, status, retryable, None)


def test_mid_stream_errors_always_retryable() -> None:
    assert classify(api_error(400, "INVALID_ARGUMENT"), None, mid_stream=True).retryable is True


def test_retry_info_from_real_429_body() -> None:
    body = json.loads((WIRE / "vercel-ai" / "google-429-retry-info.json").read_text())
    error = classify(genai_errors.ClientError(429, body), TEST_KEY)
    assert error.retry_after == pytest.approx(34.4)
    bare = classify(api_error(429, "RESOURCE_EXHAUSTED", details=[]), TEST_KEY)
    assert bare.retryable and bare.retry_after is None


@pytest.mark.parametrize(("text", "seconds"), [("26s", 26.0), ("1.5s", 1.5), ("0s", 0.0), ("soon", None)])
def test_retry_delay_formats(text: str, seconds: float | None) -> None:
    details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": text}]
    assert retry_delay(details) == seconds
    assert retry_delay({"error": {"details": details}}) == seconds
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "exc",
    [
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientPayloadError("Response payload is not completed"),
        aiohttp.ClientConnectionError("reset"),
        ConnectionResetError("reset by peer"),
        TimeoutError(),
    ],
)
def test_dropped_connections_retryable(exc: BaseException) -> None:
    error = classify(exc, TEST_KEY)
    assert error.retryable and error.code is None
    assert type(exc).__name__ in error.message


def test_key_scrubbed_from_every_message() -> None:
    leaked = api_error(400, "INVALID_ARGUMENT", f"API key {TEST_KEY} not valid; url ...?key=secret123&x=1")
    message = classify(leaked, TEST_KEY).message
    assert TEST_KEY not in message and "secret123" not in message
    assert "***" in message
    assert len(TEST_KEY) == 39 and scrub(TEST_KEY, None) == "***"  # key-shaped, even when the key is unknown
    assert scrub("token my-secret here", "my-secret") == "token *** here"  # any key, whatever its shape
    other = classify(aiohttp.ClientConnectionError(f"failed for {TEST_KEY}"), TEST_KEY).message
    assert TEST_KEY not in other


async def test_key_absent_from_wire_errors(replay: Replay) -> None:
    replay.add(400, {"error": {"code": 400, "message": f"bad key {TEST_KEY}", "status": "INVALID_ARGUMENT"}})
    with pytest.raises(ProviderError) as caught:
        await make_provider(replay.base_url).generate(text_request())
    assert TEST_KEY not in caught.value.message and TEST_KEY not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert replay.seen[0].headers["x-goog-api-key"] == TEST_KEY


async def test_sdk_retries_disabled(replay: Replay) -> None:
    replay.add(503, {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}})
    with pytest.raises(ProviderError) as caught:
        await make_provider(replay.base_url).generate(text_request())
    assert caught.value.retryable and caught.value.code == 503
    assert len(replay.seen) == 1


async def test_a_plain_http_endpoint_loads_no_ca_bundle(replay: Replay, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK loads the CA bundle three times per client (about 50 ms); no TLS can happen over http://."""
    import ssl

    from google.genai import types

    from harness_gemini.session import plain_http_options

    def refuse(*_args: Any, **_kwargs: Any) -> ssl.SSLContext:
        raise AssertionError("a CA bundle was loaded for a plain-http endpoint")

    monkeypatch.setattr(ssl, "create_default_context", refuse)
    replay.add(200, {"candidates": [{"content": {"role": "model", "parts": [{"text": "Paris"}]}}]})
    provider = make_provider(replay.base_url)
    assert (await provider.generate(text_request())).text == "Paris"
    await provider.aclose()
    context = plain_http_options(types.HttpOptions(base_url=replay.base_url)).client_args["verify"]  # type: ignore[index]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname and not context.get_ca_certs()
    # TLS endpoints, and a caller's own client arguments, are left to the SDK as they are.
    remote = types.HttpOptions(base_url="https://generativelanguage.googleapis.com/")
    assert plain_http_options(remote) is remote
    own = types.HttpOptions(base_url=replay.base_url, client_args={"verify": False})
    assert plain_http_options(own) is own


async def test_dropped_connection_over_the_wire() -> None:
    provider = make_provider("http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(ProviderError) as caught:
        await provider.generate(text_request())
    assert caught.value.retryable
    await provider.aclose()


def test_missing_key_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    with pytest.raises(UserError) as caught:
        GeminiProvider(ProviderSettings())
    assert "GEMINI_API_KEY" in caught.value.message
    assert caught.value.hint is not None and "--emulator" in caught.value.hint


async def test_google_api_key_wins(monkeypatch: pytest.MonkeyPatch, replay: Replay) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
    replay.add(200, {"candidates": [{"content": {"parts": [{"text": "hi"}], "role": "model"}}]})
    await GeminiProvider(ProviderSettings(base_url=replay.base_url)).generate(text_request())
    assert replay.seen[0].headers["x-goog-api-key"] == "google-key"
    monkeypatch.delenv("GOOGLE_API_KEY")
    assert GeminiProvider(ProviderSettings(base_url=replay.base_url))._api_key == "gemini-key"


async def test_api_version_option_and_case_headers(replay: Replay) -> None:
    replay.add(200, {"candidates": [{"content": {"parts": [{"text": "hi"}], "role": "model"}}]})
    provider = make_provider(replay.base_url, api_version="v1")
    await provider.generate(text_request(case_id="jfk-flac", trial_id="t-1 é"))
    seen = replay.seen[0]
    assert seen.path == "/v1/models/gemini-2.5-flash:generateContent"
    assert seen.headers["x-harness-case"] == "jfk-flac"
    assert seen.headers["x-harness-trial"] == "t-1%20%C3%A9"


def test_case_headers_only_for_loopback() -> None:
    remote = GeminiProvider(ProviderSettings(api_key="k"))
    assert remote.base_url == "https://generativelanguage.googleapis.com"
    assert remote.headers(text_request(case_id="c", trial_id="t")) == {}
    assert is_loopback("http://127.0.0.1:8765") and is_loopback("http://localhost:1") and is_loopback("http://[::1]:2")
    assert not is_loopback("https://generativelanguage.googleapis.com") and not is_loopback(None)


def test_bad_options_rejected_at_construction() -> None:
    with pytest.raises(UserError, match="inline_limit_mb"):
        GeminiProvider(ProviderSettings(api_key="k", options={"inline_limit_mbb": 1}))


def test_registered_through_the_hook() -> None:
    registered: list[type] = []
    register_providers(registered.append)
    assert registered == [GeminiProvider]
    assert GeminiProvider.name == "gemini"
    assert load_plugins().providers.get("gemini") is GeminiProvider  # through the entry point


async def test_trial_labels_and_media_names_sent_to_loopback(replay: Replay) -> None:
    """The emulator matches answers by case, prompt id, config id, repeat and media name: the provider
    sends them (URL-encoded) to a local endpoint only."""
    replay.add(200, {"candidates": [{"content": {"parts": [{"text": "hi"}], "role": "model"}}]})
    ref = media_ref(AUDIO / "sr_english.wav", source="media/audio/sr english,1.wav")
    request = media_request([ref], case_id="c 1", trial_id="t", prompt_id="plain", config_id="temperature=1", repeat=2)
    await make_provider(replay.base_url).generate(request)
    seen = replay.seen[0].headers
    assert seen["x-harness-case"] == "c%201" and seen["x-harness-prompt"] == "plain"
    assert seen["x-harness-config"] == "temperature=1" and seen["x-harness-repeat"] == "2"
    assert seen["x-harness-media"] == "media/audio/sr%20english%2C1.wav"
    assert GeminiProvider(ProviderSettings(api_key="k")).headers(request) == {}


def test_emulator_identity_follows_the_responses_file(tmp_path: Path) -> None:
    """Editing the emulator's responses file must not let old cached answers stand in for new ones."""
    from harness_gemini.local import identity

    responses = tmp_path / "responses.yaml"
    responses.write_text("responses: [{match: {prompt: hi}, text: one}]\n")
    first = identity(responses)
    assert first == identity(responses)  # stable (the port it runs on does not matter)
    responses.write_text("responses: [{match: {prompt: hi}, text: two}]\n")
    assert identity(responses) != first
    assert identity(None) not in (first, "default")
