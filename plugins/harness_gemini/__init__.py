"""The built-in ``gemini`` provider (google-genai) and its local twin, the Gemini emulator.

Registered through the ``harness`` entry-point group exactly as a third-party plugin is. The hooks import
their modules when called, so loading the plugin costs nothing until a command needs the provider.
"""

from __future__ import annotations

from harness.api import Register, hookimpl


@hookimpl
def register_providers(register: Register) -> None:
    from harness_gemini.provider import GeminiProvider

    register(GeminiProvider)


@hookimpl
def register_commands(register: Register) -> None:
    from harness_gemini.emulator.cli import emulator_command

    register(emulator_command)
