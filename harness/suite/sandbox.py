"""A bounded, immutable Jinja sandbox: suites are untrusted, so a template may not exhaust the machine.

Jinja's ``ImmutableSandboxedEnvironment`` already refuses private attributes and methods that change lists,
dicts and sets (a template cannot ``config.update(...)`` the trial's config). This module adds what it lacks:
every render runs under a :class:`Budget`:

- no single value, no rendered text and no block's text (a macro's body, ``{% set %}...{% endset %}``,
  ``{% filter %}``, measured before it is joined) longer than ``max_chars`` characters (strings count their
  characters, containers the sum of what they hold, so ``[big] * 1000`` counts a thousand ``big``);
- at most ``max_total`` characters created over the whole render (values are counted when an operator,
  a call, a filter or a ``~`` makes them, so a loop that builds and drops big strings still runs out);
- at most ``max_iterations`` loop iterations, over every ``{% for %}`` of the render;
- at most ``max_seconds`` of wall time, checked at every operator, call, filter and iteration.

Operations that could allocate far more than their inputs in one step (``'a' * n``, ``n ** m``,
``'x'.ljust(n)``, ``sep.join(items)``, ``s.replace(a, b)``, ``'%*d'``, the ``center``/``indent``/``join``/
``batch`` filters, ...) are refused *before* they run when their result would break the budget. ``lipsum``
is not available, and ``range`` is Jinja's safe range (at most 100,000 items).
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

#: Defaults of the budget (docs/security.md lists them).
MAX_CHARS = 10_000_000
MAX_TOTAL = 50_000_000
MAX_ITERATIONS = 100_000
MAX_SECONDS = 2.0


class BudgetExceeded(SecurityError):
    """A render went past one of its limits."""


@dataclass
class Budget:
    """The limits of one render and what it has used so far."""

    max_chars: int = MAX_CHARS
    max_total: int = MAX_TOTAL
    max_iterations: int = MAX_ITERATIONS
    max_seconds: float = MAX_SECONDS
    created: int = 0
    iterations: int = 0
    deadline: float = field(default=0.0)

    def start(self) -> Budget:
        self.created = self.iterations = 0
        self.deadline = time.monotonic() + self.max_seconds
        return self

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"the template ran for more than {self.max_seconds:g} s")

    def admit(self, size: int, what: str) -> None:
        """Count a value of ``size`` characters about to exist; refuse it when it breaks a limit."""
        self.tick()
        if size > self.max_chars:
            raise BudgetExceeded(f"{what} would be {size:,} characters (the limit is {self.max_chars:,})")
        self.created += size
        if self.created > self.max_total:
            raise BudgetExceeded(f"the template created more than {self.max_total:,} characters of values (at {what})")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > self.max_iterations:
            raise BudgetExceeded(f"the template's loops ran more than {self.max_iterations:,} iterations")
        if self.iterations % 256 == 0:
            self.tick()


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("harness_template_budget", default=None)


def current() -> Budget:
    budget = _CURRENT.get()
    if budget is None:  # a render outside render_bounded (e.g. a plugin using the environment): fresh limits
        budget = Budget().start()
        _CURRENT.set(budget)
    return budget


def weight(value: Any, limit: int) -> int:
    """The characters ``value`` stands for (strings: their length; containers: what they hold, each
    reference counted), counted up to just past ``limit`` and no further (so counting is cheap)."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes, bytearray)):
            total += len(item)
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            total += 1
        elif isinstance(item, int):
            total += max(1, item.bit_length() // 3)
        elif isinstance(item, dict):
            total += 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 1
            stack.extend(item)
        else:
            total += 1
        if total > limit:
            return total
    return total


def _checked(value: Any, what: str) -> Any:
    budget = current()
    budget.admit(weight(value, budget.max_chars), what)
    return value


# Sizes known before an operation runs --------------------------------------------------------------------

#: A width or precision in a %-format (``%10s``, ``%.5f``, ``%*d``) or a {}-format spec (``{:>10}``).
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_FIELD = re.compile(r"\{[^{}]*\}")
_DIGITS = re.compile(r"\d+")


def _format_size(fmt: str, args: Iterable[Any], limit: int) -> int:
    """An upper bound of ``fmt % args`` or ``fmt.format(*args)``: the format, plus each field as wide as its
    widest width or argument (``*`` widths come from the arguments, so they count as their values)."""
    values = list(args)
    widest = max((weight(v, limit) for v in values), default=0)
    numbers = [int(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]
    fields = 0
    widths = 0
    for match in _PERCENT_SPEC.finditer(fmt):
        fields += 1
        for part in match.groups():
            if part == "*":
                widths += max(numbers, default=0)
            elif part:
                widths += int(part)
    for match in _BRACE_FIELD.finditer(fmt):
        fields += 1
        spec = match.group(0).partition(":")[2]
        widths += sum(int(d) for d in _DIGITS.findall(spec))
    return len(fmt) + fields * widest + widths


def _int_bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) else 64


def _binop_size(operator: str, left: Any, right: Any, limit: int) -> int | None:
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(count, int) and isinstance(seq, (str, bytes, list, tuple)):
                return weight(seq, limit) * max(0, count)
        if isinstance(left, int) and isinstance(right, int):
            return (_int_bits(left) + _int_bits(right)) // 3
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        return (_int_bits(left) * right) // 3
    if operator == "%" and isinstance(left, (str, bytes)):
        args = right if isinstance(right, tuple) else (right,)
        return _format_size(left if isinstance(left, str) else left.decode("latin-1"), args, limit)
    return None


def _int_arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str, default: int = 0) -> int:
    value = kwargs.get(name, args[index] if len(args) > index else default)
    return value if isinstance(value, int) else len(value) if isinstance(value, str) else default


