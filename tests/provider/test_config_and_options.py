"""Suite-time validation of generation configs and provider options (no network)."""

from __future__ import annotations

from typing import Any

import pytest

from harness_gemini.options import GeminiOptions
from harness_gemini.provider import GeminiProvider

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


def test_every_documented_field_is_accepted() -> None:
    config: dict[str, Any] = {
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40,
        "max_output_tokens": 256,
        "stop_sequences": ["END"],
        "seed": 7,
        "candidate_count": 1,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.1,
        "response_logprobs": True,
        "logprobs": 3,
        "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_LOW_AND_ABOVE"}],
        "thinking_config": {"thinking_budget": 0, "include_thoughts": False},
        "media_resolution": "MEDIA_RESOLUTION_LOW",
        "response_modalities": ["TEXT"],
        "audio_timestamp": True,
    }
    assert GeminiProvider.check_config(config) == []
    assert GeminiProvider.check_config({"response_mime_type": "application/json", "response_schema": SCHEMA}) == []
    assert GeminiProvider.check_config({"response_mime_type": "application/json", "response_json_schema": SCHEMA}) == []


@pytest.mark.parametrize(
    ("config", "path", "fragment"),
    [
        ({"temperatur": 1}, ("temperatur",), "did you mean 'temperature'?"),
        ({"maxOutputTokens": 5}, ("maxOutputTokens",), "use snake_case: 'max_output_tokens'"),
        ({"temperature": "hot"}, ("temperature",), "valid number"),
        ({"stop_sequences": "END"}, ("stop_sequences",), "valid list"),
        ({"thinking_config": {"thinking_budgett": 1}}, ("thinking_config", "thinking_budgett"), "thinking_budget"),
        (
            {"safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONEE"}]},
            ("safety_settings", 0, "threshold"),
            "'BLOCK_NONEE' is not a valid HarmBlockThreshold; did you mean 'BLOCK_NONE'?",
        ),
        ({"media_resolution": "LOW"}, ("media_resolution",), "not a valid MediaResolution"),
        ({"system_instruction": "Be brief."}, ("system_instruction",), "'system:'"),
        ({"http_options": {"timeout": 5}}, ("http_options",), "managed by the harness"),
        (
            {"response_mime_type": "application/json", "response_schema": {"type": "OBJECT", "propertys": {}}},
            ("response_schema", "propertys"),
            "did you mean 'properties'?",
        ),
        (
            {
                "response_mime_type": "application/json",
                "response_schema": {"type": "OBJECT", "properties": {"a": {"type": "STRNG"}}},
            },
            ("response_schema", "properties", "a", "type"),
            "did you mean 'STRING'?",
        ),
        (
            {"response_mime_type": "application/json", "response_json_schema": {"type": "strng"}},
            ("response_json_schema", "type"),
            "invalid JSON Schema",
        ),
        ({"response_schema": SCHEMA}, ("response_mime_type",), "needs response_mime_type: application/json"),
        ({"response_json_schema": "schema.json"}, ("response_json_schema",), "must be a mapping"),
    ],
)
def test_config_errors_name_the_key(config: dict[str, Any], path: tuple[Any, ...], fragment: str) -> None:
    problems = GeminiProvider.check_config(config)
    assert problems, config
    paths = [problem[0] for problem in problems]
    assert path in paths, problems
    message = problems[paths.index(path)][1]
    assert fragment in message


def test_options_defaults_and_errors() -> None:
    defaults = GeminiOptions()
    assert (defaults.inline_limit_mb, defaults.api_version, defaults.upload_reuse) == (20.0, "v1beta", True)
    assert GeminiProvider.check_options({"inline_limit_mb": 100, "api_version": "v1"}) == []
    problems = dict(
        GeminiProvider.check_options(
            {"inline_limit_mbs": 5, "api_version": "v2", "audio_tokens_per_second": {"gemini-x": 0}}
        )
    )
    assert "did you mean 'inline_limit_mb'?" in problems[("inline_limit_mbs",)]
    assert "'v1beta'" in problems[("api_version",)]
    assert "must be positive" in problems[("audio_tokens_per_second",)]
    assert GeminiProvider.check_options({"upload_reuse": "sometimes"})[0][0] == ("upload_reuse",)


def test_audio_tokens_per_second_prefixes_and_overrides() -> None:
    options = GeminiOptions(audio_tokens_per_second={"gemini-2.5-flash-lite": 20})
    assert options.tokens_per_second("gemini-2.5-flash") == 32
    assert options.tokens_per_second("models/gemini-2.0-flash") == 25
    assert options.tokens_per_second("gemini-2.5-flash-lite") == 20
    assert options.tokens_per_second("gemini-3-pro-preview") == 25
    assert options.tokens_per_second("some-other-model") == 32
