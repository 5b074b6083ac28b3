"""Debian's Chromium as Playwright must launch it here: headless, offline, no background traffic.

The binary is Debian's ``chromium-headless-shell``: the same Chromium build (Blink, V8, the media stack) without
the desktop browser's shell, which is what Playwright itself runs for headless tests. Driving the full
``/usr/bin/chromium`` headless did the same work for about 40 % more CPU (31.5 s against 22.1 s of browser CPU
over the 45 browser tests), a sixth of the whole test session's CPU on the 2-core machine.

Shared by the browser tests, the screenshot script and bench/bench_report.py and bench/bench_viewer.py.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

#: The Debian package that provides it (``make test`` installs it).
PACKAGE = "chromium-headless-shell"
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
#: Without the background-networking flags Chromium keeps trying Google's hosts on a closed network.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def version() -> str:
    """What the binary says it is, e.g. ``Chromium 156.0.8078.114 (chromium-headless-shell)``, for benchmarks."""
    import subprocess

    done = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return f"{done.stdout.strip() or 'unknown'} ({PACKAGE})"


def launch(playwright: Any, **options: Any) -> Any:
    """A persistent context in a fresh, empty profile folder."""
    return playwright.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="harness-chromium-"), executable_path=str(CHROMIUM), args=ARGS, headless=True, **options
    )