def _str_method_size(obj: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int | None:
    """An upper bound of ``obj.name(*args)`` for the str/bytes/int methods whose result can outgrow their input."""
    if isinstance(obj, int) and name == "to_bytes":
        return _int_arg(args, kwargs, 0, "length", 1)
    if not isinstance(obj, (str, bytes)):
        return None
    size = len(obj)
    if name in ("center", "ljust", "rjust", "zfill"):
        return max(size, _int_arg(args, kwargs, 0, "width"))
    if name == "expandtabs":
        tabs = obj.count("\t") if isinstance(obj, str) else obj.count(b"\t")
        return size + tabs * _int_arg(args, kwargs, 0, "tabsize", 8)
    if name == "join" and args:
        return size * len(args[0]) + weight(args[0], limit)
    if name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        count = obj.count(old) if old else size + 1
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            count = min(count, args[2])
        return size + count * max(0, len(new) - len(old))
    if name == "translate" and args and isinstance(args[0], dict):
        widest = max((weight(v, limit) for v in args[0].values()), default=1)
        return size * max(1, widest)
    if name in ("format", "format_map"):
        values = [*args, *kwargs.values()]
        if name == "format_map" and args and isinstance(args[0], dict):
            values = list(args[0].values())
        return _format_size(obj if isinstance(obj, str) else obj.decode("latin-1"), values, limit)
    return None


def _filter_size(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int) -> int | None:
    """An upper bound of the result of the built-in filters that can outgrow their input."""
    if not args:
        return None
    value, rest = args[0], args[1:]
    size = weight(value, limit)
    if name == "center":
        return max(size, _int_arg(rest, kwargs, 0, "width", 80))
    if name == "indent":
        lines = str(value).count("\n") + 1 if isinstance(value, str) else 1
        return size + lines * _int_arg(rest, kwargs, 0, "width", 4)
    if name == "wordwrap":
        width = max(1, _int_arg(rest, kwargs, 0, "width", 79))
        wrap = kwargs.get("wrapstring", rest[2] if len(rest) > 2 else "\n")
        return size + (size // width + 1) * len(str(wrap or "\n"))
    if name in ("join", "bullets"):
        sep = kwargs.get("d", kwargs.get("marker", rest[0] if rest else ""))
        count = len(value) if hasattr(value, "__len__") else size
        return size + count * (len(str(sep)) + 2)
    if name == "replace" and len(rest) >= 2 and isinstance(value, str):
        return _str_method_size(value, "replace", tuple(str(a) for a in rest[:2]), {}, limit)
    if name == "format" and isinstance(value, str):
        return _format_size(value, [*rest, *kwargs.values()], limit)
    if name in ("batch", "slice"):
        count = _int_arg(rest, kwargs, 0, "linecount" if name == "batch" else "slices")
        fill = kwargs.get("fill_with", rest[1] if len(rest) > 1 else None)
        return size + (count * (weight(fill, limit) + 1) if fill is not None else count)
    if name == "sum":
        start = kwargs.get("start", rest[1] if len(rest) > 1 else 0)
        return size if isinstance(start, (list, tuple, str)) else None
    if name == "tojson":
        indent = _int_arg(rest, kwargs, 0, "indent")
        return size * (2 + min(indent, limit))
    return None


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    #: @pass_context / @pass_eval_context / @pass_environment filters get that object first, then the value.
    skip = 1 if hasattr(func, "jinja_pass_arg") else 0

    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = current()
        projected = _filter_size(name, args[skip:], kwargs, budget.max_chars)
        if projected is not None:
            budget.admit(projected, f"the filter '{name}'")
            return func(*args, **kwargs)
        return _checked(func(*args, **kwargs), f"the filter '{name}'")

    guarded.__name__ = getattr(func, "__name__", name)
    guarded.__wrapped__ = func  # type: ignore[attr-defined]
    if skip:
        guarded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


class _BoundedNamespace(Namespace):
    """``namespace()`` whose attributes are counted when set (``{% set ns.x = ns.x ~ ns.x %}`` in a loop)."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, _checked(value, f"namespace attribute '{key}'"))


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles every ``{% for %}`` to iterate through the budget, and every ``~`` to be counted."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if not getattr(node, "_harness_bounded", False):
            node.iter = nodes.Call(nodes.EnvironmentAttribute("bounded_iter"), [node.iter], [], None, None)
            node._harness_bounded = True  # type: ignore[attr-defined]
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.counted(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with budgets on size, loops and time (see the module docstring)."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)
        self.globals["namespace"] = _BoundedNamespace

    def guard_filters(self) -> None:
        """Wrap every filter (call once the filters are registered)."""
        self.filters = {name: _guard_filter(name, func) for name, func in self.filters.items()}

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = current()
        projected = _binop_size(operator, left, right, budget.max_chars)
        if projected is not None:
            budget.admit(projected, f"'{operator}'")
            return super().call_binop(context, operator, left, right)
        return _checked(super().call_binop(context, operator, left, right), f"'{operator}'")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = current()
        # The sandbox hands out str.format as a wrapper of the bound method: look through it.
        bound = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(bound, "__self__", None)
        name = getattr(bound, "__name__", "")
        if owner is not None and name == "join" and args and not isinstance(args[0], (list, tuple)):
            args = (list(args[0]), *args[1:])  # measured before joining; a generator would be used up
        projected = _str_method_size(owner, name, args, kwargs, budget.max_chars) if owner is not None else None
        what = f"'{name or type(__obj).__name__}()'"
        if projected is not None:
            budget.admit(projected, what)
            return super().call(__context, __obj, *args, **kwargs)
        return _checked(super().call(__context, __obj, *args, **kwargs), what)

    @staticmethod
    def concat(parts: Iterable[Any]) -> str:
        """Joins every buffer the compiled template builds (a macro's body, ``{% set %}...{% endset %}``,
        ``{% filter %}``): measured before it is joined, so a loop writing one big value many times into a
        buffer is refused instead of allocated."""
        pieces = list(parts)
        current().admit(sum(len(piece) for piece in pieces), "a block's text")
        return "".join(pieces)

    def bounded_iter(self, iterable: Any) -> Iterator[Any]:
        budget = current()
        for item in iterable:
            budget.iterate()
            yield item

    def counted(self, value: Any) -> Any:
        return _checked(value, "'~'")


def render_bounded(chunks: Callable[[], Iterator[str]], budget: Budget | None = None) -> str:
    """Join a template's output under ``budget`` (fresh defaults when None), refusing it past ``max_chars``."""
    budget = (budget or Budget()).start()
    token = _CURRENT.set(budget)
    try:
        out: list[str] = []
        size = 0
        for chunk in chunks():
            size += len(chunk)
            if size > budget.max_chars:
                raise BudgetExceeded(f"the rendered text is longer than {budget.max_chars:,} characters")
            budget.tick()
            out.append(chunk)
        return "".join(out)
    finally:
        _CURRENT.reset(token)
