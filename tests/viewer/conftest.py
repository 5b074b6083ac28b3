"""The viewer in real Chromium (Debian's, through Playwright) against a store of many runs."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "browser"))

from chromium import CHROMIUM, PACKAGE, launch
from storefactory import build


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str]:
    path = tmp_path_factory.mktemp("viewer") / "harness.db"
    runs, big = build(path)
    return path, runs, big


@pytest.fixture(scope="module")
def viewer(store: tuple[Path, list[str], str]) -> Iterator[str]:
    from harness_viewer.server import running

    with running(store[0]) as url:
        yield url


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's {PACKAGE} package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y {PACKAGE})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def context(playwright: Any) -> Iterator[Any]:
    # Playwright polls its waits with eval, which the viewer's CSP forbids: bypass it for the test driver only
    # (test_the_page_keeps_to_its_content_security_policy runs without).
    ctx = launch(playwright, viewport={"width": 1400, "height": 900}, bypass_csp=True)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def strict_context(playwright: Any) -> Iterator[Any]:
    ctx = launch(playwright, viewport={"width": 1200, "height": 800})
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any, viewer: str) -> Iterator[Any]:
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(viewer) else outside.append(r.url))
    yield page
    page.close()
    assert errors == []
    assert outside == []  # the page asks nothing of any other host
