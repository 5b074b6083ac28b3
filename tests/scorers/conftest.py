"""Fixtures for scorer tests (helpers live in scorer_kit.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scorer_kit import ContextFactory, make_context

from harness.api.scoring import ScoreContext


@pytest.fixture
def ctx(tmp_path: Path) -> ContextFactory:
    """``ctx(text, vars=..., ...)`` -> a ScoreContext whose suite folder is tmp_path."""

    def factory(text: str | None = "", **kwargs: Any) -> ScoreContext:
        return make_context(tmp_path, text, **kwargs)

    return factory
