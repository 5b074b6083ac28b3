"""Headless Chromium (Debian's chromium-headless-shell, see chromium.py) driven by Playwright, fully offline.

Tests skip only when Chromium is absent AND the CI variable is unset; in CI a missing browser fails.
Every request that is not a file:// or data: URL is aborted and recorded, so tests can assert none happened.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reporters"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chromium import CHROMIUM, PACKAGE, launch


@dataclass
class Watched:
    page: Any
    console_errors: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's {PACKAGE} package (apt-get install -y {PACKAGE})")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y {PACKAGE}); CI fails instead of skipping")


@pytest.fixture(scope="module")  # not session: a live sync Playwright blocks asyncio.run() in later tests
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = launch(p, viewport={"width": 1400, "height": 900})
        try:
            yield context
        finally:
            context.close()


def launch_watched(context: Any) -> Watched:
    page = context.new_page()
    watched = Watched(page)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            watched.network.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else watched.network.append(r.url))
    page.on("console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watched.console_errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return watched


@pytest.fixture
def watched(browser_context: Any) -> Iterator[Watched]:
    w = launch_watched(browser_context)
    yield w
    w.page.close()
