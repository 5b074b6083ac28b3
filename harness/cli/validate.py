"""``harness validate``: check suites without calling a model."""

from __future__ import annotations

from pathlib import Path

import click

from harness.cli.console import out, say
from harness.cli.options import load_host, load_options, suite_options
from harness.run.estimate import estimate_cost
from harness.run.session import SessionOptions, prepare
from harness.suite.caps import Caps


@click.command()
@click.argument("suites", nargs=-1, required=True, type=click.Path(path_type=Path))
@suite_options
def validate(
    suites: tuple[Path, ...],
    models: tuple[str, ...],
    overrides: tuple[str, ...],
    repeat: int | None,
    filters: tuple[str, ...],
    allow_outside_files: bool,
    allow_python: bool,
    plugins_dir: Path | None,
    max_trials: int,
    max_prompt_chars: int,
    max_cost: float | None,
) -> None:
    """Check suites without calling a model: schema, files, scorer options, generation configs, and every
    template rendered for every case.

    \b
    Example:
      harness validate suites/*.suite.yaml
    """
    host = load_host(plugins_dir)
    caps = Caps(max_trials=max_trials, max_prompt_chars=max_prompt_chars, max_cost_usd=max_cost)
    for path in suites:
        options = SessionOptions(
            load=load_options(host, models, overrides, repeat, allow_outside_files, allow_python, caps),
            filters=list(filters),
        )
        loaded, trials = prepare(path, options)
        cost = ""
        if max_cost is not None:  # prepare checked it; say how much room is left
            found = estimate_cost(loaded.provider_cls, trials)
            cost = f", estimated cost at most ${found.usd:.4f} of --max-cost ${max_cost:g}"
        say(out, f"ok: {path}: {len(loaded.cases)} cases, {len(trials)} trials{cost}")
