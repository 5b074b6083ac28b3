"""Fixtures of the engine tests: an emulator in this process (its request records are the evidence), suites."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def emulator() -> Iterator[Callable[..., RunningEmulator]]:
    """``emulator(**config)`` starts an emulator in a thread; every one started is stopped at the end."""
    started: list[RunningEmulator] = []

    def start(**config: Any) -> RunningEmulator:
        config.setdefault("port", 0)
        config.setdefault("cache_dir", None)
        emu = start_background(EmulatorConfig(**config))
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


def text_suite(folder: Path, cases: int, extra: str = "", name: str = "engine") -> Path:
    """A suite of ``cases`` text cases whose prompt names the case (so an answer says which case it was)."""
    lines = [
        f"name: {name}",
        "defaults:",
        "  model: gemini-2.5-flash",
        "  config: {max_output_tokens: 64}",
        "prompts:",
        "  - id: ask",
        '    template: "Say the word {{ case.id }}."',
        extra,
        "cases:",
    ]
    lines += [f"  - id: c{i:03d}" for i in range(cases)]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.suite.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def generate_calls(emu: RunningEmulator) -> list[Any]:
    return [r for r in emu.requests if r.path.endswith(":generateContent")]


def cli_env(tmp: Path) -> dict[str, str]:
    return {"GEMINI_API_KEY": "emulator-key", "HARNESS_STORE": str(tmp / "store.db")}
