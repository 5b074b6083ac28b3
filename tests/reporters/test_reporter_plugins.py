from __future__ import annotations

import pytest

from harness.plugins import PluginHost
from harness.reporting import Reporter
from plugins import reporters

EXPECTED = {
    "html": "report.html",
    "json": "results.json",
    "junit": "junit.xml",
    "markdown": "summary.md",
    "csv": "trials.csv",
}


def test_hook_registers_every_format() -> None:
    host = PluginHost()
    host.register_module(reporters, "reporters")
    host.collect()
    assert set(host.reporters.items) == set(EXPECTED)
    for name, filename in EXPECTED.items():
        cls = host.reporters.get(name)
        assert issubclass(cls, Reporter)
        assert cls.filename == filename
        assert cls.description


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_reporter_writes_its_file(name: str, results, ctx) -> None:  # type: ignore[no-untyped-def]
    cls = next(c for c in reporters.REPORTERS if c.name == name)
    path = cls().write(results, ctx)
    assert path == ctx.out_dir / EXPECTED[name]
    assert path.stat().st_size > 0
