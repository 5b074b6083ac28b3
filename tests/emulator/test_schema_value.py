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
