"""``harness runs``: the run history of the store, one line per run, newest first."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from harness.cli.console import out, plain
from harness.cli.options import store_option
from harness.log.history import history
from harness.log.store import Store
from harness.run.session import default_store_path


@click.command()
@click.option("--suite", help="Only runs of this suite (its name or its file as run).")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="How many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@store_option("The store to read.")
def runs(suite: str | None, limit: int, as_json: bool, store_path: Path | None) -> None:
    """List recent runs with their pass rate, trials, cost, duration, git revision and command (their ids work
    with `harness show --run`, `harness report`, `harness compare` and `--baseline`).

    \b
    Examples:
      harness runs --limit 5
      harness runs --suite transcription
    """
    from rich.table import Table

    store = Store(store_path or default_store_path())
    found = history(store, suite, limit)
    store.close()
    if as_json:
        for totals in found:
            click.echo(totals.model_dump_json())
        return
    table = Table("run id", "suite", "started", "pass rate", "trials", "cost $", "duration s", "git", "command")
    for t in found:
        rate = "-" if t.pass_rate is None else f"{t.pass_rate:.0%} ({t.passed}/{t.passed + t.failed})"
        if t.status != "complete":
            rate += f" {t.status}"
        trials = str(t.trials) + (f" ({t.errored_trials} err)" if t.errored_trials else "")
        table.add_row(
            plain(t.run_id),
            plain(t.suite),
            plain(t.started_at.replace("T", " ")[:19]),
            rate,
            trials,
            "-" if t.cost_usd is None else f"{t.cost_usd:.4f}",
            "-" if t.duration_s is None else f"{t.duration_s:.1f}",
            plain(t.git_revision or "-"),
            plain(("harness " + shlex.join(t.argv)) if t.argv else "-"),
        )
    out.print(table)
    if not found:
        out.print("no runs in " + json.dumps(str(store.path)) + " (harness run writes them)", markup=False)
