"""Scorer entries in a suite: ``{type: wer, max: 0.3}`` or ``{wer: {max: 0.3}}``, checked against plugins."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.api.host import PluginHost
from harness.api.scoring import CheckContext, Scorer
from harness.errors import UserError, UserErrors
from harness.suite.problems import Problems
from harness.suite.pydantic_errors import to_user_errors
from harness.suite.yamlsource import SourceMap

COMMON_KEYS = ("type", "weight", "metric", "required")


@dataclass
class ScorerSpec:
    """One configured scorer, ready to score."""

    name: str
    scorer: Scorer
    weight: float
    metric: str
    required: bool
    file: Path
    line: int | None


@dataclass
class ScorerEnv:
    """What parsing scorer entries needs: the installed scorers and the context of their checks."""

    host: PluginHost
    check: CheckContext
    #: Where mistakes go: each entry is checked on its own, so one bad entry does not hide the next.
    problems: Problems


def _split(
    entry: dict[str, Any], smap: SourceMap, loc: tuple[str | int, ...]
) -> tuple[str, dict[str, Any], dict[str, Any], tuple[str | int, ...]]:
    """Return (scorer name, options, common fields, loc of the options)."""
    common = {k: entry[k] for k in COMMON_KEYS[1:] if k in entry}
    if "type" in entry:
        name = entry["type"]
        if not isinstance(name, str):
            raise smap.error("'type' must be a scorer name", (*loc, "type"))
        options = {k: v for k, v in entry.items() if k not in COMMON_KEYS}
        return name, options, common, loc
    names = [k for k in entry if k not in COMMON_KEYS]
    if len(names) != 1:
        raise smap.error(
            "a scorer entry needs 'type: NAME' or exactly one scorer name as its key"
            + (f" (found: {', '.join(map(str, names))})" if names else ""),
            loc,
            "e.g. '- type: wer' with options beside it, or '- wer: {max: 0.3}'",
        )
    name = str(names[0])
    value = entry[name]
    if isinstance(value, dict):
        options = dict(value)
        for key in COMMON_KEYS[1:]:
            if key in options:
                common[key] = options.pop(key)
    elif value is None:
        options = {}
    else:
        options = {"__shorthand__": value}
    return name, options, common, (*loc, name)


def parse_scorer_entries(
    entries: list[dict[str, Any]], smap: SourceMap, loc: tuple[str | int, ...], env: ScorerEnv
) -> list[ScorerSpec]:
    """The valid entries of a scorer list; each mistake is recorded in ``env.problems`` at its line."""
    specs = []
    for index, entry in enumerate(entries):
        spec = env.problems.attempt(functools.partial(_parse_entry, entry, smap, (*loc, index), env))
        if spec is not None:
            specs.append(spec)
    return specs


def _parse_entry(entry: Any, smap: SourceMap, where: tuple[str | int, ...], env: ScorerEnv) -> ScorerSpec:
    if not isinstance(entry, dict):
        raise smap.error("a scorer entry must be a mapping", where, "e.g. '- type: text' with 'contains: dog'")
    name, options, common, opt_loc = _split(entry, smap, where)
    try:
        cls: type[Scorer] = env.host.scorers.get(name)
    except UserError as exc:
        raise smap.error(exc.message, where, exc.hint) from None
    if "__shorthand__" in options:
        if cls.shorthand is None:
            raise smap.error(
                f"scorer '{name}' needs a mapping of options, not a single value",
                opt_loc,
                f"write '{name}: {{...}}' (see docs/scorers.md)",
            )
        options = {cls.shorthand: options.pop("__shorthand__")}
    try:
        parsed = cls.Options.model_validate(options)
    except ValidationError as exc:
        raise UserErrors(to_user_errors(exc, smap, cls.Options, opt_loc)) from None
    weight = common.get("weight", 1.0)
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
        raise smap.error("'weight' must be a number >= 0", (*where, "weight"))
    required = common.get("required", True)
    if not isinstance(required, bool):
        raise smap.error("'required' must be true or false", (*where, "required"))
    scorer = cls(parsed)
    metric = common.get("metric") or scorer.default_metric()
    if not isinstance(metric, str):
        raise smap.error("'metric' must be a name", (*where, "metric"))
    try:
        problems = scorer.check(env.check)
    except UserError as exc:
        problems = [exc.message]
    if problems:
        raise UserErrors([smap.error(f"scorer '{name}': {problem}", where) for problem in problems])
    return ScorerSpec(name, scorer, float(weight), metric, required, smap.file, smap.line(where))
