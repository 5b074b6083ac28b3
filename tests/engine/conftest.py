"""Fixtures of the engine tests: an emulator in this process (its request records are the evidence)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background


@pytest.fixture
def emulator() -> Iterator[Callable[..., RunningEmulator]]:
    """``emulator(**config)`` starts an emulator in a thread; every one started is stopped at the end."""
    started: list[RunningEmulator] = []

    def start(**config: Any) -> RunningEmulator:
        config.setdefault("port", 0)  # the session's shared transcript cache: these tests are about calls
        emu = start_background(EmulatorConfig(**config))
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()
