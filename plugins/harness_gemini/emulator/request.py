"""Parse a GenerateContentRequest the way Google does: camelCase or snake_case, either base64 alphabet."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from harness_gemini.emulator.wire_errors import WireError, invalid_argument
from harness_gemini.schema_refs import SCHEMA_REFS, foreign_refs

if TYPE_CHECKING:
    from harness_gemini.emulator.readable import Facts

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def pick(obj: dict[str, Any], camel: str, default: Any = None) -> Any:
    """``obj[camel]`` or ``obj[snake_case(camel)]``."""
    if camel in obj:
        return obj[camel]
    return obj.get(snake(camel), default)


def decode_b64(text: str, where: str) -> bytes:
    """Decode standard or URL-safe base64, padded or not."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        shown = text[:40] + ("..." if len(text) > 40 else "")
        raise invalid_argument(
            f"Invalid value at '{where}' (TYPE_BYTES), Base64 decoding failed for \"{shown}\""
        ) from exc


@dataclass(frozen=True)
class Clip:
    """A part's videoMetadata: offsets in seconds and the frame rate to sample."""

    start_s: float | None = None
    end_s: float | None = None
    fps: float | None = None


@dataclass
class Media:
    mime_type: str
    data: bytes
    sha256: str
    source: str  # "inline" or "file"
    clip: Clip | None = None
    #: What readable.py read from a video or PDF (set before usage and answers are computed).
    facts: Facts | None = None


@dataclass
class GenRequest:
    model: str
    version: str
    turns: list[tuple[str, str]] = field(default_factory=list)
    system: str = ""
    media: list[Media] = field(default_factory=list)
    max_output_tokens: int | None = None
    stop_sequences: list[str] = field(default_factory=list)
    response_mime_type: str = ""
    response_schema: Any = None
    response_json_schema: Any = None
    thinking_budget: int | None = None
    thinking_level: str | None = None
    include_thoughts: bool = False
    case_id: str = ""
    trial_id: str = ""
    #: What the harness says about the trial (x-harness-* headers; empty when another client calls).
    prompt_id: str = ""
    config_id: str = ""
    repeat: int | None = None
    media_names: list[str] = field(default_factory=list)
    temperature: float | None = None
    seed: int | None = None
    #: generationConfig.mediaResolution, e.g. MEDIA_RESOLUTION_LOW; None when unset or unspecified.
    media_resolution: str | None = None

    @property
    def prompt(self) -> str:
        """Text of the last user turn (what the responses file and the answer rules look at)."""
        for role, text in reversed(self.turns):
            if role == "user":
                return text
        return ""

    @property
    def all_text(self) -> str:
        return "\n".join([self.system, *(text for _, text in self.turns)])

    @property
    def wants_thoughts(self) -> bool:
        if self.thinking_level:
            return True
        return self.thinking_budget is not None and self.thinking_budget != 0


FileResolver = Callable[[str], tuple[str, bytes]]


def _parts(parts: Any, where: str, resolve: FileResolver, media: list[Media]) -> str:
    if not isinstance(parts, list):
        raise invalid_argument(f"Invalid value at '{where}' (type.googleapis.com/google.ai.Part), expected list")
    texts: list[str] = []
    for i, part in enumerate(parts):
        at = f"{where}[{i}]"
        if not isinstance(part, dict):
            raise invalid_argument(f"Invalid value at '{at}', expected an object")
        if part.get("thought") is True:
            continue
        inline = pick(part, "inlineData")
        file_data = pick(part, "fileData")
        if isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif isinstance(inline, dict):
            mime = str(pick(inline, "mimeType", "") or "")
            data = decode_b64(str(inline.get("data", "")), f"{snake(at)}.inline_data.data")
            if not mime:
                raise invalid_argument(f"* GenerateContentRequest.{at}.inline_data.mime_type: required")
            clip = _clip(pick(part, "videoMetadata"), at)
            media.append(Media(mime, data, hashlib.sha256(data).hexdigest(), "inline", clip))
        elif isinstance(file_data, dict):
            uri = str(pick(file_data, "fileUri", "") or "")
            mime, data = resolve(uri)
            mime = str(pick(file_data, "mimeType", "") or mime)
            clip = _clip(pick(part, "videoMetadata"), at)
            media.append(Media(mime, data, hashlib.sha256(data).hexdigest(), "file", clip))
        elif any(pick(part, k) is not None for k in ("functionCall", "functionResponse", "executableCode")):
            continue
        else:
            raise invalid_argument(
                f"* GenerateContentRequest.{at}.data: required oneof field 'data' must have one initialized field"
            )
    return "\n".join(texts)


_DURATION = re.compile(r"^(\d+(?:\.\d{1,9})?)s$")


def _duration(value: Any, where: str) -> float | None:
    """A protobuf Duration in JSON ("75s", "1.5s"); 400 INVALID_ARGUMENT for anything else."""
    if value is None:
        return None
    match = _DURATION.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise invalid_argument(
            f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.Duration), {json.dumps(value)}"
        )
    return float(match.group(1))


