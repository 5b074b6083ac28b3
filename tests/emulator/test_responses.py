"""The responses file: matching on model / prompt / case, text, JSON, finish reasons, usage, errors, faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from emu_support import make_client, transport_error
from google.genai import errors, types

from harness.errors import UserError
from harness_gemini.emulator import EmulatorConfig, start_background
from harness_gemini.emulator.responses import ResponseBook

BOOK = """
emulator:
  seed: 5
  retry_delay_s: 7
responses:
  - match: {case: paris-case}
    text: "Paris is the capital."
    usage: {prompt_tokens: 11, candidates_tokens: 4}
  - match: {model: "gemini-2\\\\.0-.*", prompt: "(?i)capital"}
    text: "Old model answer"
  - match: {prompt: "capital of France"}
    text: "Paris"
  - match: {prompt: "as json"}
    json: {answer: 42, items: [1, 2]}
  - match: {prompt: "flaky"}
    error: {code: 503}
    times: 2
  - match: {prompt: "quota"}
    error: {code: 429, retry_delay_s: 3}
  - match: {prompt: "custom"}
    error: {code: 400, message: "Bad thing."}
  - match: {prompt: "broken stream"}
    fault: {stream_error_after: 2, stream_error_code: 503}
  - match: {prompt: "hang up"}
    fault: {drop: true}
  - match: {prompt: "long answer"}
    text: "one two three four five six seven eight"
    finish_reason: MAX_TOKENS
"""


@pytest.fixture(scope="module")
def book_emu(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("book") / "responses.yaml"
    path.write_text(BOOK, encoding="utf-8")
    config = EmulatorConfig.from_yaml(path, port=0)
    assert config.seed == 5 and config.retry_delay_s == 7
    with start_background(config) as emu:
        yield emu


def test_match_order_and_fields(book_emu) -> None:  # type: ignore[no-untyped-def]
    client = make_client(book_emu)
    assert client.models.generate_content(model="gemini-2.5-flash", contents="capital of France?").text == "Paris"
    assert client.models.generate_content(model="gemini-2.0-flash", contents="Capital of France?").text == (
        "Old model answer"
    )
    r = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="anything",
        config=types.GenerateContentConfig(http_options=types.HttpOptions(headers={"x-harness-case": "paris-case"})),
    )
    assert r.text == "Paris is the capital."
    assert (r.usage_metadata.prompt_token_count, r.usage_metadata.candidates_token_count) == (11, 4)
    assert r.usage_metadata.total_token_count == 15
    assert json.loads(client.models.generate_content(model="gemini-2.5-flash", contents="as json").text) == {
        "answer": 42,
        "items": [1, 2],
    }
    r = client.models.generate_content(model="gemini-2.5-flash", contents="long answer")
    assert r.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    assert client.models.generate_content(model="gemini-2.5-flash", contents="unmatched").text == "Echo: unmatched"


def test_error_entries_and_times(book_emu) -> None:  # type: ignore[no-untyped-def]
    client = make_client(book_emu)
    for _ in range(2):
        with pytest.raises(errors.ServerError) as info:
            client.models.generate_content(model="gemini-2.5-flash", contents="flaky")
        assert info.value.code == 503
    assert client.models.generate_content(model="gemini-2.5-flash", contents="flaky").text == "Echo: flaky"
    with pytest.raises(errors.ClientError) as info:
        client.models.generate_content(model="gemini-2.5-flash", contents="quota")
    assert info.value.details["error"]["details"][-1]["retryDelay"] == "3s"
    with pytest.raises(errors.ClientError) as info:
        client.models.generate_content(model="gemini-2.5-flash", contents="custom")
    assert (info.value.code, info.value.status, info.value.message) == (400, "INVALID_ARGUMENT", "Bad thing.")


def test_fault_entries(book_emu) -> None:  # type: ignore[no-untyped-def]

    client = make_client(book_emu)
    got = []
    with pytest.raises(errors.ServerError):
        for chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents="broken stream now ok"):
            got.append(chunk.text)
    assert len(got) == 2
    with pytest.raises(transport_error()):
        client.models.generate_content(model="gemini-2.5-flash", contents="hang up")


def test_invalid_file_names_the_entry_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("responses:\n  - text: ok\n  - match: {prompt: x}\n    finish_reason: NOPE\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        ResponseBook.load(path)
    assert info.value.line == 3 and "responses[1].finish_reason" in info.value.message
    path.write_text("responses:\n  - match: {prompt: '('}\n", encoding="utf-8")
    with pytest.raises(UserError, match="invalid regular expression"):
        ResponseBook.load(path)
    path.write_text("emulator: {fail_rate_429: 3}\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"emulator\.fail_rate_429"):
        EmulatorConfig.from_yaml(path)
