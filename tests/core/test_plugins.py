from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clirun import harness_cli

from harness.api.host import PluginHost, load_plugins
from harness.errors import PluginError

ROOT = Path(__file__).resolve().parents[2]


def test_duplicate_names_fail_naming_both_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    import fakes

    from harness import hookimpl

    class Again:
        @staticmethod
        @hookimpl
        def register_scorers(register: Any) -> None:
            register(fakes.ContainsScorer)

    monkeypatch.setenv("HARNESS_LOAD_PLUGINS", "")
    host = load_plugins(extra=[(fakes, "first-plugin"), (Again(), "second-plugin")])
    with pytest.raises(PluginError) as info:
        host.scorers.get("has")
    assert "'has'" in info.value.message
    assert "first-plugin" in info.value.message and "second-plugin" in info.value.message


def test_plugins_dir_loads_loose_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_LOAD_PLUGINS", "")
    (tmp_path / "mine.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    host = load_plugins(tmp_path)
    assert "fake" in host.providers and "has" in host.scorers
    assert host.providers.sources["fake"].endswith("mine.py")


def test_unknown_name_suggests() -> None:
    host = PluginHost()
    with pytest.raises(PluginError, match="unknown scorer 'wer'"):
        host.scorers.get("wer")


def test_builtins_register_through_entry_points() -> None:
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="harness")}
    assert names.get("gemini") == "harness_gemini"
    assert names.get("scorers") == "harness_scorers"
    assert names.get("reporters") == "harness_reporters"


def test_plugins_command_lists_sources(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    done = harness_cli("plugins", "--json", "--plugins-dir", str(tmp_path), env={"HARNESS_LOAD_PLUGINS": ""})
    assert done.returncode == 0, done.stderr
    assert '"name": "fake"' in done.stdout and "mine.py" in done.stdout


@pytest.mark.parametrize("command", ["run", "validate", "plugins", "schema", "report", "runs", "emulator"])
def test_every_command_has_help_with_examples(command: str) -> None:
    done = harness_cli(command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Example" in done.stdout