def _clip(meta: Any, at: str) -> Clip | None:
    """A part's videoMetadata (camelCase or snake_case) as a Clip; None when absent."""
    if meta is None:
        return None
    where = f"{snake(at)}.video_metadata"
    if not isinstance(meta, dict):
        raise invalid_argument(f"Invalid value at '{where}' (type.googleapis.com/google.ai.VideoMetadata)")
    start = _duration(pick(meta, "startOffset"), f"{where}.start_offset")
    end = _duration(pick(meta, "endOffset"), f"{where}.end_offset")
    fps = pick(meta, "fps")
    if fps is not None and (isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 24):
        raise invalid_argument(f"* GenerateContentRequest.{where}.fps: fps must be in the range (0, 24]")
    if start is not None and end is not None and end <= start:
        raise invalid_argument(f"* GenerateContentRequest.{where}: end_offset must be after start_offset")
    return Clip(start, end, float(fps) if fps is not None else None)


def parse_contents(body: dict[str, Any], resolve: FileResolver, media: list[Media]) -> list[tuple[str, str]]:
    contents = body.get("contents")
    if not contents:
        raise invalid_argument("* GenerateContentRequest.contents: contents is not specified\n")
    if not isinstance(contents, list):
        raise invalid_argument("Invalid value at 'contents', expected a list of Content")
    turns: list[tuple[str, str]] = []
    for i, content in enumerate(contents):
        if not isinstance(content, dict):
            raise invalid_argument(f"Invalid value at 'contents[{i}]', expected a Content object")
        role = str(content.get("role") or "user")
        if role not in ("user", "model", "function"):
            raise invalid_argument(f"Please use a valid role: user, model. (got '{role}')")
        text = _parts(content.get("parts", []), f"contents[{i}].parts", resolve, media)
        turns.append((role, text))
    return turns


def parse_generate(body: Any, model: str, version: str, resolve: FileResolver, headers: dict[str, str]) -> GenRequest:
    if not isinstance(body, dict):
        raise invalid_argument("Invalid JSON payload received. Expected an object.")
    req = GenRequest(model=model, version=version)
    read_labels(req, headers)
    req.turns = parse_contents(body, resolve, req.media)
    system = pick(body, "systemInstruction")
    if isinstance(system, dict):
        req.system = _parts(system.get("parts", []), "system_instruction.parts", resolve, req.media)
    elif isinstance(system, str):
        req.system = system
    config = pick(body, "generationConfig") or {}
    if not isinstance(config, dict):
        raise invalid_argument("Invalid value at 'generation_config', expected a GenerationConfig object")
    _apply_config(req, config)
    return req


def read_labels(req: GenRequest, headers: dict[str, str]) -> None:
    """The trial's labels from the x-harness-* headers the harness sends to a local emulator."""
    req.case_id = unquote(headers.get("x-harness-case", ""))
    req.trial_id = unquote(headers.get("x-harness-trial", ""))
    req.prompt_id = unquote(headers.get("x-harness-prompt", ""))
    req.config_id = unquote(headers.get("x-harness-config", ""))
    repeat = headers.get("x-harness-repeat", "")
    req.repeat = int(repeat) if repeat.isdigit() else None
    names = headers.get("x-harness-media", "")
    req.media_names = [unquote(n) for n in names.split(",")] if names else []


def _apply_config(req: GenRequest, config: dict[str, Any]) -> None:
    max_out = pick(config, "maxOutputTokens")
    if max_out is not None:
        try:
            req.max_output_tokens = int(max_out)
        except (TypeError, ValueError) as exc:
            raise invalid_argument(
                f"Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), \"{max_out}\""
            ) from exc
        if req.max_output_tokens <= 0:
            req.max_output_tokens = None
    temperature, seed = pick(config, "temperature"), pick(config, "seed")
    req.temperature = float(temperature) if isinstance(temperature, (int, float)) else None
    req.seed = int(seed) if isinstance(seed, int) else None
    stops = pick(config, "stopSequences") or []
    if not isinstance(stops, list) or len(stops) > 5:
        raise invalid_argument("* GenerateContentRequest.generation_config.stop_sequences: at most 5 allowed\n")
    req.stop_sequences = [str(s) for s in stops if s]
    resolution = str(pick(config, "mediaResolution", "") or "").upper()
    req.media_resolution = resolution if resolution not in ("", "MEDIA_RESOLUTION_UNSPECIFIED") else None
    req.response_mime_type = str(pick(config, "responseMimeType", "") or "")
    req.response_schema = pick(config, "responseSchema")
    req.response_json_schema = pick(config, "responseJsonSchema")
    if (req.response_schema is not None or req.response_json_schema is not None) and req.response_mime_type not in (
        "application/json",
        "text/x.enum",
    ):
        raise invalid_argument(
            "* GenerateContentRequest.generation_config.response_mime_type: "
            "response_mime_type must be one of [application/json, text/x.enum] when response_schema is set.\n"
        )
    for ref in foreign_refs(req.response_schema, SCHEMA_REFS) + foreign_refs(req.response_json_schema):
        raise invalid_argument(
            f"* GenerateContentRequest.generation_config.response_schema: $ref '{ref}' is not supported: "
            "only references to definitions inside the schema (#/$defs/...) are.\n"
        )
    thinking = pick(config, "thinkingConfig") or {}
    if isinstance(thinking, dict):
        budget = pick(thinking, "thinkingBudget")
        req.thinking_budget = int(budget) if budget is not None else None
        level = pick(thinking, "thinkingLevel")
        req.thinking_level = str(level) if level else None
        req.include_thoughts = bool(pick(thinking, "includeThoughts", False))


def file_id_from_uri(uri: str) -> str:
    """``https://host/v1beta/files/abc`` or ``files/abc`` -> ``abc``."""
    match = re.search(r"(?:^|/)files/([A-Za-z0-9_-]+)", uri)
    if not match:
        raise WireError(400, f"Invalid file URI: {uri}")
    return match.group(1)
