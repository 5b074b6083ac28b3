"""The JSON Schema of a suite's generation config for ``harness schema``: every GenerateContentConfig field of
google-genai (its own type and description), with the Gemini API's documented ranges and the file keys."""

from __future__ import annotations

import functools
import re
import warnings
from typing import Any

import pydantic
from google.genai import types

from harness_gemini.config_check import MANAGED, RANGES

FILE_KEYS = {
    "response_schema_file": "A JSON or YAML file (in the suite's folder) holding the response_schema.",
    "response_json_schema_file": "A JSON or YAML file (in the suite's folder) holding the response_json_schema.",
}


def _tidy(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


@functools.cache
def config_schema() -> dict[str, Any]:
    """``{"type": "object", "properties": ..., "$defs": ...}``; ``$defs`` refs are ``#/$defs/<name>``."""
    defs: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    for name, field in types.GenerateContentConfig.model_fields.items():
        if name in MANAGED or field.annotation is None:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                schema = pydantic.TypeAdapter(field.annotation).json_schema(ref_template="#/$defs/{model}")
        except (pydantic.PydanticUserError, pydantic.errors.PydanticInvalidForJsonSchema, TypeError):
            schema = {}
        defs.update(schema.pop("$defs", {}))
        if name == "response_schema" and not schema:
            schema = {"type": "object"}  # an OpenAPI-style Schema mapping (checked by check_config)
        schema.pop("title", None)
        schema["description"] = _tidy(field.description) or name.replace("_", " ")
        path = (name,)
        if path in RANGES:
            _bound(schema, RANGES[path])
        properties[name] = schema
    thinking = defs.get("ThinkingConfig", {}).get("properties", {}).get("thinking_budget")
    if thinking is not None:
        _bound(thinking, RANGES[("thinking_config", "thinking_budget")])
    for key, text in FILE_KEYS.items():
        properties[key] = {"type": "string", "description": text}
    for definition in defs.values():
        definition.pop("title", None)
        for prop_name, prop in definition.get("properties", {}).items():
            prop.pop("title", None)
            prop.setdefault("description", prop_name.replace("_", " "))
            prop["description"] = _tidy(prop["description"])
        definition.setdefault("description", "A google-genai type.")
    return {
        "type": "object",
        "description": "Generation config: snake_case fields of google-genai's GenerateContentConfig.",
        "properties": properties,
        "additionalProperties": False,
        "$defs": defs,
    }


def _bound(schema: dict[str, Any], allowed: Any) -> None:
    """Put the documented range on the numeric branch of ``schema`` (``anyOf`` with null when optional)."""
    branches = schema.get("anyOf", [schema])
    for branch in branches:
        if branch.get("type") in ("number", "integer"):
            if allowed.low is not None:
                branch["minimum"] = allowed.low
            if allowed.high is not None:
                branch["exclusiveMaximum" if allowed.below else "maximum"] = allowed.high
    schema["description"] = f"{schema.get('description', '')} Allowed: {allowed.text()} (Gemini API).".strip()
