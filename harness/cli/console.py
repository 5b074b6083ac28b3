"""Terminal output: a progress bar with ETA while trials run, and a summary table at the end."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from harness.log.results import RunResults, TrialRecord

# Logs (CI) are not terminals: give tables room instead of rich's 80-column default.
_WIDTH = max(100, shutil.get_terminal_size((160, 24)).columns)
#: Standard output (tables, results) and standard error (progress, errors) of the command line.
out = Console(width=_WIDTH)
err = Console(stderr=True, width=_WIDTH)


class RunProgress:
    """A rich progress bar on a terminal, counting passed, failed and errored trials. In a log (CI), where
    a bar cannot redraw, a plain line at every tenth of the run says it is alive and how it is going."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.console = console
        self.counts: Counter[str] = Counter()
        self.log_lines = enabled and not console.is_terminal
        self.name = ""
        self.total = 0
        self.done = 0
        self.started = 0.0
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "[green]{task.fields[passed]} ok[/] [red]{task.fields[failed]} fail[/] "
                "[yellow]{task.fields[errors]} err[/]"
            ),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled or not console.is_terminal,
            transient=False,
        )
        self.task: Any = None

    def start(self, name: str, total: int) -> None:
        self.counts.clear()
        self.name, self.total, self.done, self.started = name, total, 0, time.monotonic()
        self.progress.start()
        self.task = self.progress.add_task(name, total=total, passed=0, failed=0, errors=0)

    def advance(self, trial: TrialRecord) -> None:
        if trial.status == "error":
            self.counts["errors"] += 1
        elif trial.passed is False:
            self.counts["failed"] += 1
        else:
            self.counts["passed"] += 1
        fields = {k: self.counts[k] for k in ("passed", "failed", "errors")}
        self.progress.update(self.task, advance=1, **fields)  # type: ignore[arg-type]
        self.done += 1
        if self.log_lines and self.total >= 10 and self.done * 10 // self.total > (self.done - 1) * 10 // self.total:
            self.console.print(
                f"{self.name}: {self.done}/{self.total} trials ({self.done / self.total:.0%}), "
                f"{fields['passed']} ok, {fields['failed']} failed, {fields['errors']} errors, "
                f"{time.monotonic() - self.started:.0f} s",
                markup=False,
                highlight=False,
            )

    def stop(self) -> None:
        self.progress.stop()


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def summary_table(results: RunResults) -> Table:
    table = Table(title=f"{results.run.suite} ({results.run.id})", title_justify="left")
    for column in (
        "model",
        "config",
        "prompt",
        "trials",
        "pass rate (95% CI)",
        "errors",
        "metrics",
        "p50 ms",
        "tokens",
        "cost $",
    ):
        table.add_column(column, overflow="fold")
    for row in results.summary:
        rate = "-"
        if row.pass_rate is not None and row.pass_rate_ci is not None:
            rate = f"{row.pass_rate:.0%} [{row.pass_rate_ci[0]:.0%}, {row.pass_rate_ci[1]:.0%}]"
            if row.pass_all_repeats is not None and row.pass_any_repeat is not None:
                rate += f"\nall repeats {row.pass_all_repeats:.0%}, any {row.pass_any_repeat:.0%}"
        metrics = []
        for metric in row.metrics:
            text = f"{metric.metric}={_fmt(metric.mean)}"
            corpus = [v for k, v in metric.aggregate.items() if k.startswith("corpus") and not k.endswith("_raw")]
            if corpus:
                text += f" (corpus {_fmt(corpus[0])})"
            metrics.append(text)
        table.add_row(
            row.model,
            row.config_id,
            row.prompt_id,
            str(row.trials),
            rate,
            str(row.errors),
            "\n".join(metrics) or "-",
            _fmt(row.latency_ms_p50, 4),
            str(row.total_tokens),
            "-" if row.cost_usd is None else f"{row.cost_usd:.4f}",
        )
    return table


def failures(results: RunResults, limit: int = 10) -> list[str]:
    """One line per failed or errored trial (the first ``limit``)."""
    lines = []
    for trial in results.trials:
        where = f"{trial.case_id} [{trial.model} {trial.config_id} {trial.prompt_id} #{trial.repeat}]"
        if trial.status == "error" and trial.error is not None:
            lines.append(f"ERROR {where}: {trial.error.message}")
        elif trial.passed is False:
            bad = [s for s in trial.scores if s.passed is False]
            why = "; ".join(
                f"{s.metric}"
                + (f"={s.value:.3g}" if s.value is not None else "")
                + (f" ({s.error})" if s.error else "")
                for s in bad
            )
            lines.append(f"FAIL  {where}: {why}")
    more = len(lines) - limit
    return lines[:limit] + ([f"... and {more} more"] if more > 0 else [])
