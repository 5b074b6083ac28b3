"""Run suites as pytest tests: ``pytest --harness suites/`` collects ``*.suite.yaml``, one test per case.

A test is a case x prompt x model x config: it runs the case's repeats and passes by the core's case verdict
(min_pass_rate), exactly as ``harness run`` decides; without repeats that is one trial. Collection loads and
plans each suite without calling a model; a mistake in a suite is a collection error showing its file:line.
The first selected test of a suite runs the suite once (only the cases that have a selected test, when ``-k``,
``-m`` or ``--deselect`` drop some). A case's tags are pytest markers (``-m segment``). Registered through the
``pytest11`` entry point; it does nothing without ``--harness``.

Suites are untrusted, but pytest runs Python it finds beside them (``conftest.py``, test modules, doctest
files) and reads a pytest configuration it finds there, all before any test. So with ``--harness`` the plugin
refuses to start when the folders it was given hold such code or the configuration pytest chose, unless
``--harness-trust-tree`` says that code is yours (docs/security.md).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.api.host import PluginHost, load_plugins
from harness.errors import UserError
from harness.log.reasons import value_text
from harness.log.results import CaseVerdict, RunResults, TrialRecord
from harness.log.sanitise import safe_text
from harness.log.verdicts import case_id, case_key
from harness.run.endpoints import LocalEndpoints
from harness.run.planning import PlannedTrial
from harness.run.runner import RunOptions
from harness.run.session import SessionOptions, default_store_path, execute, prepare
from harness.suite.caps import DEFAULT_MAX_PROMPT_CHARS, DEFAULT_MAX_TRIALS, Caps
from harness.suite.loader import LoadOptions

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

SUFFIX = ".suite.yaml"
_HOST = pytest.StashKey[PluginHost | UserError]()
_LOCAL = pytest.StashKey[LocalEndpoints | None]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "harness prompt-evaluation suites")
    group.addoption("--harness", action="store_true", help="Collect *.suite.yaml files: one test per trial.")
    group.addoption(
        "--harness-emulator", action="store_true", help="Start a local Gemini emulator and send every call to it."
    )
    group.addoption("--harness-responses", type=Path, metavar="FILE", help="Responses file for --harness-emulator.")
    group.addoption("--harness-concurrency", type=int, default=8, metavar="N", help="Trials in flight (default 8).")
    group.addoption(
        "--harness-out",
        type=Path,
        metavar="DIR",
        help="Write html and json reports here, one sub-folder per suite (default: only results.json, "
        "under pytest's basetemp).",
    )
    group.addoption(
        "--harness-no-cache", action="store_true", help="Call the model even when the request was answered before."
    )
    group.addoption("--harness-plugins-dir", type=Path, metavar="DIR", help="Load every *.py file here as a plugin.")
    group.addoption(
        "--harness-trust-tree",
        action="store_true",
        help="The folders given hold code you trust: let pytest run their conftest.py, test modules and "
        "pytest configuration (refused by default: suites are untrusted).",
    )
    group.addoption(
        "--harness-max-trials",
        type=int,
        default=DEFAULT_MAX_TRIALS,
        metavar="N",
        help=f"Refuse a suite that plans more trials (default {DEFAULT_MAX_TRIALS}).",
    )
    group.addoption(
        "--harness-max-prompt-chars",
        type=int,
        default=DEFAULT_MAX_PROMPT_CHARS,
        metavar="N",
        help=f"Refuse a suite whose requests send more characters (default {DEFAULT_MAX_PROMPT_CHARS}).",
    )
    group.addoption(
        "--harness-max-cost",
        type=float,
        metavar="USD",
        help="Refuse a suite whose estimated cost (every answer at max_output_tokens) passes this.",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Before pytest imports any conftest.py: refuse a tree whose code pytest would run (see the docstring)."""
    namespace = early_config.known_args_namespace
    if not getattr(namespace, "harness", False) or getattr(namespace, "harness_trust_tree", False):
        return
    found = untrusted_code(early_config)
    if found:
        listed = "\n".join(f"  {path}" for path in found[:10]) + ("\n  ..." if len(found) > 10 else "")
        raise pytest.UsageError(
            "harness: refusing to collect suites: pytest would run code or read configuration from the suites' "
            f"folders before any test, and suites are untrusted:\n{listed}\n"
            "Run pull-request suites with `harness run` (docs/ci.md), or pass --harness-trust-tree if this code "
            "is yours (docs/security.md)."
        )


#: Folders pytest never collects from by default (its ``norecursedirs``), used when the configuration gives none.
_NORECURSE = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")


def _trees(config: pytest.Config) -> list[Path]:
    """The folders pytest was pointed at (the folder of a file argument; testpaths or the current folder
    when none): pytest imports code found anywhere beneath them."""
    namespace = config.known_args_namespace
    args = [str(a).split("::")[0] for a in (namespace.file_or_dir or [])]
    if not args:
        args = [str(config.rootpath / p) for p in config.getini("testpaths")] or [str(config.invocation_params.dir)]
    trees = []
    for arg in args:
        path = (config.invocation_params.dir / arg).resolve()
        trees.append(path if path.is_dir() else path.parent)
    return trees


