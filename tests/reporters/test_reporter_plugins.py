from __future__ import annotations

import pytest

import harness_reporters as reporters
from harness.api.host import PluginHost
from harness.api.reporting import Reporter


def _host() -> PluginHost:
    host = PluginHost()
    host.register(reporters, "reporters")
    return host


EXPECTED = {
    "html": "report.html",
    "junit": "junit.xml",
    "junit-strict": "junit.xml",
    "markdown": "summary.md",
    "csv": "trials.csv",
}


def test_hook_registers_every_format() -> None:
    host = PluginHost()
    host.register(reporters, "reporters")
    assert set(host.reporters.items) == set(EXPECTED)
    for name, filename in EXPECTED.items():
        cls = host.reporters.get(name)
        assert issubclass(cls, Reporter)
        assert cls.filename == filename
        assert cls.description


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_reporter_writes_its_file(name: str, results, ctx) -> None:  # type: ignore[no-untyped-def]
    cls = _host().reporters.get(name)
    path = cls().write(results, ctx)
    assert path == ctx.out_dir / EXPECTED[name]
    assert path.stat().st_size > 0
