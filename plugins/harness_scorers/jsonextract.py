"""Getting a JSON value out of a model's answer: strictly, or from a fenced block or surrounding prose."""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\r?\n(.*?)(?:\r?\n)?[ \t]*```", re.S)
_DECODER = json.JSONDecoder()
#: How many '{' / '[' positions prose extraction tries before giving up.
MAX_STARTS = 200


class ExtractError(ValueError):
    """No JSON value could be read; the message says why."""


def parse_strict(text: str) -> Any:
    """The whole answer (surrounding whitespace aside) must be one JSON value."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExtractError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def extract(text: str) -> tuple[Any, str]:
    """(value, how it was found): the whole text, a fenced block (``json`` ones first), or prose."""
    try:
        return json.loads(text), "whole answer"
    except json.JSONDecodeError as exc:
        first_error = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    fences = sorted(_FENCE.finditer(text), key=lambda m: m.group(1).lower() != "json")
    for match in fences:
        try:
            return json.loads(match.group(2)), f"```{match.group(1)} fenced block"
        except json.JSONDecodeError:
            continue
    tried = 0
    for match in re.finditer(r"[\[{]", text):
        tried += 1
        if tried > MAX_STARTS:
            break
        try:
            value, _ = _DECODER.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        return value, f"embedded in prose at character {match.start()}"
    raise ExtractError(f"no JSON found in the answer (as a whole: {first_error}; no fenced block or object parsed)")


def pointer(parts: Any) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(document: Any, ptr: str) -> Any:
    """The value at JSON pointer ``ptr``; raises KeyError when absent."""
    if ptr == "":
        return document
    if not ptr.startswith("/"):
        raise KeyError(f"a JSON pointer starts with '/': {ptr!r}")
    current = document
    for raw in ptr[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            if token not in current:
                raise KeyError(ptr)
            current = current[token]
        elif isinstance(current, list):
            if not token.isdigit() or int(token) >= len(current):
                raise KeyError(ptr)
            current = current[int(token)]
        else:
            raise KeyError(ptr)
    return current


def same(expected: Any, actual: Any) -> bool:
    """JSON equality: numbers compare by value, but booleans never equal numbers."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(same(a, b) for a, b in zip(expected, actual, strict=True))
    return bool(expected == actual) and (isinstance(expected, (int, float)) == isinstance(actual, (int, float)))
