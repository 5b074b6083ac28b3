"""axe-core (node_modules/axe-core, pinned in package.json and installed by make test) run inside a page.

Injected through the DevTools protocol (``page.evaluate``), so the report's Content-Security-Policy, which allows
only its own script, stays on. Nothing is fetched: the file comes from node_modules.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0/2.1 A and AA, as the issue asks; best-practice rules are reported too.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def axe_source() -> str:
    if not AXE.is_file():
        message = f"{AXE} is missing: run `make test` (npm ci installs axe-core from package-lock.json)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def audit(page: Any, include: str | None = None) -> list[dict[str, Any]]:
    """Every violation axe finds in the page (or in the ``include`` selector), as axe reports them."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;0")
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    found: list[dict[str, Any]] = page.evaluate(
        "([context, options]) => axe.run(context || document, options).then(r => r.violations)",
        [include, options],
    )
    return found


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """Readable enough to fix from a test failure: rule, impact, and the first nodes with axe's summary."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:4]:
            lines.append(f"  {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)
