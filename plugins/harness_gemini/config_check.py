"""Suite-time validation of a generation config against google-genai's GenerateContentConfig.

Field names and types come from the SDK's own pydantic models; the allowed ranges, which the SDK does not
check, come from the Gemini API reference (``GenerationConfig``, ai.google.dev/api/generate-content), so a
``temperature: 5`` is a mistake at validate time instead of one 400 per trial.
"""

from __future__ import annotations

import enum
import types as pytypes
import typing
import warnings
from dataclasses import dataclass
from typing import Any

import jsonschema
import pydantic
from google.genai import types

from harness.api import did_you_mean
from harness_gemini.schema_refs import SCHEMA_REFS, foreign_refs

Problem = tuple[tuple[str | int, ...], str]

#: Fields the harness sets itself; a suite must not set them in ``config``.
MANAGED = {
    "system_instruction": "set the system instruction with 'system:' (defaults or prompt), not in config",
    "http_options": "HTTP options are managed by the harness (base URL, headers, retries)",
    "should_return_http_response": "raw HTTP responses are not supported; the harness parses answers",
}


@dataclass(frozen=True)
class Range:
    """The documented range of a numeric field (``below``: the upper bound is exclusive)."""

    low: float | None = None
    high: float | None = None
    below: bool = False
    integer: bool = False
    note: str = ""

    def text(self) -> str:
        def num(value: float) -> str:
            return f"{value:g}" if not self.integer else str(int(value))

        if self.low is not None and self.high is not None:
            upper = f"below {num(self.high)}" if self.below else f"{num(self.high)}"
            return f"{num(self.low)} to {upper}"
        if self.low is not None:
            return f"at least {num(self.low)}"
        return f"at most {num(self.high or 0)}"

    def allows(self, value: float) -> bool:
        if self.low is not None and value < self.low:
            return False
        return self.high is None or (value < self.high if self.below else value <= self.high)


#: Documented ranges (Gemini API reference, GenerationConfig and ThinkingConfig), by key path.
RANGES: dict[tuple[str, ...], Range] = {
    ("temperature",): Range(0.0, 2.0),
    ("top_p",): Range(0.0, 1.0),
    ("top_k",): Range(1, None, integer=True),
    ("candidate_count",): Range(1, 8, integer=True),
    ("max_output_tokens",): Range(1, None, integer=True),
    ("presence_penalty",): Range(-2.0, 2.0, below=True),
    ("frequency_penalty",): Range(-2.0, 2.0, below=True),
    ("logprobs",): Range(0, 20, integer=True, note="needs response_logprobs: true"),
    ("thinking_config", "thinking_budget"): Range(
        -1, 32768, integer=True, note="-1 lets the model decide, 0 turns thinking off"
    ),
}


