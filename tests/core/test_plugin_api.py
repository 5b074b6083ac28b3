"""The plugin API as a third party uses it: an installed package (entry point), pluggy's calling rules,
clear errors for misspelt hooks, and docs/plugins.md's example run as written."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import harness.api
from harness.api import hookspecs
from harness.api.host import PluginHost, load_plugins
from harness.errors import PluginError

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "plugins.md"


def _install_fake_distribution(site: Path, package: str, module_text: str) -> None:
    """A package with a ``harness`` entry point, as pip would leave it in site-packages."""
    (site / f"{package}.py").write_text(textwrap.dedent(module_text), encoding="utf-8")
    info = site / f"{package}-0.3.dist-info"  # wheel naming: the name's dashes are underscores
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.3\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[harness]\nthird = {package}\n", encoding="utf-8")


THIRD_PARTY = """
    from pathlib import Path

    from harness.api import Reporter, Score, Scorer, hookimpl

    class Length(Scorer):
        name = "length"
        description = "answer length in characters"

        async def score(self, ctx):
            return Score(value=float(len(ctx.output.text or "")), passed=None)

    class Lines(Reporter):
        name = "lines"
        description = "one line per trial"
        filename = "lines.txt"

        def write(self, results, ctx):
            path = Path(ctx.out_dir) / self.filename
            path.write_text("\\n".join(t.id for t in results.trials))
            return path

    @hookimpl
    def register_scorers():  # takes fewer arguments than the spec: legal in pluggy, so legal here
        pass

    @hookimpl(tryfirst=True)
    def register_reporters(register):
        register(Lines)

    @hookimpl
    def register_providers(register):
        pass

    SEEN = []

    @hookimpl
    def trial_finished(trial):
        SEEN.append(trial.id)

    class Extra:
        @hookimpl
        def register_scorers(self, register):
            register(Length)
"""


@pytest.fixture
def third_party(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    site = tmp_path / "site"
    site.mkdir()
    _install_fake_distribution(site, "harness_third", THIRD_PARTY)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "harness_third", raising=False)
    yield site
    sys.modules.pop("harness_third", None)


def test_an_installed_third_party_plugin_loads_through_its_entry_point(third_party: Path) -> None:
    host = load_plugins()
    import harness_third  # type: ignore[import-not-found]

    host.register(harness_third.Extra(), "third-extra")
    assert host.reporters.sources["lines"] == "third"
    assert "html" in host.reporters  # the built-ins load through the same group
    assert host.scorers.get("length") is harness_third.Length
    assert host.scorers.sources["length"] == "third-extra"
    assert host.versions()["third"] == "0.3"


def test_a_third_party_plugin_runs_a_suite_end_to_end(third_party: Path, tmp_path: Path) -> None:
    from helpers import write_suite

    from harness.cli.main import main

    suite = write_suite(
        tmp_path,
        "name: third\nprovider: fake\nprompts: [{id: p, template: 'hi {{ w }}'}]\n"
        "scorers: [{has: hi}]\ncases: [{id: a, vars: {w: x}}, {id: b, vars: {w: y}}]\n",
    )
    fakes_dir = tmp_path / "fakes"
    fakes_dir.mkdir()
    (fakes_dir / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as done:
        main(
            [
                "run",
                str(suite),
                "--plugins-dir",
                str(fakes_dir),
                "-q",
                "--store",
                str(tmp_path / "s.db"),
                "--out",
                str(out),
                "--format",
                "json,lines",
            ]
        )
    assert done.value.code == 0
    import harness_third  # type: ignore[import-not-found]

    assert len(harness_third.SEEN) == 2  # the observer hook saw every trial
    assert len((out / "t" / "lines.txt").read_text().splitlines()) == 2  # DIR/<suite file>/


def test_a_misspelt_hook_is_an_error_naming_plugin_and_hook() -> None:
    class Typo:
        @staticmethod
        @harness.api.hookimpl
        def register_scorer(register: Any) -> None:
            raise AssertionError("never called")

    with pytest.raises(PluginError) as info:
        load_plugins(extra=[(Typo(), "typo-plugin")])
    assert "typo-plugin" in info.value.message and "register_scorer" in info.value.message
    assert info.value.hint == "did you mean 'register_scorers'?"


def test_a_hook_with_an_argument_the_spec_lacks_is_an_error() -> None:
    class Wrong:
        @staticmethod
        @harness.api.hookimpl
        def register_scorers(register: Any, colour: Any) -> None:
            raise AssertionError("never called")

    with pytest.raises(PluginError) as info:
        load_plugins(extra=[(Wrong(), "wrong-args")])
    assert "wrong-args" in info.value.message and "colour" in info.value.message


def test_a_hook_that_raises_is_blamed_on_its_plugin() -> None:
    class Broken:
        @staticmethod
        @harness.api.hookimpl
        def register_scorers(register: Any) -> None:
            raise RuntimeError("no luck")

    host = PluginHost()
    host.register(Broken(), "broken-plugin")
    with pytest.raises(PluginError, match="plugin 'broken-plugin' failed in register_scorers: RuntimeError: no luck"):
        host.scorers.get("x")


def test_wrappers_and_ordering_are_pluggy_s() -> None:
    order: list[str] = []

    class Late:
        @staticmethod
        @harness.api.hookimpl(trylast=True)
        def register_reporters(register: Any) -> None:
            order.append("late")

    class Early:
        @staticmethod
        @harness.api.hookimpl(tryfirst=True)
        def register_reporters(register: Any) -> None:
            order.append("early")

    class Wrap:
        @staticmethod
        @harness.api.hookimpl(wrapper=True)
        def register_reporters(register: Any) -> Any:
            order.append("before")
            result = yield
            order.append("after")
            return result

    host = PluginHost()
    for plugin, name in ((Late(), "late"), (Early(), "early"), (Wrap(), "wrap")):
        host.register(plugin, name)
    assert list(host.reporters) == []
    assert order == ["before", "early", "late", "after"]


def test_registries_fill_lazily_so_commands_need_no_scorer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "harness_scorers.catalog", raising=False)
    host = load_plugins()
    assert "emulator" in host.commands
    assert "harness_scorers.catalog" not in sys.modules  # no scorer module was imported
    assert "wer" in host.scorers


# docs/plugins.md ---------------------------------------------------------------------------------------------


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_every_hook_and_every_public_name_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert [h for h in hookspecs.HOOKS if f"`{h}`" not in text] == []
    assert [n for n in harness.api.__all__ if f"`{n}`" not in text] == []
    for name in hookspecs.HOOKS:
        assert getattr(hookspecs, name).__doc__, name


def test_the_documented_example_plugin_runs_as_written(tmp_path: Path) -> None:
    from harness.cli.main import main

    (module,) = [b for b in _blocks("python") if "harness_shout" in b]
    (suite,) = [b for b in _blocks("yaml") if "provider: upper" in b]
    plugins = tmp_path / "my_plugins"
    plugins.mkdir()
    (plugins / "harness_shout.py").write_text(module, encoding="utf-8")
    (tmp_path / "shout.suite.yaml").write_text(suite, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as done:
        main(
            [
                "run",
                str(tmp_path / "shout.suite.yaml"),
                "--plugins-dir",
                str(plugins),
                "-q",
                "--store",
                str(tmp_path / "s.db"),
                "--out",
                str(out),
                "--format",
                "html,counts",
            ]
        )
    assert done.value.code == 0
    assert (out / "shout" / "counts.json").read_text() == '{"ok": 1}'
    assert (out / "shout" / "report.html").is_file()
