"""The ``text`` scorer: string checks on the answer (all given checks must hold; each negatable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import re2
from pydantic import Field, field_validator, model_validator

from harness.api import MetricKind, Reason, Score, ScoreContext, Scorer, ScorerOptions, join_reasons, value_text
from harness_scorers.templated import is_template, render

CHECKS = (
    "equals",
    "contains",
    "icontains",
    "regex",
    "starts_with",
    "ends_with",
    "one_of",
    "min_length",
    "max_length",
)


class TextOptions(ScorerOptions):
    equals: str | None = None
    """The whole answer equals this."""
    contains: str | list[str] | None = None
    """The answer contains this (a list: contains every item)."""
    icontains: str | list[str] | None = None
    """As contains, ignoring case."""
    regex: str | None = None
    """A regular expression found anywhere in the answer (use (?i) etc. for flags), matched by RE2 in time linear
    in the answer's length: no backreferences or lookarounds (suites are untrusted; a backtracking engine can take
    hours on a 50-character answer)."""
    starts_with: str | None = None
    """The answer starts with this."""
    ends_with: str | None = None
    """The answer ends with this."""
    one_of: list[str] | None = None
    """The whole answer equals one of these."""
    min_length: int | None = Field(default=None, ge=0)
    """The answer has at least this many characters."""
    max_length: int | None = Field(default=None, ge=0)
    """The answer has at most this many characters."""
    negate: bool = False
    """Each check must NOT hold instead (so: none of them holds)."""
    strip: bool = True
    """Trim surrounding whitespace from the answer before checking."""

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None and not is_template(value):
            compile_regex(value)
        return value

    @model_validator(mode="after")
    def _some_check(self) -> TextOptions:
        if all(getattr(self, name) is None for name in CHECKS):
            raise ValueError(f"give at least one check: {', '.join(CHECKS)}")
        return self


def compile_regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2; ValueError (a validate-time error) for what RE2 does not accept."""
    options = re2.Options()
    options.log_errors = False  # the error is the user's message, not a line on standard error
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(
            f"invalid regular expression ({detail}); the text scorer matches with RE2, in time linear in the "
            "answer's length, which has no backreferences or lookarounds"
        ) from None


def _items(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _contains(needle: str) -> Callable[[str], bool]:
    return lambda text: needle in text


def _icontains(needle: str) -> Callable[[str], bool]:
    folded = needle.casefold()
    return lambda text: folded in text.casefold()


class TextScorer(Scorer):
    metric_kind: ClassVar[MetricKind] = "proportion"  # 1 when the check holds, else 0
    name = "text"
    description = "String checks: equals, contains, icontains, regex, starts_with, ends_with, one_of, lengths"
    Options: ClassVar[type[ScorerOptions]] = TextOptions
    shorthand = "contains"

    @property
    def opts(self) -> TextOptions:
        assert isinstance(self.options, TextOptions)
        return self.options

    def _tests(self, ctx: ScoreContext) -> list[tuple[str, Any, Callable[[str], bool]]]:
        o = self.opts

        def r(value: str) -> str:
            return render(ctx, value)

        tests: list[tuple[str, Any, Callable[[str], bool]]] = []
        if o.equals is not None:
            want = r(o.equals)
            tests.append(("equals", want, lambda t: t == want))
        if o.contains is not None:
            for item in map(r, _items(o.contains)):
                tests.append(("contains", item, _contains(item)))
        if o.icontains is not None:
            for item in map(r, _items(o.icontains)):
                tests.append(("icontains", item, _icontains(item)))
        if o.regex is not None:
            pattern = compile_regex(r(o.regex))
            tests.append(("regex", pattern.pattern, lambda t: pattern.search(t) is not None))
        if o.starts_with is not None:
            prefix = r(o.starts_with)
            tests.append(("starts_with", prefix, lambda t: t.startswith(prefix)))
        if o.ends_with is not None:
            suffix = r(o.ends_with)
            tests.append(("ends_with", suffix, lambda t: t.endswith(suffix)))
        if o.one_of is not None:
            options = [r(v) for v in o.one_of]
            tests.append(("one_of", options, lambda t: t in options))
        if o.min_length is not None:
            low = o.min_length
            tests.append(("min_length", low, lambda t: len(t) >= low))
        if o.max_length is not None:
            high = o.max_length
            tests.append(("max_length", high, lambda t: len(t) <= high))
        return tests

    async def score(self, ctx: ScoreContext) -> Score:
        o = self.opts
        text = ctx.output.text or ""
        if o.strip:
            text = text.strip()
        checks = []
        failed: list[Reason] = []
        for check, expected, test in self._tests(ctx):
            held = test(text)
            ok = held != o.negate
            name = ("not " if o.negate else "") + check
            checks.append({"check": name, "expected": expected, "passed": ok})
            if not ok:
                failed.append(_reason(name, expected, text, o.negate))
        details: dict[str, Any] = {"checks": checks, "length": len(text)}
        note = None
        if ctx.output.text is None:
            note = f"the answer had no text (finish_reason {ctx.output.finish_reason})"
            details["no_text"] = note
        reason = join_reasons(failed)
        if reason is not None:
            if note:
                reason = Reason(**reason.model_dump(exclude={"text", "note"}), note=note)
            details["reason"] = reason.text
        passed = not failed
        return Score(value=1.0 if passed else 0.0, passed=passed, details=details, reason=reason)


def _reason(check: str, expected: Any, text: str, negate: bool) -> Reason:
    """``contains: expected "dog", got "the cat"``; ``length 3 < min 10``; a negated check says what it found."""
    if check.endswith("min_length"):
        return Reason(measured="length", got=len(text), op="<", limit="min", expected=expected)
    if check.endswith("max_length"):
        return Reason(measured="length", got=len(text), op=">", limit="max", expected=expected)
    if negate:
        return Reason(measured=check, got=text, note=f"found {value_text(expected)}")
    return Reason(measured=check, expected=expected, got=text)
