"""The import rules of docs/architecture.md, checked on the code: layers point down, plugins import only
harness.api, the core imports no provider SDK, jiwer, PyAV or HTML, and the installed wheel holds no generic
top-level package."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Each core layer may import only the layers to its left (and itself).
LAYERS = ["errors", "log", "api", "suite", "run", "cli", "pytest_plugin"]
#: Third-party libraries the core must never import (they belong to plugins).
PLUGIN_ONLY = {"google", "jiwer", "whisper_normalizer", "av", "pocketsphinx", "aiohttp", "jsonschema", "kaldialign"}
BUILTINS = ("harness_gemini", "harness_scorers", "harness_reporters", "harness_viewer")


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def _layer(module: str) -> int:
    part = module.split(".")[1] if "." in module else "errors"  # `import harness` itself: the bottom
    part = "errors" if part in ("errors", "__init__") else part
    return LAYERS.index(part) if part in LAYERS else len(LAYERS)


def test_core_layers_only_import_downwards() -> None:
    upward = []
    for path in sorted((ROOT / "harness").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if rel.name == "__main__":
            continue
        own = "harness." + ".".join(rel.parts[1:])
        for module in _imports(path):
            if module.startswith("harness.") and _layer(module) > _layer(own):
                upward.append(f"{rel}: {module}")
    assert upward == []


def test_core_imports_no_plugin_and_no_plugin_library() -> None:
    offenders = []
    for path in sorted((ROOT / "harness").rglob("*.py")):
        for module in _imports(path):
            top = module.split(".")[0]
            if top in PLUGIN_ONLY or top.startswith("harness_") or top == "plugins":
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_plugins_import_only_the_public_api() -> None:
    offenders = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        for module in _imports(path):
            if (module == "harness" or module.startswith("harness.")) and module != "harness.api":
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_importing_the_whole_core_loads_no_plugin_library() -> None:
    code = (
        "import sys, pkgutil, importlib, harness\n"
        "for m in pkgutil.walk_packages(harness.__path__, 'harness.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(PLUGIN_ONLY)!r}"
        " or m.startswith('harness_'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_architecture_doc_names_every_core_package() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(p.name for p in (ROOT / "harness").iterdir() if (p / "__init__.py").is_file())
    assert [p for p in packages if f"  {p}/ " not in text] == []
    assert [b for b in BUILTINS if f"  {b}/ " not in text] == []


def test_modules_stay_small() -> None:
    big = [
        f"{p.relative_to(ROOT)}: {n}"
        for folder in ("harness", "plugins")
        for p in (ROOT / folder).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert big == []


@pytest.mark.slow
def test_the_wheel_installs_no_generic_package_and_builtins_import_anywhere(tmp_path: Path) -> None:
    """Build the wheel, install it into a clean venv, and import every built-in from a folder that has its own
    plugins/ package (which used to shadow ours)."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = wheels.glob("harness-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    installed = sorted(
        p.name for p in site.iterdir() if not p.name.endswith((".dist-info", ".pth")) and p.name != "__pycache__"
    )
    assert installed == sorted(["harness", *BUILTINS])
    # The dependencies come from this venv's site-packages, added as a plain path (no .pth processing, so the
    # project's own editable install stays out of the clean venv).
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    work = tmp_path / "work"
    (work / "plugins" / "gemini").mkdir(parents=True)
    (work / "plugins" / "__init__.py").write_text("raise ImportError('the wrong plugins package')\n")
    (work / "plugins" / "gemini" / "__init__.py").write_text("")
    code = (
        "import harness_gemini.provider, harness_scorers.catalog, harness_reporters.html, harness_gemini.emulator\n"
        "from harness.api.host import load_plugins\n"
        "h = load_plugins()\n"
        "print(sorted(h.providers), len(list(h.scorers)), sorted(h.reporters), harness_gemini.__file__)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "HARNESS_"))}
    done = subprocess.run([str(python), "-c", code], cwd=work, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("['gemini'] 11 ['csv', 'html', 'junit', 'junit-strict', 'markdown']"), done.stdout
    assert str(site) in done.stdout
    version = subprocess.run(
        [str(venv / "bin" / "harness"), "--version"], capture_output=True, text=True, env=env, cwd=work
    )
    assert re.search(r"harness, version \d", version.stdout), version.stderr