def untrusted_code(config: pytest.Config) -> list[Path]:
    """Files under the trees that pytest would import or read before a test: conftest.py (unless
    --noconftest), test modules (``python_files``, every ``*.py`` with --doctest-modules), doctest text files
    (``--doctest-glob``), and the configuration file pytest chose."""
    namespace = config.known_args_namespace
    patterns = list(config.getini("python_files"))
    if getattr(namespace, "doctestmodules", False):
        patterns.append("*.py")
    patterns += list(getattr(namespace, "doctestglob", None) or ["test*.txt"])
    skip = list(config.getini("norecursedirs") or _NORECURSE)
    found: list[Path] = []
    trees = _trees(config)
    inipath = config.inipath.resolve() if config.inipath is not None else None
    if inipath is not None and any(inipath.is_relative_to(tree) for tree in trees):
        found.append(inipath)
    for tree in trees:
        for folder, dirs, files in os.walk(tree):
            dirs[:] = [
                d
                for d in dirs
                if not any(fnmatch.fnmatch(d, p) for p in skip) and not Path(folder, d, "pyvenv.cfg").exists()
            ]
            for name in sorted(files):
                conftest = name == "conftest.py" and not getattr(namespace, "noconftest", False)
                if conftest or any(fnmatch.fnmatch(name, p) for p in patterns):
                    found.append(Path(folder, name))
    return sorted(set(found))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> SuiteFile | None:
    if parent.config.getoption("harness") and file_path.name.endswith(SUFFIX):
        suite: SuiteFile = SuiteFile.from_parent(parent, path=file_path)
        return suite
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Remember which cases survived ``-k``/``-m``/``--deselect``, so a suite runs only what is needed."""
    for item in session.items:
        if isinstance(item, CaseItem) and isinstance(item.parent, SuiteFile):
            item.parent.selected.add(item.case_id)
            item.parent.selected_count += 1


def marker_name(tag: str) -> str:
    """A case tag as a pytest marker name (``-m`` expressions need identifiers)."""
    name = re.sub(r"\W", "_", tag)
    return f"tag_{name}" if not name or name[0].isdigit() else name


def pytest_unconfigure(config: pytest.Config) -> None:
    started = config.stash.get(_LOCAL, None)
    if started is not None:
        started.close()


def _host(config: pytest.Config) -> PluginHost:
    """Plugins are loaded once per pytest session; a broken plugin fails every suite the same way."""
    if _HOST not in config.stash:
        try:
            config.stash[_HOST] = load_plugins(config.getoption("harness_plugins_dir"))
        except UserError as exc:
            config.stash[_HOST] = exc
    found = config.stash[_HOST]
    if isinstance(found, UserError):
        raise found
    return found


def _caps(config: pytest.Config) -> Caps:
    return Caps(
        max_trials=int(config.getoption("harness_max_trials")),
        max_prompt_chars=int(config.getoption("harness_max_prompt_chars")),
        max_cost_usd=config.getoption("harness_max_cost"),
    )


def _local(config: pytest.Config) -> LocalEndpoints | None:
    """With --harness-emulator, the local endpoints of this session (each started on first use, stopped at the end)."""
    if _LOCAL not in config.stash:
        enabled = bool(config.getoption("harness_emulator"))
        config.stash[_LOCAL] = LocalEndpoints(config.getoption("harness_responses")) if enabled else None
    return config.stash[_LOCAL]


def _shown(path: Path) -> Path:
    """Relative to the working directory when inside it, as ``harness run`` shows paths."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


class CaseFailed(Exception):
    """A case failed or errored by its verdict; the message is already readable."""


