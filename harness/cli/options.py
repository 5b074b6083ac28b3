"""Options and parsing shared by the ``harness`` commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from harness.api.host import PluginHost, load_plugins
from harness.suite.caps import DEFAULT_MAX_PROMPT_CHARS, DEFAULT_MAX_TRIALS, Caps
from harness.suite.loader import LoadOptions

F = TypeVar("F", bound=Callable[..., Any])


def parse_formats(value: str) -> list[str]:
    return [f.strip() for f in value.split(",") if f.strip()]


def load_host(plugins_dir: Path | None) -> PluginHost:
    return load_plugins(plugins_dir)


#: Where the runs, trials and the response cache live unless ``--store`` says otherwise.
STORE_HELP = "SQLite store (default .harness/harness.db or $HARNESS_STORE)."


def store_option(help: str = STORE_HELP) -> Callable[[F], F]:
    """``--store PATH`` (``store_path``), the same in every command that reads or writes the store."""
    return click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path), help=help)


def suite_options(func: F) -> F:
    """Options shared by ``run`` and ``validate``."""
    decorators = [
        click.option(
            "--model",
            "-m",
            "models",
            multiple=True,
            help="Run these models instead of the suite's (repeatable).",
        ),
        click.option(
            "--set",
            "overrides",
            multiple=True,
            metavar="KEY=VALUE",
            help="Override a suite value, e.g. --set defaults.config.temperature=0.2.",
        ),
        click.option("--repeat", type=click.IntRange(1, 1000), help="Repeat every trial N times."),
        click.option(
            "--filter",
            "filters",
            multiple=True,
            metavar="PATTERN",
            help="Only cases, prompts or models matching this glob; tag:NAME for tags (repeatable).",
        ),
        click.option(
            "--allow-outside-files",
            is_flag=True,
            help="Allow media, prompt and case files outside the suite's folder.",
        ),
        click.option(
            "--allow-python", is_flag=True, help="Allow 'python' scorers to run code from the suite's folder."
        ),
        click.option(
            "--plugins-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Load every *.py file in this folder as a plugin.",
        ),
        click.option(
            "--max-trials",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_TRIALS,
            show_default=True,
            help="Refuse a suite that plans more trials than this (suites are untrusted; see docs/security.md).",
        ),
        click.option(
            "--max-prompt-chars",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_PROMPT_CHARS,
            show_default=True,
            help="Refuse a suite whose requests send more characters of text than this.",
        ),
        click.option(
            "--max-cost",
            type=click.FloatRange(min=0, min_open=True),
            metavar="USD",
            help="validate: refuse a suite whose estimated cost (every call at max_output_tokens) passes this; "
            "run: start no call once spent plus in-flight estimates would pass it (overrides the suite's budget:; "
            "trials not started are recorded as not run, and `harness resume` finishes them).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def load_options(
    host: PluginHost,
    models: tuple[str, ...],
    overrides: tuple[str, ...],
    repeat: int | None,
    allow_outside_files: bool,
    allow_python: bool,
    caps: Caps | None = None,
) -> LoadOptions:
    return LoadOptions(
        host=host,
        allow_outside=allow_outside_files,
        allow_python=allow_python,
        overrides=list(overrides),
        models=list(models),
        repeat=repeat,
        caps=caps or Caps(),
    )
