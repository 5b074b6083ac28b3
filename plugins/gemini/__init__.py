"""Built-in ``gemini`` provider plugin (google-genai)."""

from __future__ import annotations

from collections.abc import Callable

from harness import hookimpl
from plugins.gemini.provider import GeminiProvider

__all__ = ["GeminiProvider", "register_providers"]


@hookimpl
def register_providers(register: Callable[..., None]) -> None:
    register(GeminiProvider)
