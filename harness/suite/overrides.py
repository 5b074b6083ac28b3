"""``--set KEY=VALUE``: override a value of the suite before it is validated, and own the mistakes it makes.

Keys are paths of mapping keys and list indexes: ``defaults.config.temperature``, ``scorers[0].max`` or
``scorers.0.max``. The value is read as YAML (``0.2`` is a number, ``[a, b]`` a list, ``hot`` a string). Every
value a flag sets is marked in the suite's source map, so a later mistake there (a wrong type, a range, an
unknown key) names the flag instead of a line of the file.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from harness.errors import UserError
from harness.suite.yamlsource import Loc, SourceMap

_PATH = re.compile(r"[^.\[\]\s]+(?:\.[^.\[\]\s]+|\[\d+\])*")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_EXAMPLE = "e.g. --set defaults.config.temperature=0.2 or --set 'scorers[0].max=0.3'"


def parse_path(key: str) -> list[str | int]:
    """``scorers[0].max`` -> ``["scorers", 0, "max"]`` (a bare number after a dot stays a string until applied)."""
    if not _PATH.fullmatch(key):
        raise ValueError(key)
    return [name if name else int(index) for name, index in _PART.findall(key)]


def _where(path: list[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the suite"


def apply_override(data: dict[str, Any], override: str, smap: SourceMap) -> None:
    """Apply one ``--set`` to the suite's YAML data; a mistake is a UserError naming the flag."""
    flag = f"--set {override}"
    if "=" not in override:
        raise UserError("needs KEY=VALUE", file=flag, hint=_EXAMPLE)
    key, raw = override.split("=", 1)
    try:
        path = parse_path(key.strip())
    except ValueError:
        raise UserError(f"'{key}' is not a key path", file=flag, hint=_EXAMPLE) from None
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    node: Any = data
    walked: list[str | int] = []
    created: Loc | None = None
    for position, part in enumerate(path):
        last = position == len(path) - 1
        if isinstance(node, list):
            index = part if isinstance(part, int) else int(part) if str(part).isdigit() else None
            if index is None:
                raise UserError(f"'{_where(walked)}' is a list: give an index, not '{part}'", file=flag, hint=_EXAMPLE)
            if index >= len(node):
                raise UserError(
                    f"'{_where(walked)}' has {len(node)} entr{'y' if len(node) == 1 else 'ies'}; there is no [{index}]",
                    file=flag,
                    hint=f"indexes start at 0 (0 to {len(node) - 1})" if node else "the list is empty",
                )
            part = index
        elif isinstance(node, dict):
            if isinstance(part, int):
                raise UserError(f"'{_where(walked)}' is a mapping, not a list", file=flag, hint=_EXAMPLE)
            if not last and part not in node:
                if any(isinstance(rest, int) or str(rest).isdigit() for rest in path[position + 1 :]):
                    raise UserError(
                        f"'{_where([*walked, part])}' is not in the suite, so it has no entries to index",
                        file=flag,
                        hint=f"add '{part}:' to the suite first, or --set the whole list",
                    )
                node[part] = {}
                created = created or (*walked, part)
        else:
            kind = type(node).__name__ if node is not None else "null"
            raise UserError(f"'{_where(walked)}' is a {kind}, not a mapping or a list", file=flag, hint=_EXAMPLE)
        walked.append(part)
        if last:
            node[part] = value
        else:
            node = node[part]
    smap.flags[created or tuple(walked)] = flag
