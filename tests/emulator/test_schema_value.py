"""Schema-conforming values checked with jsonschema over a spread of schema features."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from harness_gemini.emulator.schema_value import value_for

SCHEMAS: list[dict[str, Any]] = [
    {"type": "string", "minLength": 12, "maxLength": 20},
    {"type": "integer", "minimum": 7, "maximum": 9},
    {"type": "number", "exclusiveMinimum": 0.5},
    {"type": ["string", "null"], "format": "email"},
    {"type": "array", "items": {"type": "integer"}, "minItems": 3},
    {"type": "array", "items": {"type": "string"}, "maxItems": 0},
    {"const": "fixed"},
    {"enum": ["b", "a"]},
    {"allOf": [{"type": "object", "properties": {"a": {"type": "boolean"}}, "required": ["a"]}]},
    {"oneOf": [{"type": "null"}, {"type": "string", "format": "uuid"}]},
    {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#"}, "maxItems": 0}, "n": {"type": "integer"}},
        "required": ["children", "n"],
        "additionalProperties": False,
    },
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_json_schema_values_validate(schema: dict[str, Any]) -> None:
    jsonschema.validate(value_for(schema), schema)


def test_gemini_subset_snake_case_and_uppercase() -> None:
    schema = {
        "type": "OBJECT",
        "properties": {
            "items": {"type": "ARRAY", "min_items": 2, "items": {"type": "NUMBER"}},
            "b": {"type": "BOOLEAN"},
        },
        "property_ordering": ["b", "items"],
    }
    value = value_for(schema)
    assert list(value) == ["b", "items"] and value["items"] == [0.0, 0.0] and value["b"] is True


def _known() -> Any:
    from harness_gemini.emulator.audio_facts import AudioFacts
    from harness_gemini.emulator.knowledge import Known, Word

    words = [("ask", 0.5, 0.8), ("not", 0.8, 1.1), ("what", 2.0, 2.2), ("your", 2.2, 2.4), ("country", 2.4, 2.9)]
    facts = AudioFacts(
        duration_s=4.0, channels=1, sample_rate=16000, codec="mp3", container="mp3", peak_dbfs=-3.0,
        envelope=[-20.0] * 40, speech=[(0.5, 1.1), (2.0, 2.9)],
    )  # fmt: skip
    return Known("a.mp3", "audio/mp3", "0" * 64, [Word(w, s, e, 0.5) for w, s, e in words], 4.0, facts)


SPOKEN = {
    "type": "object",
    "properties": {
        "transcript": {"type": "string"},
        "word_count": {"type": "integer"},
        "speaker_count": {"type": "integer", "minimum": 1},
        "duration_seconds": {"type": "number"},
        "language": {"type": "string"},
        "channels": {"type": "string", "enum": ["stereo", "mono"]},
        "has_speech": {"type": "boolean"},
        "topics": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
        "segments": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"start": {"type": "string"}, "end": {"type": "number"}, "text": {"type": "string"}},
                "required": ["start", "end", "text"],
            },
        },
        "mood": {"type": "string", "enum": ["calm", "angry", "sad"]},
    },
}


def test_schema_filled_from_the_audio() -> None:
    from harness_gemini.emulator.schema_value import Source

    value = value_for(SPOKEN, Source([_known()], "request-1"))
    jsonschema.validate(value, SPOKEN)
    assert value["transcript"] == "ask not what your country"
    assert value["word_count"] == 5 and value["speaker_count"] == 1 and value["duration_seconds"] == 4.0
    assert value["language"] == "English" and value["channels"] == "mono" and value["has_speech"] is True
    assert value["topics"] == ["ask", "country"]  # keywords (ties: first heard first), within maxItems
    assert value["segments"] == [
        {"start": "00:00", "end": 1.1, "text": "ask not"},
        {"start": "00:02", "end": 2.9, "text": "what your country"},
    ]
    assert value_for(SPOKEN, Source([_known()], "request-1")) == value  # same request and seed: same JSON
    moods = {value_for(SPOKEN, Source([_known()], f"request-{i}"))["mood"] for i in range(20)}
    assert len(moods) > 1  # an enum the audio cannot decide is a seeded choice


def test_prompt_text_fills_a_schema_without_audio() -> None:
    from harness_gemini.emulator.knowledge import Known
    from harness_gemini.emulator.schema_value import Source

    schema = {
        "type": "array",
        "items": {"type": "object", "properties": {"name": {"type": "string"}, "note": {"type": "string"}}},
    }
    value = value_for(schema, Source([Known.from_text("prompt", "List two cookies. Add a note.")], "k"))
    jsonschema.validate(value, schema)
    assert value == [
        {"name": "List two cookies", "note": "List two cookies"},
        {"name": "Add a note", "note": "Add a note"},
    ]  # one item per sentence of the prompt
