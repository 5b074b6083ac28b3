"""A local, offline emulator of the Gemini REST API (see docs/emulator.md).

from harness_gemini.emulator import EmulatorConfig, start_background

with start_background(EmulatorConfig(port=0)) as emu:
    client = genai.Client(api_key="x", http_options=emu.http_options())
"""

from __future__ import annotations

from harness_gemini.emulator.app import RequestRecord, build_app
from harness_gemini.emulator.config import EmulatorConfig
from harness_gemini.emulator.server import RunningEmulator, serve_forever, start_background

__all__ = [
    "EmulatorConfig",
    "RequestRecord",
    "RunningEmulator",
    "build_app",
    "serve_forever",
    "start_background",
]
