"""Helpers for the gemini provider tests: real recorded traffic, a replaying HTTP server, clips."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from harness.api.provider import MediaRef, Message, Part, ProviderRequest, ProviderSettings
from harness_gemini.provider import GeminiProvider

ROOT = Path(__file__).resolve().parents[2]
WIRE = ROOT / "tests" / "data" / "gemini-wire"
AUDIO = ROOT / "suites" / "media" / "audio"
#: Shaped like a real key so the scrubbing of key-like strings is exercised too.
TEST_KEY = "AIzaTESTKEY0123456789abcdefghijklmnopqr"


def cassette(name: str) -> list[dict[str, Any]]:
    """The interactions of a pydantic-ai VCR cassette in tests/data/gemini-wire/pydantic-ai/."""
    data = yaml.safe_load((WIRE / "pydantic-ai" / name).read_text(encoding="utf-8"))
    return list(data["interactions"])


def recorded_body(interaction: dict[str, Any]) -> tuple[int, bytes, str]:
    """(status, raw body, content type) of a recorded response."""
    response = interaction["response"]
    status = int(response["status"]["code"])
    if "parsed_body" in response:
        return status, json.dumps(response["parsed_body"]).encode(), "application/json"
    return status, response["body"]["string"].encode(), "text/event-stream"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Replay:
    """A tiny HTTP server answering each request with the next queued (status, body, content type)."""

    base_url: str = ""
    queue: list[tuple[int, bytes, str]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def add(self, status: int, body: bytes | dict[str, Any], content_type: str = "application/json") -> None:
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        self.queue.append((status, raw, content_type))

    def add_recorded(self, interaction: dict[str, Any]) -> None:
        self.queue.append(recorded_body(interaction))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body: Any = json.loads(raw) if raw and request.content_type == "application/json" else raw
        self.seen.append(Seen(request.method, request.path_qs, dict(request.headers), body))
        if not self.queue:
            return web.json_response({"error": {"code": 500, "message": "nothing queued"}}, status=500)
        status, payload, content_type = self.queue.pop(0)
        return web.Response(status=status, body=payload, headers={"Content-Type": content_type})


def make_provider(base_url: str, files: Any = None, **options: Any) -> GeminiProvider:
    return GeminiProvider(ProviderSettings(base_url=base_url, api_key=TEST_KEY, options=options, files=files))


def text_request(text: str = "What is the capital of France?", **fields: Any) -> ProviderRequest:
    fields.setdefault("model", "gemini-2.5-flash")
    return ProviderRequest(contents=[Message(role="user", parts=[Part(text=text)])], **fields)


def media_ref(path: Path, source: str | None = None, **fields: Any) -> MediaRef:
    import hashlib

    data = path.read_bytes()
    return MediaRef(
        source=source or path.name,
        path=path,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        **fields,
    )


def media_request(refs: list[MediaRef], text: str = "Transcribe.", **fields: Any) -> ProviderRequest:
    fields.setdefault("model", "gemini-2.5-flash")
    parts = [Part(media=ref) for ref in refs] + [Part(text=text)]
    return ProviderRequest(contents=[Message(role="user", parts=parts)], **fields)


class MemoryStore:
    """An in-memory FileMemory (the store's recall_file / remember_file contract)."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], dict[str, Any]] = {}

    def recall_file(self, provider: str, sha256: str) -> dict[str, Any] | None:
        return self.files.get((provider, sha256))

    def remember_file(self, provider: str, sha256: str, info: dict[str, Any]) -> None:
        self.files[(provider, sha256)] = info
