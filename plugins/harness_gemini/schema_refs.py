"""References in a response schema that point outside it (a URL, a file): the Gemini API resolves only
``#/...`` references inside the schema it is sent, and a suite must not make anything fetch the others."""

from __future__ import annotations

from typing import Any

#: Keywords whose value is a reference (JSON Schema ``$ref``/``$dynamicRef``; the OpenAPI-style Schema's ``ref``).
REF_KEYS = ("$ref", "$dynamicRef", "ref")


def foreign_refs(schema: Any) -> list[str]:
    """Every reference in ``schema`` that does not start with ``#``, in the order found."""
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in REF_KEYS and isinstance(value, str):
                    if not value.startswith("#"):
                        found.append(value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found
