"""Helpers of the engine tests: suites, the emulator's evidence, the command line's environment."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from harness_gemini.emulator import RunningEmulator

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "core"))  # helpers.run_suite, for the in-process runs


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
