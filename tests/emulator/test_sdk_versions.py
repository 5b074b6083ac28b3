"""The unmodified google-genai SDK 1.x and 3.x both work against the emulator (issue 3).

Each major version runs tests/emulator/sdk1_conformance.py in its own interpreter: SDK 3.x is the
venv's own; SDK 1.x lives in a separate ``pip install --target`` directory (``make test`` builds
``.venv/sdk1``; override with HARNESS_SDK1_PATH) put first on PYTHONPATH, so the venv is untouched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness_gemini.emulator import EmulatorConfig, RunningEmulator, start_background

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("sdk1_conformance.py")
SDK1_PATH = Path(os.environ.get("HARNESS_SDK1_PATH") or ROOT / ".venv" / "sdk1")
SDK1_PIN = "google-genai==1.75.0 httpx==0.28.1 httpcore==1.0.9"
INSTALL = f"{sys.executable} -m pip install --no-deps --target {SDK1_PATH} {SDK1_PIN}"
# Variables that would redirect or re-key the SDK in the child; the script passes key and base URL itself.
_SDK_ENV = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL", "GOOGLE_GENAI_USE_VERTEXAI", "PYTHONPATH")


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with start_background(EmulatorConfig(port=0, processing_s=0.05)) as running:
        yield running


def _run(emu: RunningEmulator, pythonpath: Path | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in _SDK_ENV}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, str(SCRIPT), emu.base_url],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _assert_ok(proc: subprocess.CompletedProcess[str], major: str) -> None:
    output = f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == 0, f"conformance script exited {proc.returncode}\n{output}"
    assert f"OK {major}." in proc.stdout, f"expected 'OK {major}.x' in stdout\n{output}"


def test_sdk1_against_emulator(emu: RunningEmulator) -> None:
    if not (SDK1_PATH / "google" / "genai").is_dir():
        message = f"google-genai 1.x not installed at {SDK1_PATH}; install it with: {INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    _assert_ok(_run(emu, SDK1_PATH), "1")


def test_sdk3_against_emulator(emu: RunningEmulator) -> None:
    _assert_ok(_run(emu, None), "3")
