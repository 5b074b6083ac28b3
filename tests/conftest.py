from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

# numpy.fft and re2: extension modules that cannot be loaded twice in one process, imported before any
# pytester in-process run (which drops the modules a run imported, so they would be loaded again).
import numpy.fft  # noqa: F401
import pytest
import re2  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """The example suites' generated video and PDF (make media does the same; this keeps plain pytest working).
    Under pytest-xdist only the controller builds them, before any worker starts."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from tools.example_media import build

    build()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with a slow test first, otherwise in their usual order. ``make test`` hands whole files to the xdist
    workers in this order (``--dist loadfile --no-loadscope-reorder``), so the long files start at once and the
    short ones fill in at the end: longest first is what keeps every worker busy to the last second."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


def _shared_temp(factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder every xdist worker of this session shares (each worker's basetemp is below one root)."""
    base = factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / name
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session", autouse=True)
def _emulator_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One emulator audio cache for the whole test session, shared by the xdist workers (each clip is recognised
    once; the cache writes each file atomically), never the user's own ~/.cache, seeded with the recorded
    recognitions when they are current (tests/recognitions.py). Subprocesses (harness run --emulator) inherit it
    through the environment."""
    import recognitions

    from harness_gemini.emulator.config import default_cache_dir

    folder = _shared_temp(tmp_path_factory, "xdg-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(folder))
    recognitions.seed(default_cache_dir() / "audio")
    yield folder
    patch.undo()


@pytest.fixture
def fake_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A plugin host with only the fake provider and scorers (no entry-point plugins)."""
    import fakes

    from harness.api.host import load_plugins

    monkeypatch.setenv("HARNESS_LOAD_PLUGINS", "")
    fakes.FakeProvider.reset()
    yield load_plugins(extra=[(fakes, "tests.fakes")])


@pytest.fixture(scope="session")
def example_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example suite run once on the emulator with the demo's responses file (``make demo``, without the
    realistic latency profile), shared by the tests that check the demo's answers and its reports, and by the
    xdist workers (the first one runs it, under a lock): ``DIR/<suite>/results.json`` and ``report.html``."""
    import fcntl

    from clirun import harness_cli

    tmp = _shared_temp(tmp_path_factory, "examples")
    with (tmp / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (tmp / "done").exists():
            text = (ROOT / "suites" / "emulator-responses.yaml").read_text(encoding="utf-8")
            responses = tmp / "responses.yaml"
            responses.write_text(text.replace("latency: realistic", "latency: none"), encoding="utf-8")
            suites = [str(p) for p in sorted((ROOT / "suites").glob("*.suite.yaml"))]
            done = harness_cli(
                "run", *suites, "--emulator", "--emulator-responses", str(responses), "--out", str(tmp / "out"),
                "--store", str(tmp / "store.db"), "--format", "json,html", "--fail-on", "none", "-q",
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
            (tmp / "done").write_text("")
    return tmp / "out"
