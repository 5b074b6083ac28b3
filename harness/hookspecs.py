"""Plugin hooks. A plugin implements any of these with ``@harness.hookimpl``.

Registration hooks receive a ``register`` callback, so the core can add keyword arguments later
without breaking plugins. Observer hooks let a plugin watch a run (progress, logging, exporters).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("harness")


@hookspec
def register_providers(register: Callable[..., None]) -> None:
    """Register model back-ends: ``register(ProviderClass)``. The class's ``name`` is its key."""


@hookspec
def register_scorers(register: Callable[..., None]) -> None:
    """Register scorers: ``register(ScorerClass)``. The class's ``name`` is what suites write."""


@hookspec
def register_reporters(register: Callable[..., None]) -> None:
    """Register report formats: ``register(ReporterClass)``; its ``name`` is a ``--format`` value."""


@hookspec
def run_started(run: Any, trials: list[Any]) -> None:
    """A run is about to start (``run`` is a RunInfo; ``trials`` the planned trials)."""


@hookspec
def trial_finished(trial: Any) -> None:
    """A trial finished and was stored (``trial`` is a TrialRecord)."""


@hookspec
def run_finished(results: Any) -> None:
    """A run finished or was interrupted (``results`` is the RunResults written to disk)."""
