"""Turn pydantic validation errors into clear UserErrors, each at its own file:line."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.errors import UserError, did_you_mean
from harness.suite.yamlsource import Loc, SourceMap

#: Union branch tags pydantic puts into error locations.
_TAGS = {"str", "int", "float", "bool", "dict", "list", "none", "function-after", "function-before"}


def _clean(loc: tuple[Any, ...]) -> tuple[Loc, bool]:
    """Drop pydantic's union tags from ``loc``; report whether it went through the plain-string branch."""
    out: list[str | int] = []
    via_str = False
    for part in loc:
        if isinstance(part, str) and (part in _TAGS or "[" in part or part[:1].isupper()):
            via_str = via_str or part == "str"
            continue
        out.append(part)
    return tuple(out), via_str


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _is_container(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, dict, tuple):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_container(a) for a in typing.get_args(annotation))
    return False


def model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at ``loc`` (for "did you mean" hints)."""
    current: list[Any] = [root]
    for part in loc:
        nxt: list[Any] = []
        for ann in current:
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                if isinstance(part, str) and part in ann.model_fields:
                    nxt.append(ann.model_fields[part].annotation)
            elif _is_container(ann):
                for arg in typing.get_args(ann):
                    if typing.get_origin(arg) in (list, dict, tuple):
                        nxt.extend(typing.get_args(arg)[-1:])
                    else:
                        nxt.append(arg)
        current = nxt
    models = [m for ann in current for m in _models_in(ann)]
    return models[0] if models else None


def _where(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def located_errors(
    exc: ValidationError, smap: SourceMap, model: type[BaseModel], prefix: Loc = ()
) -> list[tuple[Loc, str, UserError]]:
    """Every problem of ``exc`` as (its location in the validated data, pydantic's error type, a UserError)."""
    cleaned = []
    for err in exc.errors(include_url=False):
        loc, via_str = _clean(tuple(err["loc"]))
        cleaned.append((via_str, loc, err))
    # A union of "a string or a mapping": where the mapping branch explains a value, drop the string branch's
    # "should be a string" for that same value.
    mapping_locs = [loc for via_str, loc, _ in cleaned if not via_str]
    kept = [
        (loc, err)
        for via_str, loc, err in cleaned
        if not via_str or not any(other[: len(loc)] == loc for other in mapping_locs)
    ]
    return [(loc, str(err["type"]), _error(loc, err, smap, model, prefix)) for loc, err in kept]


def _error(loc: Loc, err: Any, smap: SourceMap, model: type[BaseModel], prefix: Loc) -> UserError:
    full = (*prefix, *loc)
    kind = err["type"]
    hint: str | None = None
    if kind == "extra_forbidden":
        key = loc[-1] if loc else "?"
        owner = model_at(model, loc[:-1])
        choices = list(owner.model_fields) if owner else []
        message = f"unknown key '{key}'" + (f" in '{_where(full[:-1])}'" if full[:-1] else "")
        hint = did_you_mean(str(key), choices) or (f"allowed keys: {', '.join(choices)}" if choices else None)
    elif kind == "missing":
        message = f"missing required key '{loc[-1]}'" + (f" in '{_where(full[:-1])}'" if full[:-1] else "")
    else:
        value = err.get("input")
        shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
        if len(shown) > 60:
            shown = shown[:57] + "..."
        message = f"'{_where(full) or 'document'}': {err['msg']}" + (f" (got {shown})" if kind != "value_error" else "")
    return smap.error(message, full, hint)


def to_user_errors(exc: ValidationError, smap: SourceMap, model: type[BaseModel], prefix: Loc = ()) -> list[UserError]:
    """Every problem of ``exc``, each a UserError at its own line."""
    return [error for _, _, error in located_errors(exc, smap, model, prefix)]
