"""A local, offline emulator of the Gemini REST API (see docs/emulator.md).

from harness_gemini.emulator import EmulatorConfig, start_background

with start_background(EmulatorConfig(port=0)) as emu:
    client = genai.Client(api_key="x", http_options=emu.http_options())

The names below are imported on first use, so a recognition worker (``python -m
harness_gemini.emulator.asr_worker``, which needs only PyAV and pocketsphinx) does not load the server, aiohttp and
the answer composer each time one starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness_gemini.emulator.app import RequestRecord, build_app
    from harness_gemini.emulator.config import EmulatorConfig
    from harness_gemini.emulator.server import RunningEmulator, serve_forever, start_background

_HOMES = {
    "EmulatorConfig": "config",
    "RequestRecord": "app",
    "RunningEmulator": "server",
    "build_app": "app",
    "serve_forever": "server",
    "start_background": "server",
}
__all__ = ["EmulatorConfig", "RequestRecord", "RunningEmulator", "build_app", "serve_forever", "start_background"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
