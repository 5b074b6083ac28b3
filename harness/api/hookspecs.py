"""Plugin hooks. A plugin implements any of these with ``@harness.api.hookimpl``; docs/plugins.md shows each.

Hooks are called through pluggy with keyword arguments, so an implementation may accept fewer arguments than
its spec lists, and the core can add arguments later without breaking plugins. Registration hooks receive a
``register`` callback (the core owns it and may give it keyword arguments later). Observer hooks receive the
public records of :mod:`harness.log.results`, never internal objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from harness.log.results import RunInfo, RunResults, TrialPlan, TrialRecord

from harness import hookimpl

hookspec = pluggy.HookspecMarker("harness")

#: ``register(cls)``: the callback a registration hook is given.
Register = Callable[..., None]


@hookspec
def register_providers(register: Register) -> None:
    """Register model back-ends: ``register(ProviderClass)``; the class's ``name`` is what ``provider:`` names."""


@hookspec
def register_scorers(register: Register) -> None:
    """Register scorers: ``register(ScorerClass)``; the class's ``name`` is what a suite's ``type:`` names."""


@hookspec
def register_reporters(register: Register) -> None:
    """Register report formats: ``register(ReporterClass)``; the class's ``name`` is a ``--format`` value."""


@hookspec
def register_commands(register: Register) -> None:
    """Add sub-commands to the ``harness`` command line: ``register(click_command)``.

    Called only when the command line needs the list of commands; import heavy modules inside the command.
    """


@hookspec
def run_started(run: RunInfo, trials: list[TrialPlan]) -> None:
    """A run is about to call the model: ``run`` is its RunInfo, ``trials`` what it will run, in order."""


@hookspec
def trial_finished(trial: TrialRecord) -> None:
    """A trial finished and was stored (its record is final)."""


@hookspec
def run_finished(results: RunResults) -> None:
    """A run finished or was interrupted; ``results`` is what was written to results.json."""


#: Every hook name, for checks of plugins and of the docs.
HOOKS: tuple[str, ...] = tuple(
    name for name, value in list(globals().items()) if callable(value) and hasattr(value, "harness_spec")
)

__all__ = ["HOOKS", "Register", "hookimpl", "hookspec"]
