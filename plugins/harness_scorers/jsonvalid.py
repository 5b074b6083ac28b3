"""The ``json`` scorer: is the answer valid JSON, does it match a schema, does it hold expected values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal

import jsonschema
from pydantic import ConfigDict, Field, model_validator

from harness.api import CheckContext, MetricKind, Reason, Score, ScoreContext, Scorer, ScorerOptions, UserError
from harness_scorers import schemaconv, schemarefs
from harness_scorers.jsonextract import ExtractError, extract, parse_strict, pointer, resolve, same
from harness_scorers.templated import check_file, is_template, read_file, render

#: How many schema violations the details list.
MAX_ERRORS = 10


class JsonOptions(ScorerOptions):
    extract: bool = False
    """Take JSON from a ```json fenced block or surrounding prose when the answer is not pure JSON."""
    schema_: dict[str, Any] | Literal["from_request"] | None = Field(default=None, alias="schema")
    """An inline JSON Schema (Draft 2020-12), or "from_request" for the trial's own response schema."""
    schema_file: str | None = None
    """A JSON or YAML file holding the schema."""
    expect: dict[str, Any] = Field(default_factory=dict)
    """Expected values at JSON pointers, e.g. {"/city": "Mexico City"}."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _checks(self) -> JsonOptions:
        if self.schema_ is not None and self.schema_file is not None:
            raise ValueError("give 'schema' or 'schema_file', not both")
        if isinstance(self.schema_, dict):
            try:
                jsonschema.Draft202012Validator.check_schema(self.schema_)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"schema is not a valid JSON Schema: {exc.message}") from None
        for ptr in self.expect:
            if ptr and not ptr.startswith("/"):
                raise ValueError(f"expect keys are JSON pointers starting with '/': {ptr!r}")
        return self


def _load_schema_file(path: Path, text: str) -> dict[str, Any]:
    import yaml

    try:
        value = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"schema_file {path.name}: cannot parse: {exc}") from None
    if not isinstance(value, dict):
        raise UserError(f"schema_file {path.name}: a schema must be a mapping")
    try:
        jsonschema.Draft202012Validator.check_schema(value)
    except jsonschema.SchemaError as exc:
        raise UserError(f"schema_file {path.name}: not a valid JSON Schema: {exc.message}") from None
    return value


def _fail(reason: Reason, details: dict[str, Any]) -> Score:
    return Score(value=0.0, passed=False, details={**details, "reason": reason.text}, reason=reason)


class JsonScorer(Scorer):
    metric_kind: ClassVar[MetricKind] = "proportion"  # 1 for valid JSON that meets every expectation, else 0
    name = "json"
    description = "Answer is valid JSON, optionally matching a JSON Schema and expected values"
    Options: ClassVar[type[ScorerOptions]] = JsonOptions

    @property
    def opts(self) -> JsonOptions:
        assert isinstance(self.options, JsonOptions)
        return self.options

    def check(self, ctx: CheckContext) -> list[str]:
        o = self.opts
        problems = check_file("schema_file", o.schema_file, ctx.resolve_path)
        if isinstance(o.schema_, dict):
            problems += [f"schema: {p}" for p in schemarefs.ref_problems(o.schema_, ctx.suite_dir, ctx.resolve_path)]
        elif o.schema_file is not None and not problems and not is_template(o.schema_file):
            path = ctx.resolve_path(o.schema_file)
            try:
                schema = _load_schema_file(path, path.read_text(encoding="utf-8-sig"))
            except (UserError, OSError, UnicodeDecodeError) as exc:
                return [f"schema_file: {exc.message if isinstance(exc, UserError) else exc}"]
            problems += [f"schema_file: {p}" for p in schemarefs.ref_problems(schema, path.parent, ctx.resolve_path)]
        return problems

    def _schema(self, ctx: ScoreContext) -> tuple[dict[str, Any] | None, str | None, Path]:
        """The schema, where it came from, and the folder its relative references resolve against."""
        o = self.opts
        if isinstance(o.schema_, dict):
            return o.schema_, "inline", ctx.suite_dir
        if o.schema_file is not None:
            path, text = read_file(ctx, "schema_file", o.schema_file)
            return _load_schema_file(path, text), path.name, path.parent
        if o.schema_ == "from_request":
            try:
                found = schemaconv.from_config(ctx.config)
            except schemaconv.SchemaConversionError as exc:
                raise UserError(f"json: cannot convert the request's schema: {exc}") from None
            if found is None:
                raise UserError(
                    "json: schema 'from_request' but the trial's config has no response_schema or response_json_schema"
                )
            return found[0], found[1], ctx.suite_dir
        return None, None, ctx.suite_dir

    async def score(self, ctx: ScoreContext) -> Score:
        o = self.opts
        out = ctx.output
        details: dict[str, Any] = {"finish_reason": out.finish_reason}
        if out.finish_reason == "MAX_TOKENS":
            why = Reason(
                measured="finish_reason", expected="STOP", got="MAX_TOKENS", note="truncated at max_output_tokens"
            )
            return _fail(why, details)
        if out.parsed is not None:
            value: Any = out.parsed
            details["source"] = "provider-parsed"
        elif out.text is None:
            return _fail(
                Reason(measured="json", note=f"the answer has no text (finish_reason {out.finish_reason})"), details
            )
        else:
            try:
                if o.extract:
                    value, how = extract(out.text)
                else:
                    value, how = parse_strict(out.text), "whole answer"
            except ExtractError as exc:
                hint = "" if o.extract else " (set extract: true to accept fenced or embedded JSON)"
                return _fail(Reason(measured="json", note=f"not JSON: {exc}{hint}"), details)
            details["source"] = how
        details["value"] = value
        schema, schema_source, base = self._schema(ctx)
        if schema is not None:
            details["schema_source"] = schema_source
            check = schemarefs.validator(schema, base, ctx.resolve_path)
            errors = sorted(schemarefs.errors(check, value), key=lambda e: (len(e.path), list(map(str, e.path))))
            if errors:
                best = jsonschema.exceptions.best_match(errors) or errors[0]
                details["errors"] = [
                    {"path": pointer(e.path), "reason": e.message, "schema_path": pointer(e.schema_path)}
                    for e in errors[:MAX_ERRORS]
                ]
                details["error_count"] = len(errors)
                where = pointer(best.path) or "/"
                return _fail(Reason(measured=where, note=f"schema: {best.message}"), details)
        mismatches = []
        for ptr, expected in o.expect.items():
            wanted = render(ctx, expected) if isinstance(expected, str) and is_template(expected) else expected
            try:
                actual = resolve(value, ptr)
            except KeyError:
                mismatches.append({"path": ptr, "expected": wanted, "reason": "missing"})
                continue
            if not same(wanted, actual):
                mismatches.append({"path": ptr, "expected": wanted, "actual": actual, "reason": "different value"})
        if mismatches:
            details["mismatches"] = mismatches
            first = mismatches[0]
            more = f"and {len(mismatches) - 1} more" if len(mismatches) > 1 else None
            if first["reason"] == "missing":
                note = "missing" + (f"; {more}" if more else "")
                return _fail(Reason(measured=first["path"], expected=first["expected"], note=note), details)
            why = Reason(measured=first["path"], expected=first["expected"], got=first["actual"], note=more)
            return _fail(why, details)
        return Score(value=1.0, passed=True, details=details)
