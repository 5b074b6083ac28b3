"""Safe YAML loading that remembers the line of every key and list item, so errors can name file:line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import UserError

Loc = tuple[str | int, ...]
#: libyaml's safe loader when PyYAML was built with it (it is, in the PyPI wheels), else pure Python.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class SourceMap:
    """Where each value of a loaded document sits: path tuple -> 1-based line."""

    file: Path
    lines: dict[Loc, int] = field(default_factory=dict)
    #: Values a command-line flag set or replaced (``--set KEY=VALUE``): a mistake at or under one of these
    #: locations is the flag's, and names the flag instead of a line of the file.
    flags: dict[Loc, str] = field(default_factory=dict)
    #: Duplicate keys found while reading (YAML keeps the last one); the loader reports them with the rest.
    duplicates: list[UserError] = field(default_factory=list)

    def line(self, loc: Sequence[str | int]) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        path = tuple(loc)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def flag(self, loc: Sequence[str | int]) -> str | None:
        """The flag that set ``loc`` or one of its ancestors, if any."""
        path = tuple(loc)
        for length in range(len(path), -1, -1):
            if path[:length] in self.flags:
                return self.flags[path[:length]]
        return None

    def error(self, message: str, loc: Sequence[str | int] = (), hint: str | None = None) -> UserError:
        flag = self.flag(loc)
        if flag is not None:
            return UserError(message, file=flag, hint=hint)
        return UserError(message, file=self.file, line=self.line(loc), hint=hint)


def _walk(node: yaml.Node, path: Loc, smap: SourceMap) -> None:
    smap.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key == "<<":
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                smap.duplicates.append(
                    UserError(
                        f"duplicate key '{key}' (first at line {seen[key]})",
                        file=smap.file,
                        line=line,
                        hint="YAML keeps only the last one; remove or rename one of them",
                    )
                )
            seen[key] = line
            smap.lines[(*path, key)] = line
            _walk(value_node, (*path, key), smap)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            smap.lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), smap)


def parse_yaml(text: str, file: Path) -> tuple[Any, SourceMap]:
    """Parse YAML text with ``yaml.SafeLoader``; syntax errors become a UserError at the right line."""
    smap = SourceMap(file)
    loader = _Loader(text)
    try:
        # One parse: the node tree gives the lines, and the data is constructed from the same tree.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote or bracket: point at where it was opened
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        raise UserError(
            f"YAML syntax error: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            hint="check indentation, and quote strings that contain ': ' or start with '{', '[', '*' or '&'",
        ) from None
    except yaml.YAMLError as exc:
        raise UserError(f"YAML error: {exc}", file=file) from None
    finally:
        loader.dispose()
    if node is not None:
        _walk(node, (), smap)
    return data, smap


def load_yaml(path: Path) -> tuple[Any, SourceMap]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"not UTF-8 text: {exc}", file=path) from None
    except OSError as exc:
        raise UserError(f"cannot read file: {exc.strerror}", file=path) from None
    return parse_yaml(text, path)
