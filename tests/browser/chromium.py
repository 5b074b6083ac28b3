"""Debian's Chromium as Playwright must launch it here: headless, offline, no background traffic.

Shared by the browser tests, the screenshot script and bench/bench_report.py.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
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


def launch(playwright: Any, **options: Any) -> Any:
    """A persistent context in a fresh, empty profile folder."""
    return playwright.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="harness-chromium-"), executable_path=str(CHROMIUM), args=ARGS, headless=True, **options
    )
