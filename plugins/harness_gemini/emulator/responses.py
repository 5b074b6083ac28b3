"""The responses file: scripted answers matched on model, prompt regex and/or case, checked by pydantic.

```yaml
emulator: {seed: 7}            # optional EmulatorConfig settings
responses:
  - match: {model: "gemini-2\\.5-.*", prompt: "capital of France", case: paris}
    text: "Paris."
    finish_reason: STOP
    usage: {prompt_tokens: 10, candidates_tokens: 2}
  - match: {prompt: "rate me"}
    error: {code: 429, retry_delay_s: 5}
    times: 2                   # only the first two matching requests
```
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from harness.api import UserError

FinishReason = Literal[
    "STOP",
    "MAX_TOKENS",
    "SAFETY",
    "RECITATION",
    "LANGUAGE",
    "OTHER",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "MALFORMED_FUNCTION_CALL",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Match(_Strict):
    model: str | None = None  # regex, full match against the model name
    prompt: str | None = None  # regex, searched in the last user turn
    case: str | None = None  # exact x-harness-case header value
    trial: str | None = None  # regex, searched in the x-harness-trial header

    @field_validator("model", "prompt", "trial")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


class UsageOverride(_Strict):
    prompt_tokens: int | None = Field(None, ge=0)
    candidates_tokens: int | None = Field(None, ge=0)
    thoughts_tokens: int | None = Field(None, ge=0)


class ErrorSpec(_Strict):
    code: int = Field(..., ge=400, le=599)
    message: str | None = None
    status: str | None = None
    retry_delay_s: float | None = Field(None, ge=0)


class FaultSpec(_Strict):
    latency_ms: float | None = Field(None, ge=0)
    drop: bool = False
    stream_error_after: int | None = Field(None, ge=0)  # chunks sent before the error chunk
    stream_error_code: int = Field(500, ge=400, le=599)


class ResponseEntry(_Strict):
    match: Match = Field(default_factory=Match)
    text: str | None = None
    json_value: Any = Field(None, alias="json")
    finish_reason: FinishReason | None = None
    usage: UsageOverride | None = None
    error: ErrorSpec | None = None
    fault: FaultSpec | None = None
    times: int | None = Field(None, ge=1)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _one_answer(self) -> ResponseEntry:
        if self.text is not None and self.json_value is not None:
            raise ValueError("give either 'text' or 'json', not both")
        return self

    def matches(self, model: str, prompt: str, case: str, trial: str) -> bool:
        m = self.match
        if m.model is not None and not re.fullmatch(m.model, model):
            return False
        if m.prompt is not None and not re.search(m.prompt, prompt):
            return False
        if m.case is not None and m.case != case:
            return False
        return not (m.trial is not None and not re.search(m.trial, trial))


class ResponseBook:
    """Entries in file order; the first matching entry (with uses left) answers."""

    def __init__(self, entries: list[ResponseEntry]) -> None:
        self.entries = entries
        self._used = [0] * len(entries)
        self._lock = threading.Lock()

    def find(self, model: str, prompt: str, case: str, trial: str) -> ResponseEntry | None:
        with self._lock:
            for i, entry in enumerate(self.entries):
                if entry.times is not None and self._used[i] >= entry.times:
                    continue
                if entry.matches(model, prompt, case, trial):
                    self._used[i] += 1
                    return entry
        return None

    @classmethod
    def load(cls, path: str | Path | None) -> ResponseBook:
        if path is None:
            return cls([])
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text) or {}
        except OSError as exc:
            raise UserError(f"cannot read responses file: {exc.strerror}", file=path) from exc
        except yaml.YAMLError as exc:
            raise UserError(f"invalid YAML: {exc}", file=path) from exc
        raw = data.get("responses", []) if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise UserError("'responses' must be a list of entries", file=path, hint="see docs/emulator.md")
        lines = _entry_lines(text)
        entries: list[ResponseEntry] = []
        for i, item in enumerate(raw):
            try:
                entries.append(ResponseEntry.model_validate(item))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise UserError(
                    f"responses[{i}]{'.' + where if where else ''}: {first['msg']}",
                    file=path,
                    line=lines.get(i),
                    hint="entry keys: match, text, json, finish_reason, usage, error, fault, times",
                ) from exc
        return cls(entries)


def _entry_lines(text: str) -> dict[int, int]:
    """Line number (1-based) of each entry of the top-level ``responses`` list."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if getattr(key, "value", None) == "responses" and isinstance(value, yaml.SequenceNode):
            return {i: node.start_mark.line + 1 for i, node in enumerate(value.value)}
    return {}