def _range_problems(config: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for path, allowed in RANGES.items():
        value: Any = config
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if allowed.integer and float(value) != int(value):
            problems.append((path, f"{value!r} is not a whole number"))
        elif not allowed.allows(float(value)):
            note = f"; {allowed.note}" if allowed.note else ""
            problems.append((path, f"{value!r} is out of range: the Gemini API allows {allowed.text()}{note}"))
    if config.get("logprobs") is not None and not config.get("response_logprobs"):
        problems.append((("logprobs",), "'logprobs' needs 'response_logprobs: true'"))
    return problems


def describe_ranges() -> dict[tuple[str, ...], Range]:
    """The documented ranges, for the published schema (``harness schema``)."""
    return dict(RANGES)


def check_config(config: dict[str, Any]) -> list[Problem]:
    """Return (key path, message) for every problem in a suite's ``config`` mapping; no network."""
    problems: list[Problem] = []
    usable: dict[str, Any] = {}
    for key, value in config.items():
        if key in MANAGED:
            problems.append(((key,), f"'{key}' cannot be set in config: {MANAGED[key]}"))
        else:
            usable[key] = value
    problems += _walk(types.GenerateContentConfig, usable, ())
    problems += _schema_problems(usable)
    # The fields with a problem of their own are left out; the rest are still checked for types and ranges.
    usable = {key: value for key, value in usable.items() if all(path[:1] != (key,) for path, _ in problems)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            types.GenerateContentConfig(**usable)
        except pydantic.ValidationError as error:
            problems += _pydantic_problems(types.GenerateContentConfig, error, ())
    typed = {path[0] for path, _ in problems if path}
    problems += [p for p in _range_problems(usable) if p[0][0] not in typed]
    return problems


def _walk(model: type[pydantic.BaseModel], data: Any, path: tuple[str | int, ...]) -> list[Problem]:
    """Check keys (unknown, camelCase) and enum values; type errors are left to pydantic."""
    if not isinstance(data, dict):
        return []
    problems: list[Problem] = []
    fields = model.model_fields
    for key, value in data.items():
        key_path = (*path, key)
        field = fields.get(key)
        if field is None:
            snake = next((name for name, info in fields.items() if info.alias == key), None)
            if snake is not None:
                problems.append((key_path, f"use snake_case: '{snake}' instead of '{key}'"))
                continue
            hint = did_you_mean(str(key), fields)
            problems.append((key_path, f"unknown field '{key}'" + (f"; {hint}" if hint else "")))
            continue
        if key in ("response_schema", "response_json_schema"):
            continue  # checked as schemas below
        problems += _check_value(field.annotation, value, key_path)
    return problems


def _check_value(annotation: Any, value: Any, path: tuple[str | int, ...]) -> list[Problem]:
    if value is None:
        return []
    for candidate in _members(annotation):
        origin = typing.get_origin(candidate)
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum) and isinstance(value, str):
            return _check_enum(candidate, value, path)
        if isinstance(candidate, type) and issubclass(candidate, pydantic.BaseModel) and isinstance(value, dict):
            return _walk(candidate, value, path)
        if origin is list and isinstance(value, list):
            (item_type,) = typing.get_args(candidate) or (Any,)
            problems: list[Problem] = []
            for index, item in enumerate(value):
                problems += _check_value(item_type, item, (*path, index))
            return problems
        if origin is dict and isinstance(value, dict):
            value_type = (typing.get_args(candidate) or (Any, Any))[-1]
            problems = []
            for name, item in value.items():
                problems += _check_value(value_type, item, (*path, name))
            return problems
    return []


def _members(annotation: Any) -> list[Any]:
    """The alternatives of an Optional/Union annotation (or the annotation itself)."""
    if typing.get_origin(annotation) in (typing.Union, pytypes.UnionType):
        return [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    return [annotation]


def _check_enum(enum_type: type[enum.Enum], value: str, path: tuple[str | int, ...]) -> list[Problem]:
    """google-genai enums accept unknown values with only a warning; a suite typo must be an error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            enum_type(value)
        except ValueError:
            caught.append(warnings.WarningMessage("invalid", UserWarning, "", 0))
    if not caught:
        return []
    names = [member.value for member in enum_type if isinstance(member.value, str)]
    hint = did_you_mean(value, names)
    message = f"'{value}' is not a valid {enum_type.__name__}"
    return [(path, f"{message}; {hint}" if hint else f"{message} (one of: {', '.join(names)})")]


def _schema_problems(config: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    schema = config.get("response_schema")
    if schema is not None:
        if not isinstance(schema, dict):
            problems.append((("response_schema",), "must be a mapping (an OpenAPI-style Schema)"))
        else:
            problems += _walk(types.Schema, schema, ("response_schema",))
            if not problems:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        types.Schema.model_validate(schema)
                    except pydantic.ValidationError as error:
                        problems += _pydantic_problems(types.Schema, error, ("response_schema",))
    json_schema = config.get("response_json_schema")
    if json_schema is not None:
        if not isinstance(json_schema, dict):
            problems.append((("response_json_schema",), "must be a mapping (a JSON Schema)"))
        else:
            try:
                jsonschema.validators.validator_for(json_schema).check_schema(json_schema)
            except jsonschema.SchemaError as error:
                where = ("response_json_schema", *error.absolute_path)
                problems.append((where, f"invalid JSON Schema: {error.message}"))
    found = [("response_schema", ref) for ref in foreign_refs(schema, SCHEMA_REFS)]
    found += [("response_json_schema", ref) for ref in foreign_refs(json_schema)]
    for key, ref in found:
        problems.append(((key,), f"$ref '{ref}' points outside the schema; use #/$defs/... references only"))
    if schema is not None and json_schema is not None:
        problems.append((("response_json_schema",), "set either response_schema or response_json_schema"))
    mime = config.get("response_mime_type")
    if (schema is not None or json_schema is not None) and mime not in ("application/json", "text/x.enum"):
        problems.append((("response_mime_type",), "a response schema needs response_mime_type: application/json"))
    return problems


def _pydantic_problems(
    model: type[pydantic.BaseModel], error: pydantic.ValidationError, prefix: tuple[str | int, ...]
) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors():
        # Union validation adds the member's type name to the location; keep only real keys and indexes.
        loc = tuple(part for part in item["loc"] if isinstance(part, int) or not part[:1].isupper())
        value = item.get("input")
        shown = f" (got {value!r})" if isinstance(value, (str, int, float, bool)) or value is None else ""
        problems.append(((*prefix, *loc), f"{item['msg']}{shown}"))
    return problems