class SuiteFile(pytest.File):
    """One ``*.suite.yaml``: collects its planned trials and runs them all at once, on first need."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.selected: set[str] = set()
        self.selected_count = 0
        self.planned = 0
        #: The whole run, once it ran (a conftest can read it, e.g. in pytest_sessionfinish).
        self.run_results: RunResults | None = None
        self._results: dict[str, CaseVerdict] | None = None
        self._trials: dict[str, list[TrialRecord]] = {}
        self._error: BaseException | None = None

    def options(self, filters: list[str] | None = None) -> SessionOptions:
        config = self.config
        out_root: Path | None = config.getoption("harness_out")
        try:  # sub/b.suite.yaml -> sub/b: suites with the same name in two folders stay apart
            slug = str(self.path.relative_to(config.rootpath)).removesuffix(SUFFIX)
        except ValueError:
            slug = self.path.name.removesuffix(SUFFIX)
        host = _host(config)
        if out_root is not None:
            # html only when its reporter is loaded (HARNESS_LOAD_PLUGINS may pin it out); json always.
            out_dir, formats = out_root / slug, [f for f in ("html", "json") if f == "json" or f in host.reporters]
        else:
            factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
            out_dir, formats = factory.mktemp(f"harness-{slug.replace(os.sep, '-')}"), []
        return SessionOptions(
            load=LoadOptions(host=host, caps=_caps(config)),
            run=RunOptions(
                concurrency=max(1, int(config.getoption("harness_concurrency"))),
                use_cache=not config.getoption("harness_no_cache"),
            ),
            filters=filters or [],
            out_dir=out_dir,
            formats=formats,
            store_path=default_store_path(),
            base_url=os.environ.get("HARNESS_BASE_URL"),
            local=_local(config),
            fail_on="none",
            argv=["pytest", *config.invocation_params.args],
        )

    def collect(self) -> Iterator[CaseItem]:
        options = SessionOptions(load=LoadOptions(host=_host(self.config), caps=_caps(self.config)))
        loaded, trials = prepare(_shown(self.path), options)
        self.planned = len(trials)
        groups: dict[tuple[str, str, str, str], list[PlannedTrial]] = {}
        for t in trials:
            groups.setdefault((t.case_id, t.prompt_id, t.model, t.config_id), []).append(t)
        for key, members in groups.items():
            first = members[0]
            name = f"{first.case_id}[{first.prompt_id}-{first.model}-{first.config_id}]"
            item = CaseItem.from_parent(
                self,
                name=name,
                key=case_id(loaded.suite.name, key),
                case_id=first.case_id,
                repeats=len(members),
                where=(_shown(first.case.file), first.case.line),
            )
            for tag in first.case.case.tags:
                marker = marker_name(tag)
                self.config.addinivalue_line("markers", f"{marker}: harness case tag '{tag}'")
                item.add_marker(marker)
            yield item

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, UserError):
            return safe_text(excinfo.value.format())
        return super().repr_failure(excinfo)

    def results(self) -> dict[str, CaseVerdict]:
        """Run the suite once (the selected cases only) and keep each case verdict by its id."""
        if self._error is not None:
            raise self._error
        if self._results is None:
            partial = self.selected_count < self.planned
            filters = [_glob_escape(c) for c in sorted(self.selected)] if partial else []
            try:
                outcome = execute(_shown(self.path), self.options(filters))
            except BaseException as exc:
                self._error = exc
                raise
            self.run_results = outcome.results
            self._results = {c.id: c for c in outcome.results.cases}
            for trial in outcome.results.trials:
                self._trials.setdefault(case_id(outcome.results.run.suite, case_key(trial)), []).append(trial)
            if outcome.results.run.status == "interrupted":
                self.session.shouldstop = "harness run interrupted"
        return self._results

    def trials_of(self, key: str) -> list[TrialRecord]:
        return sorted(self._trials.get(key, []), key=lambda t: t.repeat)


class CaseItem(pytest.Item):
    """One case x prompt variant x model x config variant, over its repeats."""

    def __init__(self, *, key: str, case_id: str, repeats: int, where: tuple[Path, int | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key
        self.case_id = case_id
        self.repeats = repeats
        self.where = where
        self.user_properties.append(("case_key", key))

    def runtest(self) -> None:
        assert isinstance(self.parent, SuiteFile)
        verdict = self.parent.results().get(self.key)
        if verdict is None:
            raise CaseFailed(f"{self.name}: not run (the run was interrupted)")
        self.user_properties.append(("verdict", verdict.verdict))
        if verdict.verdict in ("fail", "error"):
            raise CaseFailed(describe_failure(verdict, self.parent.trials_of(self.key), self.location_text()))

    def location_text(self) -> str:
        file, line = self.where
        return f"{file}:{line}" if line else str(file)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, (CaseFailed, UserError)):
            return safe_text(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        file, line = self.where
        return file, (line - 1 if line else None), f"case {self.name}"


def describe_failure(verdict: CaseVerdict, trials: list[TrialRecord], where: str) -> str:
    """The case's explanation, then a short table of what failed: repeat, score, threshold, got, reason."""
    head = f"{verdict.case_id} [{verdict.prompt_id} {verdict.model} {verdict.config_id}] ({where})"
    rows = [("repeat", "score", "threshold", "got", "reason")]
    for trial in trials:
        if trial.verdict not in ("fail", "error") and trial.status != "error":
            continue
        if trial.status == "error":
            rows.append((f"r{trial.repeat}", "-", "-", "-", "; ".join(trial.reasons) or "error"))
            continue
        for score in trial.scores:
            reason = score.reason
            if reason is None or (score.passed is not False and score.error is None):
                continue
            turn = f" (turn {score.turn + 1})" if score.turn is not None else ""
            limit = "-" if reason.expected is None else f"{reason.limit or 'expected'} {value_text(reason.expected)}"
            got = value_text(reason.got) if reason.got is not None else value_text(score.value)
            rows.append((f"r{trial.repeat}", f"{score.metric}{turn}", limit, got, reason.text))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    word = "failed" if verdict.verdict == "fail" else "errored"
    lines = [f"{head}: {word}: {verdict.explanation}"]
    for row in rows:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
    answer = next((t.output.text for t in trials if t.verdict == "fail" and t.output and t.output.text), None)
    if answer is not None:
        text = " ".join(answer.split())
        lines.append(f"  answer: {text[:200]}{'...' if len(text) > 200 else ''}")
    return "\n".join(lines)
