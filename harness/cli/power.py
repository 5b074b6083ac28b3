"""``harness plan-power``: how many cases or repeats a suite needs to detect a given difference.

A command of its own rather than an option of ``validate``: validate checks a suite file offline and
never opens the store, while planning needs the spread of a finished run's paired comparisons.
"""

from __future__ import annotations

from pathlib import Path

import click

from harness.cli.console import out, say
from harness.cli.options import load_host, store_option
from harness.errors import UserError
from harness.log.power import plan_for
from harness.log.results import DetectableEffect, RunInfo
from harness.log.sources import results_from_store
from harness.log.store import Store
from harness.run.session import default_store_path, scorer_lookup
from harness.suite.loader import LoadOptions, load_suite

#: How many of the store's most recent runs are searched for the suite's last run.
SEARCHED_RUNS = 1000


def _last_run(store_path: Path, suite: str) -> RunInfo:
    if not store_path.exists():
        raise UserError(f"no store at {store_path}", hint="run the suite first (harness run SUITE), or give --store")
    for info in Store(store_path).runs(SEARCHED_RUNS):
        if info.suite == suite and info.status != "running":
            return info
    raise UserError(
        f"no finished run of suite '{suite}' in the store {store_path}",
        hint="run it first: harness run SUITE (with at least two models, configs or prompts to compare)",
    )


def _describe(effect: DetectableEffect) -> str:
    parts = [f"{effect.cases} cases x {effect.repeats:.3g} repeats", f"{effect.family} comparisons"]
    if effect.sd_between is not None:
        parts.append(f"spread between cases {effect.sd_between:.3g}")
    if effect.sd_within is not None:
        parts.append(f"between repeats {effect.sd_within:.3g}")
    return ", ".join(parts)


@click.command("plan-power")
@click.argument("suite", type=click.Path(path_type=Path))
@click.option(
    "--effect",
    "effects",
    type=click.FloatRange(min=0, min_open=True),
    multiple=True,
    required=True,
    help="The difference to detect, in the statistic's own units (e.g. 0.02 for two WER points); repeatable.",
)
@click.option("--metric", "metrics", multiple=True, help="Only these statistics, e.g. corpus_wer or pass (repeatable).")
@store_option()
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path))
def plan_power(
    suite: Path, effects: tuple[float, ...], metrics: tuple[str, ...], store_path: Path | None, plugins_dir: Path | None
) -> None:
    """How many cases (at the suite's repeats) or repeats (at its cases) the comparisons need to detect a
    difference of EFFECT with 80% power, from the spread of the suite's last stored run.

    \b
    Examples:
      harness plan-power suites/temperature.suite.yaml --effect 0.02
      harness plan-power suites/temperature.suite.yaml --effect 0.02 --effect 0.05 --metric corpus_wer
    """
    host = load_host(plugins_dir)
    loaded = load_suite(suite, LoadOptions(host=host))
    store = store_path or default_store_path()
    info = _last_run(store, loaded.suite.name)
    results = results_from_store(Store(store), info.id, scorer_lookup(host))
    found = [e for e in results.power if not metrics or e.metric in metrics]
    if not found:
        known = ", ".join(e.metric for e in results.power) or "none"
        raise UserError(
            f"run {info.id} of '{loaded.suite.name}' has no paired comparison"
            + (f" of {', '.join(metrics)} (it has: {known})" if metrics else ""),
            hint="power needs two rows to compare: several models, configs or prompts on the same cases",
        )
    say(out, f"from run {info.id} ({info.started_at})")
    for effect in found:
        say(out, f"{effect.metric} ({_describe(effect)}):")
        for target in effects:
            plan = plan_for(effect, target)
            if plan.cases_needed is None and plan.repeats_needed is None:
                say(out, f"  {target:g}: cannot be planned: {plan.note}")
                continue
            options = []
            if plan.cases_needed is not None:
                options.append(f"{plan.cases_needed} cases at {effect.repeats:.3g} repeats")
            if plan.repeats_needed is not None:
                options.append(f"{plan.repeats_needed} repeats with the {effect.cases} cases")
            line = f"  to detect {target:g}: " + " or ".join(options)
            if plan.note:
                line += f" ({plan.note})"
            say(out, line)
