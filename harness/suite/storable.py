"""Suite values that the run log can store: refused at validate time, so no run fails at its first save.

Everything a suite says ends up in records (vars and configs in every trial, options in the run's spec), and
records are JSON. So a suite value must be JSON: strings, finite numbers, booleans, null, lists, and mappings
with string keys, nested at most :data:`MAX_DEPTH` deep. YAML offers more (dates, ``!!binary``, ``!!set``,
``.nan``, non-string keys); those are refused with the line and a hint instead of being silently changed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from harness.suite.yamlsource import SourceMap

#: The deepest nesting of lists and mappings a suite value may have (the record around it adds a few levels,
#: and JSON serialisers stop somewhere in the hundreds).
MAX_DEPTH = 64


def _problem(value: Any) -> tuple[str, str] | None:
    """(what is wrong, hint) for a value that is not JSON, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"the number {value} cannot be stored as JSON", "use a finite number, or quote it as a string"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return (
            f"YAML read {value!s} as a {type(value).__name__}, which results cannot store as it is",
            f"quote it ('{value!s}') to keep it as text",
        )
    if isinstance(value, (bytes, bytearray)):
        return "binary data (!!binary) cannot be stored as JSON", "give the data as a file (media) or as text"
    if isinstance(value, (set, frozenset)):
        return "a set (!!set) cannot be stored as JSON", "use a list"
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return None
    return f"a {type(value).__name__} value cannot be stored as JSON", "use text, numbers, lists or mappings"


def check_storable(data: Any, smap: SourceMap, prefix: tuple[str | int, ...] = ()) -> None:
    """Raise a UserError at the value's line when ``data`` holds anything results cannot store."""
    stack: list[tuple[Any, tuple[str | int, ...], int]] = [(data, prefix, 0)]
    while stack:
        value, loc, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise smap.error(
                f"nested deeper than {MAX_DEPTH} levels (results could not store it)",
                loc,
                "flatten the value, or keep it in a file the prompt names",
            )
        found = _problem(value)
        if found is not None:
            raise smap.error(found[0], loc, found[1])
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise smap.error(
                        f"the key {key!r} is a {type(key).__name__}; results store only text keys",
                        loc,
                        f"quote it: '{key}':",
                    )
                stack.append((item, (*loc, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, (*loc, index), depth + 1) for index, item in enumerate(value))
