"""Gemini's OpenAPI-subset ``response_schema`` -> JSON Schema (Draft 2020-12), for validating answers.

Gemini's ``Schema`` type: ``type`` in upper case (STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT, NULL),
``nullable``, ``enum``, ``format``, ``properties``, ``required``, ``items``, ``minItems``/``maxItems``,
``minLength``/``maxLength``, ``minimum``/``maximum``, ``pattern``, ``anyOf``, ``propertyOrdering``,
``title``, ``description``, ``example``, ``default``, ``additionalProperties``, ``defs``/``ref``.
Keys may be camelCase (wire) or snake_case (SDK).
``response_json_schema`` is already JSON Schema and is used as it is.
"""

from __future__ import annotations

from typing import Any

_TYPES = {
    "STRING": "string",
    "NUMBER": "number",
    "INTEGER": "integer",
    "BOOLEAN": "boolean",
    "ARRAY": "array",
    "OBJECT": "object",
    "NULL": "null",
}
#: Gemini key (snake or camel) -> JSON Schema key, for keys kept with the same meaning.
_KEYS = {
    "enum": "enum",
    "format": "format",
    "title": "title",
    "description": "description",
    "default": "default",
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "min_items": "minItems",
    "minItems": "minItems",
    "max_items": "maxItems",
    "maxItems": "maxItems",
    "min_length": "minLength",
    "minLength": "minLength",
    "max_length": "maxLength",
    "maxLength": "maxLength",
    "min_properties": "minProperties",
    "minProperties": "minProperties",
    "max_properties": "maxProperties",
    "maxProperties": "maxProperties",
    "required": "required",
}
#: Keys that only steer generation and have no validation meaning.
_DROPPED = {"property_ordering", "propertyOrdering", "example"}


class SchemaConversionError(ValueError):
    """A response_schema that is not a Gemini Schema."""


def gemini_to_json_schema(schema: Any, path: str = "") -> dict[str, Any]:
    """Convert one Gemini Schema object (recursively)."""
    if not isinstance(schema, dict):
        raise SchemaConversionError(f"schema at '{path or '/'}' is not a mapping")
    out: dict[str, Any] = {}
    kind = schema.get("type")
    if kind is not None:
        if not isinstance(kind, str) or kind.upper() not in _TYPES:
            raise SchemaConversionError(f"unknown type {kind!r} at '{path or '/'}'")
        out["type"] = _TYPES[kind.upper()]
    for key, value in schema.items():
        if key in ("type", "nullable") or key in _DROPPED:
            continue
        if key in _KEYS:
            out[_KEYS[key]] = value
        elif key == "properties":
            out["properties"] = {
                name: gemini_to_json_schema(sub, f"{path}/properties/{name}") for name, sub in value.items()
            }
        elif key == "items":
            out["items"] = gemini_to_json_schema(value, f"{path}/items")
        elif key in ("additional_properties", "additionalProperties"):
            out["additionalProperties"] = (
                value if isinstance(value, bool) else gemini_to_json_schema(value, f"{path}/additionalProperties")
            )
        elif key in ("defs", "$defs"):
            out["$defs"] = {name: gemini_to_json_schema(sub, f"{path}/$defs/{name}") for name, sub in value.items()}
        elif key in ("ref", "$ref"):
            out["$ref"] = str(value).replace("#/defs/", "#/$defs/")
        elif key in ("any_of", "anyOf"):
            out["anyOf"] = [gemini_to_json_schema(sub, f"{path}/anyOf/{i}") for i, sub in enumerate(value)]
        else:
            raise SchemaConversionError(f"unsupported schema key '{key}' at '{path or '/'}'")
    if schema.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "anyOf" in out:
            out["anyOf"] = [*out["anyOf"], {"type": "null"}]
    return out


def from_config(config: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The JSON Schema a trial asked for (and which config key held it), or None."""
    for key in ("response_json_schema", "responseJsonSchema"):
        if config.get(key) is not None:
            value = config[key]
            if not isinstance(value, dict):
                raise SchemaConversionError(f"{key} is not a mapping")
            return value, key
    for key in ("response_schema", "responseSchema"):
        if config.get(key) is not None:
            converted = gemini_to_json_schema(config[key])
            return {"$schema": "https://json-schema.org/draft/2020-12/schema", **converted}, key
    return None
