from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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
    done = subprocess.run(
        [sys.executable, "-m", "harness", "plugins", "--json", "--plugins-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env={"HARNESS_LOAD_PLUGINS": "", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert '"name": "fake"' in done.stdout and "mine.py" in done.stdout


FORBIDDEN = ("plugins", "google", "jiwer", "whisper_normalizer", "jsonschema_rs")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_core_never_imports_plugins_or_provider_sdks() -> None:
    offenders = []
    for path in sorted((ROOT / "harness").rglob("*.py")):
        bad = _imports(path) & set(FORBIDDEN)
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_core_runs_without_plugins_package_importable() -> None:
    """Importing the whole core must not pull in plugins/ or google.genai."""
    code = (
        "import sys, pkgutil, importlib, harness\n"
        "for m in pkgutil.walk_packages(harness.__path__, 'harness.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m == 'plugins' or m.startswith(('plugins.', 'google.genai', 'jiwer'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_modules_stay_small() -> None:
    big = [
        f"{p.relative_to(ROOT)}: {n}"
        for folder in ("harness", "plugins")
        for p in (ROOT / folder).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert big == []


@pytest.mark.parametrize("command", ["run", "validate", "plugins", "schema", "report", "runs", "emulator"])
def test_every_command_has_help_with_examples(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harness", command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Example" in done.stdout
