"""A deterministic JSON value that conforms to a response schema.

Handles both the Gemini OpenAPI subset (``responseSchema``: uppercase ``type``, ``nullable``,
``propertyOrdering``) and JSON Schema (``responseJsonSchema``: ``$ref``/``$defs``, ``anyOf``,
``const``, type lists). Strings follow ``format``; numbers respect minimum/maximum; arrays honour
``minItems`` (at least one item unless ``maxItems`` is 0); objects get every listed property.
"""

from __future__ import annotations

from typing import Any

from harness_gemini.emulator.request import pick

_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
}


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for key in ref.lstrip("#/").split("/"):
        if key:
            node = node[key.replace("~1", "/").replace("~0", "~")]
    return node if isinstance(node, dict) else {}


def _number(schema: dict[str, Any], integer: bool) -> int | float:
    low = schema.get("minimum", pick(schema, "exclusiveMinimum"))
    high = schema.get("maximum", pick(schema, "exclusiveMaximum"))
    value: float = 0
    if isinstance(low, (int, float)) and not isinstance(low, bool):
        value = low + (1 if pick(schema, "exclusiveMinimum") is not None and "minimum" not in schema else 0)
    elif isinstance(high, (int, float)) and not isinstance(high, bool) and high <= 0:
        value = high - (1 if pick(schema, "exclusiveMaximum") is not None and "maximum" not in schema else 0)
    if integer:
        return int(value) if float(value).is_integer() else int(value) + 1
    return float(value)


def _string(schema: dict[str, Any], name: str) -> str:
    fmt = str(schema.get("format", ""))
    if fmt in _FORMATS:
        return _FORMATS[fmt]
    text = name or "text"
    min_len = int(pick(schema, "minLength", 0))
    max_len = pick(schema, "maxLength")
    if len(text) < min_len:
        text = text + "x" * (min_len - len(text))
    if isinstance(max_len, int):
        text = text[:max_len]
    return text


def _type_of(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        non_null = [t for t in declared if str(t).lower() != "null"]
        declared = non_null[0] if non_null else "null"
    if declared:
        return str(declared).lower()
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def value_for(schema: Any, root: Any = None, name: str = "", depth: int = 0) -> Any:
    """A JSON value conforming to ``schema``."""
    if not isinstance(schema, dict) or depth > 12:
        return None if depth > 12 else "text"
    root = root if isinstance(root, dict) else schema
    if "$ref" in schema:
        return value_for(_resolve(str(schema["$ref"]), root), root, name, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            chosen = next((o for o in options if _type_of(o) != "null"), options[0])
            return value_for(chosen, root, name, depth + 1)
    if isinstance(pick(schema, "allOf"), list):
        merged: dict[str, Any] = {}
        for part in pick(schema, "allOf"):
            merged.update(_resolve(part["$ref"], root) if isinstance(part, dict) and "$ref" in part else part)
        return value_for(merged, root, name, depth + 1)
    kind = _type_of(schema)
    if kind == "object":
        props = schema.get("properties") or {}
        order = list(pick(schema, "propertyOrdering") or []) + [
            k for k in props if k not in (pick(schema, "propertyOrdering") or [])
        ]
        return {key: value_for(props[key], root, key, depth + 1) for key in order if key in props}
    if kind == "array":
        max_items = pick(schema, "maxItems")
        min_items = int(pick(schema, "minItems", 0) or 0)
        count = min_items or (0 if max_items == 0 else 1)
        items = schema.get("items") or {}
        singular = name[:-3] + "y" if name.endswith("ies") else name[:-1] if name.endswith("s") else name
        return [value_for(items, root, singular, depth + 1) for _ in range(count)]
    if kind == "integer":
        return _number(schema, integer=True)
    if kind == "number":
        return _number(schema, integer=False)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, name)
