"""Run suites as pytest tests: ``pytest --harness suites/`` collects ``*.suite.yaml``, one test per trial.

Collection loads and plans each suite without calling a model; a mistake in a suite is a collection
error showing its file:line. The first selected trial of a suite runs the suite once (only the cases
that have a selected trial, when ``-k`` or ``--deselect`` drop some); every trial then reports its
own verdict. Registered through the ``pytest11`` entry point; it does nothing without ``--harness``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.api.host import PluginHost, load_plugins
from harness.errors import UserError
from harness.log.results import RunResults, TrialRecord
from harness.run.endpoints import LocalEndpoints
from harness.run.runner import RunOptions
from harness.run.session import SessionOptions, default_store_path, execute, prepare
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


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> SuiteFile | None:
    if parent.config.getoption("harness") and file_path.name.endswith(SUFFIX):
        suite: SuiteFile = SuiteFile.from_parent(parent, path=file_path)
        return suite
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Remember which trials survived ``-k``/``-m``/``--deselect``, so a suite runs only what is needed."""
    for item in session.items:
        if isinstance(item, TrialItem) and isinstance(item.parent, SuiteFile):
            item.parent.selected.add(item.case_id)
            item.parent.selected_count += 1


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


class TrialFailed(Exception):
    """A trial errored or a required score failed; the message is already readable."""


class SuiteFile(pytest.File):
    """One ``*.suite.yaml``: collects its planned trials and runs them all at once, on first need."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.selected: set[str] = set()
        self.selected_count = 0
        self.planned = 0
        #: The whole run, once it ran (a conftest can read it, e.g. in pytest_sessionfinish).
        self.run_results: RunResults | None = None
        self._results: dict[str, TrialRecord] | None = None
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
            load=LoadOptions(host=host),
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

    def collect(self) -> Iterator[TrialItem]:
        _, trials = prepare(_shown(self.path), SessionOptions(load=LoadOptions(host=_host(self.config))))
        self.planned = len(trials)
        for t in trials:
            name = f"{t.case_id}[{t.prompt_id}-{t.model}-{t.config_id}-r{t.repeat}]"
            yield TrialItem.from_parent(
                self, name=name, trial_id=t.id, case_id=t.case_id, where=(_shown(t.case.file), t.case.line)
            )

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, UserError):
            return excinfo.value.format()
        return super().repr_failure(excinfo)

    def results(self) -> dict[str, TrialRecord]:
        """Run the suite once (the selected cases only) and keep each trial's record by id."""
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
            self._results = {t.id: t for t in outcome.results.trials}
            if outcome.results.run.status == "interrupted":
                self.session.shouldstop = "harness run interrupted"
        return self._results


class TrialItem(pytest.Item):
    """One trial: case x prompt variant x model x config variant x repeat."""

    def __init__(self, *, trial_id: str, case_id: str, where: tuple[Path, int | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.trial_id = trial_id
        self.case_id = case_id
        self.where = where
        self.user_properties.append(("trial_id", trial_id))

    def runtest(self) -> None:
        assert isinstance(self.parent, SuiteFile)
        record = self.parent.results().get(self.trial_id)
        if record is None:
            raise TrialFailed(f"{self.name}: not run (the run was interrupted)")
        if record.weighted_score is not None:
            self.user_properties.append(("weighted_score", record.weighted_score))
        if record.status == "error" or record.passed is False:
            raise TrialFailed(describe_failure(record, self.location_text()))

    def location_text(self) -> str:
        file, line = self.where
        return f"{file}:{line}" if line else str(file)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, (TrialFailed, UserError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        file, line = self.where
        return file, (line - 1 if line else None), f"trial {self.name}"


def describe_failure(record: TrialRecord, where: str) -> str:
    """A few lines a person can act on: the error, or each failed score with its reason."""
    head = f"{record.case_id} [{record.prompt_id} {record.model} {record.config_id} r{record.repeat}] ({where})"
    if record.status == "error" and record.error is not None:
        e = record.error
        code = f" {e.code}" if e.code is not None else ""
        tries = f" after {e.attempts} attempts" if e.attempts > 1 else ""
        return f"{head}: {e.kind} error{code}{tries}: {e.message}"
    lines = [f"{head}: failed"]
    for s in record.scores:
        if s.passed is not False and s.error is None:
            continue
        turn = f" (turn {s.turn + 1})" if s.turn is not None else ""
        value = "-" if s.value is None else f"{s.value:g}"
        lines.append(f"  {s.metric}{turn} [{s.scorer}] = {value}: {s.error or _reason(s.details)}")
    if record.output is not None and record.output.text is not None:
        text = record.output.text.replace("\n", " ")
        lines.append(f"  answer: {text[:200]}{'...' if len(text) > 200 else ''}")
    return "\n".join(lines)


def _reason(details: dict[str, Any]) -> str:
    for key in ("reason", "reasoning", "message", "explanation"):
        if isinstance(details.get(key), str):
            return str(details[key])[:300]
    text = json.dumps(details, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "..."
