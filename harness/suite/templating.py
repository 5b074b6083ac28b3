"""Prompt templates: a bounded, immutable Jinja2 sandbox (``harness.suite.sandbox``) with StrictUndefined,
plus filters for prompt authors.

Literal braces: write ``{{ '{{' }}`` for one ``{{``, or wrap a block in ``{% raw %}...{% endraw %}``
(handy for JSON examples in prompts).
"""

from __future__ import annotations

import json
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError

from harness.api.timestamps import mmss, seconds
from harness.suite.sandbox import BoundedSandbox, Budget, BudgetExceeded, render_bounded


class TemplateError(Exception):
    """A template failed to compile or render; ``line`` is the line inside the template."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _to_json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=indent is not None)


def _bullets(values: Any, marker: str = "-") -> str:
    return "\n".join(f"{marker} {v}" for v in values)


def make_environment() -> BoundedSandbox:
    env = BoundedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update({"mmss": mmss, "seconds": seconds, "tojson": _to_json, "bullets": _bullets})
    env.guard_filters()
    return env


_ENV = make_environment()


def _line_of(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class Template:
    """A compiled template; render() is deterministic for the same variables."""

    def __init__(self, source: str) -> None:
        self.source = source
        try:
            self._template = _ENV.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"template syntax error: {exc.message}", exc.lineno) from None

    def render(self, variables: dict[str, Any], budget: Budget | None = None) -> str:
        """Render under ``budget`` (the sandbox's default limits when None)."""
        try:
            return render_bounded(lambda: self._template.generate(variables), budget)
        except BudgetExceeded as exc:
            raise TemplateError(f"refused by the template sandbox: {exc}", _line_of(exc)) from None
        except RecursionError as exc:
            message = "template error: nested too deep (a macro or a loop that calls itself?)"
            raise TemplateError(message, _line_of(exc)) from None
        except MemoryError as exc:
            raise TemplateError("template error: out of memory", _line_of(exc)) from None
        except jinja2.UndefinedError as exc:
            known = ", ".join(sorted(variables)) or "none"
            raise TemplateError(f"{exc.message} (variables: {known})", _line_of(exc)) from None
        except SecurityError as exc:
            raise TemplateError(f"refused by the template sandbox: {exc}", _line_of(exc)) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(f"template error: {exc}", _line_of(exc)) from None
        except (ValueError, TypeError, ArithmeticError, LookupError, AttributeError) as exc:
            raise TemplateError(f"template error: {exc}", _line_of(exc)) from None


def render_string(source: str, variables: dict[str, Any]) -> str:
    """Render a one-off template string (used for scorer options that contain ``{{``)."""
    if "{" not in source:
        return source
    return Template(source).render(variables)
