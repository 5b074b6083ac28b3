"""The json scorer: strict and extracted parsing, schemas (inline, file, from the request), expectations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from scorer_kit import WIRE, ContextFactory, run

from harness.errors import UserError
from harness_scorers.jsonextract import extract, pointer, resolve, same
from harness_scorers.jsonvalid import JsonScorer
from harness_scorers.schemaconv import SchemaConversionError, from_config, gemini_to_json_schema

CITY = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
}


def _native_output() -> tuple[dict[str, object], str]:
    """The recorded structured-output exchange: (generationConfig as the suite would write it, answer)."""
    cassette = yaml.safe_load((WIRE / "pydantic-ai" / "test_google_native_output.yaml").read_text())
    exchange = cassette["interactions"][0]
    wire_config = exchange["request"]["parsed_body"]["generationConfig"]
    config = {
        "response_mime_type": wire_config["responseMimeType"],
        "response_json_schema": wire_config["responseJsonSchema"],
    }
    text = exchange["response"]["parsed_body"]["candidates"][0]["content"]["parts"][0]["text"]
    return config, text


async def test_recorded_structured_answer_validates_against_its_request(ctx: ContextFactory) -> None:
    config, text = _native_output()
    score = await run(
        JsonScorer, {"schema": "from_request", "expect": {"/city": "Mexico City"}}, ctx(text, config=config)
    )
    assert score.passed is True and score.value == 1.0
    assert score.details["schema_source"] == "response_json_schema"
    assert score.details["value"] == {"city": "Mexico City", "country": "Mexico"}


async def test_schema_violation_reports_pointer_and_reason(ctx: ContextFactory) -> None:
    config, _ = _native_output()
    answer = json.dumps({"city": 7})
    score = await run(JsonScorer, {"schema": "from_request"}, ctx(answer, config=config))
    assert score.passed is False
    paths = {e["path"]: e["reason"] for e in score.details["errors"]}
    assert paths["/city"] == "7 is not of type 'string'"
    assert "" in paths and "'country' is a required property" in paths[""]
    assert score.reason is not None and score.reason.text == "/: schema: 'country' is a required property"


async def test_invalid_json_strict_and_extract(ctx: ContextFactory) -> None:
    fenced = 'Here you go:\n```json\n{"city": "Paris", "country": "France"}\n```\nAnything else?'
    strict = await run(JsonScorer, {}, ctx(fenced))
    assert strict.passed is False and "not valid JSON" in strict.details["reason"]
    assert "extract: true" in strict.details["reason"]
    extracted = await run(JsonScorer, {"extract": True, "schema": CITY}, ctx(fenced))
    assert extracted.passed is True and extracted.details["source"] == "```json fenced block"
    prose = await run(JsonScorer, {"extract": True}, ctx('The answer is {"a": [1, 2]} as requested.'))
    assert prose.passed is True and prose.details["value"] == {"a": [1, 2]}
    broken = await run(JsonScorer, {"extract": True}, ctx("{'a': 1} is not JSON"))
    assert broken.passed is False and "no JSON found" in broken.details["reason"]


async def test_truncated_answer_fails_clearly(ctx: ContextFactory) -> None:
    score = await run(JsonScorer, {}, ctx('{"city": "Mex', finish_reason="MAX_TOKENS"))
    assert score.reason is not None
    assert score.reason.text == "finish_reason: expected STOP, got MAX_TOKENS (truncated at max_output_tokens)"


async def test_no_text_and_provider_parsed(ctx: ContextFactory) -> None:
    blocked = await run(JsonScorer, {}, ctx(None, finish_reason="SAFETY"))
    assert blocked.passed is False and "SAFETY" in blocked.details["reason"]
    parsed = await run(JsonScorer, {"schema": CITY}, ctx("ignored", parsed={"city": "Oslo", "country": "Norway"}))
    assert parsed.passed is True and parsed.details["source"] == "provider-parsed"


async def test_schema_file_and_expectations(ctx: ContextFactory, tmp_path: Path) -> None:
    (tmp_path / "city.yaml").write_text(yaml.safe_dump(CITY))
    answer = json.dumps({"city": "Lima", "country": "Peru", "n": [1, True]})
    options = {"schema_file": "city.yaml", "expect": {"/country": "{{ country }}", "/n/0": 1.0, "/n/1": 1, "/zip": "x"}}
    score = await run(JsonScorer, options, ctx(answer, vars={"country": "Peru"}))
    assert score.passed is False
    reasons = {m["path"]: m["reason"] for m in score.details["mismatches"]}
    assert reasons == {"/n/1": "different value", "/zip": "missing"}
    assert score.reason is not None and score.reason.text == "/n/1: expected 1, got true (and 1 more)"
    number = await run(JsonScorer, {"expect": {"/speaker_count": 1}}, ctx(json.dumps({"speaker_count": 0})))
    assert number.reason is not None and number.reason.text == "/speaker_count: expected 1, got 0"
    gone = await run(JsonScorer, {"expect": {"/zip": "x"}}, ctx(json.dumps({})))
    assert gone.reason is not None and gone.reason.text == "/zip: expected x, got none (missing)"
    with pytest.raises(UserError, match="no response_schema"):
        await run(JsonScorer, {"schema": "from_request"}, ctx(answer))


def test_options_validated() -> None:
    with pytest.raises(ValueError, match="not a valid JSON Schema"):
        JsonScorer.Options.model_validate({"schema": {"type": "strange"}})
    with pytest.raises(ValueError, match="JSON pointers"):
        JsonScorer.Options.model_validate({"expect": {"city": "x"}})
    with pytest.raises(ValueError):
        JsonScorer.Options.model_validate({"schema": "from_somewhere"})


def test_gemini_schema_conversion() -> None:
    gemini = {
        "type": "OBJECT",
        "properties": {
            "name": {"type": "STRING", "nullable": True, "description": "who"},
            "mood": {"type": "STRING", "enum": ["happy", "sad"], "format": "enum"},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "min_items": 1},
            "age": {"type": "INTEGER", "minimum": 0},
        },
        "required": ["name", "mood"],
        "propertyOrdering": ["name", "mood", "tags", "age"],
    }
    converted = gemini_to_json_schema(gemini)
    assert converted == {
        "type": "object",
        "properties": {
            "name": {"type": ["string", "null"], "description": "who"},
            "mood": {"type": "string", "enum": ["happy", "sad"], "format": "enum"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "age": {"type": "integer", "minimum": 0},
        },
        "required": ["name", "mood"],
    }
    found = from_config({"response_schema": gemini})
    assert found is not None and found[1] == "response_schema"
    with pytest.raises(SchemaConversionError, match="unknown type"):
        gemini_to_json_schema({"type": "DATE"})
    with pytest.raises(SchemaConversionError, match="unsupported schema key"):
        gemini_to_json_schema({"type": "STRING", "oneOf": []})


async def test_converted_schema_rejects_null_only_when_not_nullable(ctx: ContextFactory) -> None:
    config = {
        "response_schema": {
            "type": "OBJECT",
            "properties": {"a": {"type": "STRING", "nullable": True}, "b": {"type": "STRING"}},
        }
    }
    ok = await run(JsonScorer, {"schema": "from_request"}, ctx('{"a": null}', config=config))
    bad = await run(JsonScorer, {"schema": "from_request"}, ctx('{"b": null}', config=config))
    assert ok.passed is True and bad.passed is False and bad.details["errors"][0]["path"] == "/b"


def test_pointer_helpers() -> None:
    doc = {"a/b": {"~k": [10, 20]}}
    assert pointer(["a/b", "~k", 1]) == "/a~1b/~0k/1"
    assert resolve(doc, "/a~1b/~0k/1") == 20 and resolve(doc, "") == doc
    with pytest.raises(KeyError):
        resolve(doc, "/a~1b/~0k/5")
    assert same(1, 1.0) and not same(True, 1) and not same("1", 1) and same({"x": [1]}, {"x": [1.0]})
    assert extract("```\n[1, 2]\n```")[0] == [1, 2]
