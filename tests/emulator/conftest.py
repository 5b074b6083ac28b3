"""Fixtures: an emulator on a free port and a real google-genai client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emu_support import make_client
from google import genai

from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with start_background(EmulatorConfig(port=0, processing_s=0.05)) as running:
        yield running


@pytest.fixture(scope="module")
def client(emu: RunningEmulator) -> genai.Client:
    return make_client(emu)
