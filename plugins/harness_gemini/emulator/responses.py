"""The responses file: scripted answers matched on the trial's labels (case, prompt id, config id,
repeat, trial), the model, the prompt or system text, and the media, checked by pydantic.

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

import fnmatch
import re
import threading
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from harness.api import UserError
from harness_gemini.emulator.request import GenRequest

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
    """Every given field must fit. Ids are globs (``jfk-*``; a plain id matches itself exactly)."""

    model: str | None = None  # regex, full match against the model name
    prompt: str | None = None  # regex, searched in the last user turn
    system: str | None = None  # regex, searched in the system instruction
    case: str | None = None  # glob over the case id
    prompt_id: str | None = None  # glob over the suite's prompt id
    config: str | None = None  # glob over the config id ("default" when the suite has no configs)
    repeat: int | list[int] | None = None  # repeat index (0-based), or any of a list
    media: str | None = None  # glob over a media file name or path, or a sha256 (or its first 8+ hex)
    trial: str | None = None  # regex, searched in the trial id and in "case/prompt/model/config#repeat"

    @field_validator("model", "prompt", "system", "trial")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from exc
        return value

    def fits(self, req: GenRequest) -> bool:
        if self.model is not None and not re.fullmatch(self.model, req.model):
            return False
        if self.prompt is not None and not re.search(self.prompt, req.prompt):
            return False
        if self.system is not None and not re.search(self.system, req.system):
            return False
        for pattern, value in ((self.case, req.case_id), (self.prompt_id, req.prompt_id), (self.config, req.config_id)):
            if pattern is not None and not fnmatch.fnmatchcase(value, pattern):
                return False
        if self.repeat is not None:
            wanted = self.repeat if isinstance(self.repeat, list) else [self.repeat]
            if req.repeat not in wanted:
                return False
        if self.media is not None and not _media_fits(self.media, req):
            return False
        return self.trial is None or any(re.search(self.trial, t) for t in (req.trial_id, trial_key(req)))


def trial_key(req: GenRequest) -> str:
    """The readable identity of the trial behind a request, as the report shows it."""
    repeat = "" if req.repeat is None else str(req.repeat)
    return f"{req.case_id}/{req.prompt_id}/{req.model}/{req.config_id}#{repeat}"


def _media_fits(pattern: str, req: GenRequest) -> bool:
    lowered = pattern.lower()
    if re.fullmatch(r"[0-9a-f]{8,64}", lowered) and any(m.sha256.startswith(lowered) for m in req.media):
        return True
    for name in req.media_names:
        if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(PurePosixPath(name).name, pattern):
            return True
    return False


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

    def matches(self, req: GenRequest) -> bool:
        return self.match.fits(req)


class ResponseBook:
    """Entries in file order; the first matching entry (with uses left) answers."""

    def __init__(self, entries: list[ResponseEntry]) -> None:
        self.entries = entries
        self._used = [0] * len(entries)
        self._lock = threading.Lock()

    def find(self, req: GenRequest) -> ResponseEntry | None:
        with self._lock:
            for i, entry in enumerate(self.entries):
                if entry.times is not None and self._used[i] >= entry.times:
                    continue
                if entry.matches(req):
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
                    hint="entry keys: match, text, json, finish_reason, usage, error, fault, times; "
                    "match keys: model, prompt, system, case, prompt_id, config, repeat, media, trial",
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
