"""Validate a mapping with a pydantic model, record every problem, and keep what is valid so later checks run.

pydantic reports all field errors of a document at once; but to check the rest of a suite (scorer options,
files, templates, configs) the loader needs a valid model. So the list item holding a problem (a case, a
prompt, a media entry) is removed whole, so that nothing half-valid is checked further and no follow-on
mistake is reported; a problem outside any list drops just its key (its default applies). The source map is
shifted to match, and the data is validated again. A problem that only appears because something was dropped
(a now-missing key, a now-empty list) is a consequence, not a new mistake, and is not reported.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from harness.suite.problems import Problems
from harness.suite.pydantic_errors import located_errors
from harness.suite.yamlsource import Loc, SourceMap

M = TypeVar("M", bound=BaseModel)
#: Rounds of drop-and-revalidate (a model validator only runs once its fields are valid).
ROUNDS = 4


def validate_salvaging(
    model: type[M], data: dict[str, Any], smap: SourceMap, problems: Problems, prefix: Loc = ()
) -> M | None:
    """``model`` validated from ``data`` with the invalid parts dropped, or None if nothing usable is left.

    Every problem is recorded in ``problems`` at its file:line (``prefix`` is where ``data`` sits in ``smap``).
    ``data`` is changed in place.
    """
    dropped: list[Loc] = []
    for _ in range(ROUNDS):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            found = located_errors(exc, smap, model, prefix)
        problems.extend(error for loc, _, error in found if not _follows(loc, dropped))
        targets = [_target(loc, kind) for loc, kind, _ in found]
        if any(t is None for t in targets):
            return None
        removable = sorted({t for t in targets if t is not None}, key=_order, reverse=True)
        for target in removable:
            if not _drop(data, target, smap, prefix):
                return None
            dropped.append(target)
    return None


def _follows(loc: Loc, dropped: list[Loc]) -> bool:
    """A problem at or above something already dropped is its consequence."""
    return any(loc == d[: len(loc)] or d == loc[: len(d)] for d in dropped)


def _target(loc: Loc, kind: str) -> Loc | None:
    """What to drop for a problem at ``loc``: the innermost list item holding it, else the key itself (None:
    nothing can be dropped, e.g. a required top-level key is missing)."""
    items = [i for i, part in enumerate(loc) if isinstance(part, int)]
    if items:
        return loc[: items[-1] + 1]
    if not loc or kind == "missing":
        return None
    return loc


def _order(loc: Loc) -> tuple[Any, ...]:
    # Deepest first, and later list items before earlier ones, so removals never move what is still to remove.
    return (len(loc), tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in loc))


def _drop(data: Any, loc: Loc, smap: SourceMap, prefix: Loc) -> bool:
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return True  # already gone with its parent
    key = loc[-1]
    if isinstance(node, dict) and key in node:
        del node[key]
    elif isinstance(node, list) and isinstance(key, int) and key < len(node):
        del node[key]
        _shift(smap, (*prefix, *loc[:-1]), key)
    return True


def _shift(smap: SourceMap, parent: Loc, index: int) -> None:
    """After list item ``parent[index]`` is removed, later items keep their own lines."""
    depth = len(parent)

    def moved(loc: Loc) -> Loc | None:
        """Where ``loc`` is now (None: it was removed); ``loc`` itself when it is not in the list."""
        if loc[:depth] != parent or len(loc) <= depth:
            return loc
        item = loc[depth]
        if not isinstance(item, int) or item < index:
            return loc
        return None if item == index else (*parent, item - 1, *loc[depth + 1 :])

    lines = {new: line for loc, line in smap.lines.items() if (new := moved(loc)) is not None}
    flags = {new: flag for loc, flag in smap.flags.items() if (new := moved(loc)) is not None}
    smap.lines.clear()
    smap.lines.update(lines)
    smap.flags.clear()
    smap.flags.update(flags)
