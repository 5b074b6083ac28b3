"""Shared helpers of the emulator tests: paths and SDK clients pointed at an emulator."""

from __future__ import annotations

import io
import json
import urllib.request
import wave
from pathlib import Path
from typing import Any

import yaml
from google import genai

from harness_gemini.emulator import RunningEmulator

ROOT = Path(__file__).resolve().parents[2]
WIRE = ROOT / "tests" / "data" / "gemini-wire"
AUDIO = ROOT / "suites" / "media" / "audio"


def mono_wav(frames: bytes, rate: int = 16000) -> bytes:
    """16-bit mono PCM ``frames`` as the bytes of a WAV file."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buf.getvalue()


def make_client(emu: RunningEmulator, version: str = "v1beta") -> genai.Client:
    return genai.Client(api_key="test-key-123", http_options=emu.http_options(version))


def post(emu: RunningEmulator, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """Raw JSON POST (no SDK): returns (status, parsed body)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(
        emu.base_url + path, data=data, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def cassette(name: str) -> dict[str, Any]:
    """First interaction of a pydantic-ai VCR cassette in tests/data/gemini-wire/pydantic-ai/."""
    data = yaml.safe_load((WIRE / "pydantic-ai" / name).read_text(encoding="utf-8"))
    return data["interactions"][-1]  # type: ignore[no-any-return]


def shape(value: Any) -> Any:
    """The key structure of a JSON value (dict keys recursively; first list item), values dropped."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def transport_error() -> type[Exception]:
    """The SDK's connection-failure class (google-genai uses httpx2 when installed, else httpx)."""
    try:
        import httpx2 as http_lib  # type: ignore[import-not-found]
    except ImportError:
        import httpx as http_lib  # type: ignore[import-not-found,no-redef]
    return http_lib.TransportError  # type: ignore[no-any-return]
