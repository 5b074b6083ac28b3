"""The ``python`` scorer: a user function ``path/to/file.py:fn`` judges the answer (opt-in only).

Suites arrive in pull requests, so running their code needs the user's explicit ``--allow-python``.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, field_validator

from harness.api import CheckContext, MetricKind, Reason, Score, ScoreContext, Scorer, ScorerOptions, UserError

OPT_IN_HINT = "python scorers run code from the suite: pass --allow-python to allow them"


class PythonOptions(ScorerOptions):
    function: str
    """"path/to/file.py:function", relative to the suite's folder."""
    threshold: float = 0.5
    """Pass when a returned number (or a dict without 'passed') is at least this."""
    args: dict[str, Any] = Field(default_factory=dict)
    """Extra values handed to the function as answer["args"]."""

    @field_validator("function")
    @classmethod
    def _shape(cls, value: str) -> str:
        path, sep, name = value.rpartition(":")
        if not sep or not path.endswith(".py") or not name.isidentifier():
            raise ValueError("write 'function: path/to/file.py:function_name'")
        return value


def _split(function: str) -> tuple[str, str]:
    path, _, name = function.rpartition(":")
    return path, name


def load_function(path: Path, name: str) -> Callable[..., Any]:
    """Import ``path`` as a fresh module (re-read when it changed) and return ``name`` from it."""
    module_name = f"harness_scorer_{abs(hash((str(path), path.stat().st_mtime_ns)))}"
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise UserError(f"python: cannot load {path.name}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[module_name] = module
    function = getattr(module, name, None)
    if not callable(function):
        raise UserError(f"python: {path.name} has no function '{name}'")
    return function


def answer_view(ctx: ScoreContext, args: dict[str, Any]) -> dict[str, Any]:
    """The plain dict a user function receives."""
    out = ctx.output
    return {
        "text": out.text,
        "parsed": out.parsed,
        "finish_reason": out.finish_reason,
        "usage": out.usage.model_dump(),
        "latency_ms": out.latency_ms,
        "vars": dict(ctx.vars),
        "case_id": ctx.case_id,
        "prompt_id": ctx.prompt_id,
        "prompt": ctx.prompt,
        "model": ctx.model,
        "config": dict(ctx.config),
        "turn": ctx.turn,
        "args": dict(args),
    }


def to_score(result: Any, threshold: float) -> Score:
    """bool -> 1/0; number -> value vs threshold; dict(value, passed, details, reason)."""
    if isinstance(result, bool):
        return Score(value=1.0 if result else 0.0, passed=result)
    if isinstance(result, (int, float)):
        number = float(result)
        why = Reason(measured="python", got=number, op="<", limit="threshold", expected=threshold)
        return Score(value=number, passed=number >= threshold, reason=None if number >= threshold else why)
    if isinstance(result, dict):
        unknown = set(result) - {"value", "passed", "details", "reason"}
        if unknown:
            raise TypeError(f"python scorer returned unknown keys: {', '.join(sorted(unknown))}")
        raw_value = result.get("value")
        if raw_value is not None and (isinstance(raw_value, bool) or not isinstance(raw_value, (int, float))):
            raise TypeError("python scorer 'value' must be a number")
        value = None if raw_value is None else float(raw_value)
        passed = result.get("passed")
        if passed is None:
            passed = value is not None and value >= threshold
        details = result.get("details") or {}
        if not isinstance(details, dict):
            raise TypeError("python scorer 'details' must be a dict")
        said = result.get("reason")
        if said is not None and not isinstance(said, str):
            raise TypeError("python scorer 'reason' must be a string")
        reason = None
        if not passed:
            if said:
                reason = Reason(measured="python", got=value, note=said)
            elif value is not None and result.get("passed") is None:
                reason = Reason(measured="python", got=value, op="<", limit="threshold", expected=threshold)
        return Score(value=value, passed=bool(passed), details=details, reason=reason)
    raise TypeError(f"python scorer must return bool, a number or a dict, not {type(result).__name__}")


class PythonScorer(Scorer):
    #: The function may return any number: continuous is the kind that assumes nothing of it.
    metric_kind: ClassVar[MetricKind] = "continuous"
    name = "python"
    description = "A Python function from the suite's folder judges the answer (needs --allow-python)"
    Options: ClassVar[type[ScorerOptions]] = PythonOptions
    shorthand = "function"

    @property
    def opts(self) -> PythonOptions:
        assert isinstance(self.options, PythonOptions)
        return self.options

    def check(self, ctx: CheckContext) -> list[str]:
        if not ctx.allow_python:
            return [OPT_IN_HINT]
        path, _ = _split(self.opts.function)
        try:
            resolved = ctx.resolve_path(path)
        except UserError as exc:
            return [f"function: {exc.message}"]
        return [] if resolved.is_file() else [f"function: file not found: {path}"]

    async def score(self, ctx: ScoreContext) -> Score:
        if not ctx.allow_python:
            raise UserError(OPT_IN_HINT)
        path, name = _split(self.opts.function)
        function = load_function(ctx.resolve_path(path), name)
        result = function(answer_view(ctx, self.opts.args))
        if inspect.isawaitable(result):
            result = await result
        score = to_score(result, self.opts.threshold)
        score.details = {"function": self.opts.function, **score.details}
        return score
