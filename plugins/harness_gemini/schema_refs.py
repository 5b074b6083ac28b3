"""References in a response schema that point outside it (a URL, a file): the Gemini API resolves only
``#/...`` references inside the schema it is sent, and a suite must not make anything fetch the others."""

from __future__ import annotations

from typing import Any

#: Keywords whose value is a reference: JSON Schema's (``responseJsonSchema``) and, in the OpenAPI-style
#: ``responseSchema``, also ``ref``.
JSON_SCHEMA_REFS = ("$ref", "$dynamicRef")
SCHEMA_REFS = (*JSON_SCHEMA_REFS, "ref")
#: Keywords whose values are data, not schemas (a ``{"ref": ...}`` there is an example, not a reference).
DATA_KEYS = ("const", "default", "enum", "example", "examples")


def foreign_refs(schema: Any, keys: tuple[str, ...] = JSON_SCHEMA_REFS) -> list[str]:
    """Every reference in ``schema`` that does not start with ``#``, in the order found."""
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in keys and isinstance(value, str):
                    if not value.startswith("#"):
                        found.append(value)
                elif key not in DATA_KEYS:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found
