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


#: Suites are untrusted: a suite or YAML cases file may be at most this big (bytes) ...
MAX_FILE_BYTES = 10_000_000
#: ... and stand for at most this much once its aliases are expanded (characters of scalars plus one per node):
#: a 500-byte "billion laughs" of nested aliases is refused here instead of filling memory downstream.
MAX_EXPANDED = 20_000_000
#: CSV and JSONL cases files may be bigger (one case a line), up to this many bytes.
MAX_CASES_FILE_BYTES = 100_000_000
#: Mappings and lists nested deeper than this are refused (nothing in a suite needs it; storing it would fail).
MAX_NESTING = 100


def _children(node: yaml.Node) -> list[tuple[str | int, yaml.Node, int]]:
    """(key or index, child node, line) of a mapping or sequence node; merge keys (``<<``) are skipped."""
    if isinstance(node, yaml.MappingNode):
        out: list[tuple[str | int, yaml.Node, int]] = []
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key != "<<":
                out.append((key, value_node, key_node.start_mark.line + 1))
        return out
    if isinstance(node, yaml.SequenceNode):
        return [(index, item, item.start_mark.line + 1) for index, item in enumerate(node.value)]
    return []


def _check_duplicates(node: yaml.Node, smap: SourceMap) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
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


def _walk(root: yaml.Node, smap: SourceMap) -> None:
    """Record the line of every value, visiting each node once: a node that aliases share is walked (and its
    expanded size counted) once, an alias of a node that contains it is refused, and so are documents nested
    or expanding past the limits above. Iterative, so no document can exhaust Python's stack."""
    smap.lines.setdefault((), root.start_mark.line + 1)
    expanded: dict[int, int] = {}
    open_nodes: set[int] = set()
    # (node, path, children done?) frames; a node's size is known once all its children are.
    stack: list[tuple[yaml.Node, Loc, bool]] = [(root, (), False)]
    while stack:
        node, path, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            size = 1 + sum(expanded[id(child)] for _, child, _ in _children(node))
            if size > MAX_EXPANDED:
                raise UserError(
                    f"this value expands to {size:,} characters and nodes once its aliases are resolved "
                    f"(the limit is {MAX_EXPANDED:,})",
                    file=smap.file,
                    line=smap.line(path),
                    hint="aliases (*name) that repeat other aliases multiply; write the values out or use a cases file",
                )
            expanded[key] = size
            continue
        if key in expanded:
            continue
        if isinstance(node, yaml.ScalarNode):
            expanded[key] = 1 + len(node.value)
            continue
        if len(path) > MAX_NESTING:
            raise smap.error(
                f"nested deeper than {MAX_NESTING} levels", path, "flatten the structure; a suite never needs this"
            )
        _check_duplicates(node, smap)
        open_nodes.add(key)
        stack.append((node, path, True))
        for name, child, line in reversed(_children(node)):
            child_path = (*path, name)
            smap.lines.setdefault(child_path, line)
            if id(child) in open_nodes:
                raise UserError(
                    "a YAML alias refers to a node that contains it (the value would be infinite)",
                    file=smap.file,
                    line=line,
                    hint="an alias (*name) may only repeat an anchor (&name) defined outside itself",
                )
            if id(child) not in expanded:
                stack.append((child, child_path, False))


def parse_yaml(text: str, file: Path) -> tuple[Any, SourceMap]:
    """Parse YAML text with ``yaml.SafeLoader``; syntax errors become a UserError at the right line."""
    smap = SourceMap(file)
    if len(text) > MAX_FILE_BYTES:
        raise UserError(
            f"the file is {len(text):,} characters; suite and YAML cases files may have at most {MAX_FILE_BYTES:,}",
            file=file,
            hint="put many cases in a CSV or JSONL cases file",
        )
    loader = _Loader(text)
    try:
        # One parse: the node tree gives the lines (checked first: aliases, nesting, size), and the data is
        # constructed from the same tree.
        node = loader.get_single_node()
        if node is not None:
            _walk(node, smap)
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
    return data, smap


def check_size(path: Path, limit: int, what: str, hint: str | None = None) -> None:
    """Refuse a file bigger than ``limit`` bytes before reading it (suites are untrusted)."""
    size = path.stat().st_size
    if size > limit:
        raise UserError(f"the file is {size:,} bytes; {what} may have at most {limit:,}", file=path, hint=hint)


def load_yaml(path: Path) -> tuple[Any, SourceMap]:
    try:
        check_size(path, MAX_FILE_BYTES, "suite and YAML cases files", "put many cases in a CSV or JSONL cases file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"not UTF-8 text: {exc}", file=path) from None
    except OSError as exc:
        raise UserError(f"cannot read file: {exc.strerror}", file=path) from None
    return parse_yaml(text, path)
