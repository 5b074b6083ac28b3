"""Fixtures for reporter tests: a realistic run (see factory.py) written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from factory import make_results

from harness.api.reporting import ReportContext
from harness.log.results import RunResults


@pytest.fixture(scope="session")
def results() -> RunResults:
    return make_results()


@pytest.fixture
def ctx(tmp_path: Path) -> ReportContext:
    return ReportContext(out_dir=tmp_path / "out")
