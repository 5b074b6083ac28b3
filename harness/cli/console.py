"""Terminal output: a progress bar with ETA while trials run; a summary table and the comparisons at the end.

Every string that comes from a suite, a model or a server goes through ``safe_text`` (harness.log.sanitise)
and is shown as plain text (``cell``, ``say``), never as rich markup: a config id ``[/bold]`` is just text.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

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
from rich.text import Text

from harness.log.deltas import BaselineComparison
from harness.log.results import RunResults, TrialRecord
from harness.log.sanitise import safe_text

if TYPE_CHECKING:
    from harness.run.estimate import Estimate
    from harness.run.session import Outcome

# Logs (CI) are not terminals: give tables room instead of rich's 80-column default.
_WIDTH = max(100, shutil.get_terminal_size((160, 24)).columns)
#: Standard output (tables, results) and standard error (progress, errors) of the command line.
out = Console(width=_WIDTH)
err = Console(stderr=True, width=_WIDTH)


def cell(value: object, style: str = "") -> Text:
    """Untrusted text for a table cell: sanitised, literal (no markup), one line per line it had."""
    return Text(safe_text(value), style=style)


def say(console: Console, text: object) -> None:
    """Print a line of untrusted text: sanitised and literal."""
    console.print(safe_text(text), markup=False, highlight=False, soft_wrap=True)


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
            TextColumn("{task.description}", markup=False, style="bold"),
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
        self.name = safe_text(name, one_line=True)
        self.task = self.progress.add_task(self.name, total=total, passed=0, failed=0, errors=0)

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
            say(
                self.console,
                f"{self.name}: {self.done}/{self.total} trials ({self.done / self.total:.0%}), "
                f"{fields['passed']} ok, {fields['failed']} failed, {fields['errors']} errors, "
                f"{time.monotonic() - self.started:.0f} s",
            )

    def stop(self) -> None:
        self.progress.stop()


class BatchProgress:
    """One line per batch-job state change (and at most every 30 s while it runs): its name, state, progress."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled
        self.started: dict[str, float] = {}
        self.last: dict[str, tuple[str, int | None, float]] = {}

    def __call__(self, job: Any) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        first = self.started.setdefault(job.name, now)
        state, finished, at = self.last.get(job.name, ("", None, 0.0))
        if (job.state, job.finished) == (state, finished) and now - at < 30 and not job.done:
            return
        self.last[job.name] = (job.state, job.finished, now)
        done = f", {job.finished}/{job.requests} answered" if job.finished is not None else f", {job.requests} requests"
        say(self.console, f"batch {job.name}: {job.state}{done}, {now - first:.0f} s")


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def summary_table(results: RunResults) -> Table:
    table = Table(title=cell(f"{results.run.suite} ({results.run.id})"), title_justify="left")
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
            if metric.categories:  # categorical (finish_reason): answers per class, as the reports show them
                classes = ", ".join(f"{safe_text(k)} {v}" for k, v in sorted(metric.categories.items()))
                metrics.append(f"{metric.metric}: {classes}")
                continue
            text = f"{metric.metric}={_fmt(metric.mean)}"
            corpus = [v for k, v in metric.aggregate.items() if k.startswith("corpus") and not k.endswith("_raw")]
            if corpus:
                text += f" (corpus {_fmt(corpus[0])})"
            metrics.append(text)
        table.add_row(
            cell(row.model),
            cell(row.config_id),
            cell(row.prompt_id),
            str(row.trials),
            rate,
            str(row.errors),
            cell("\n".join(metrics) or "-"),
            _fmt(row.latency_ms_p50, 4),
            str(row.total_tokens),
            "-" if row.cost_usd is None else f"{row.cost_usd:.4f}",
        )
    return table


def case_lines(results: RunResults, limit: int = 10) -> list[str]:
    """One line per failing or errored case (repeats grouped), failures first, each with its reasons."""
    order = {"fail": 0, "error": 1}
    bad = sorted((c for c in results.cases if c.verdict in order), key=lambda c: order[c.verdict])
    lines = []
    for case in bad[:limit]:
        label = "FAIL " if case.verdict == "fail" else "ERROR"
        lines.append(f"{label} {case.case_id} [{case.model} · {case.config_id} · {case.prompt_id}]: {case.explanation}")
    if len(bad) > limit:
        lines.append(f"... and {len(bad) - limit} more (the report lists every case)")
    return lines


def baseline_lines(comparison: BaselineComparison, limit: int = 10) -> list[str]:
    """The comparison with a baseline: counts, then each regressed, fixed or errored case with its reason."""
    if comparison.note:
        return [f"baseline: {comparison.note}"]
    lines = [
        f"baseline {comparison.run_id}: {comparison.regressions} regressed, {comparison.fixes} fixed, "
        f"{comparison.errored} errored, {comparison.new} new, {comparison.missing} missing"
    ]
    shown = [c for c in comparison.cases if c.change in ("regressed", "fixed", "errored")]
    for case in shown[:limit]:
        changed = f" (changed: {', '.join(case.changed)})" if case.changed else ""
        lines.append(
            f"  {case.change.upper():<9} {case.case_id} [{case.model} · {case.config_id} · {case.prompt_id}]: "
            f"{case.explanation}{changed}"
        )
    flips = sum(c.flips for c in comparison.cases if c.change == "unchanged")
    if flips:
        lines.append(f"  {flips} repeats flipped inside cases that kept their verdict (in the report; not counted)")
    return lines


def _usd(value: float | None, ceiling: float | None) -> str:
    if value is None:
        return "no price"
    text = f"${value:.3g}"
    return f"{text} to ${ceiling:.3g}" if ceiling is not None and ceiling > value * 1.0001 else text


def estimate_table(found: Estimate) -> Table:
    """The estimate ``harness validate`` prints, one row per model and config."""
    counted = any(r.counted for r in found.rows)
    title = f"estimate: {found.trials} trials, {found.calls} calls" + (
        f", ~{found.input_tokens:,} input tokens ({'counted by the API' if counted else 'estimated'})"
        if found.estimated
        else ""
    )
    table = Table(title=title, title_justify="left", caption_justify="left")
    for column in ("model", "config", "trials", "calls", "input tokens", "cost online", "cost batch"):
        table.add_column(column, overflow="fold")
    for row in found.rows:
        kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(row.by_modality.items()))
        table.add_row(
            cell(row.model),
            cell(row.config_id),
            str(row.trials),
            str(row.calls),
            f"{row.input_tokens:,}" + (f" ({kinds})" if kinds else ""),
            _usd(row.cost_usd, row.cost_max_usd),
            _usd(row.batch_cost_usd, row.batch_max_usd),
        )
    if any(r.cost_max_usd is not None and r.cost_usd is not None and r.cost_max_usd > r.cost_usd for r in found.rows):
        table.caption = "cost: for the input; the upper figure if every answer used all of max_output_tokens"
    return table


def budget_lines(found: Estimate, limit: int = 10) -> list[str]:
    """The budgets a run would break, each at the line of the scorer that sets it."""
    lines = [f"{where}: budget: {safe_text(text, one_line=True)}" for where, text in found.breaks[:limit]]
    if len(found.breaks) > limit:
        lines.append(f"... and {len(found.breaks) - limit} more budgets broken")
    return lines


def print_outcome(outcome: Outcome, quiet: bool) -> None:
    """What the terminal shows after a run: the table, the failing cases, the baseline, then the report paths."""
    results = outcome.results
    if not quiet:
        out.print(summary_table(results))
        for renderable in comparison_tables(results):
            out.print(renderable)
    for line in case_lines(results):
        say(out, line)
    if results.baseline is not None:
        for line in baseline_lines(results.baseline):
            say(out, line)
    if not quiet:
        cached = sum(1 for t in results.trials if t.output and t.output.cached)
        if cached:
            out.print(f"{cached} of {len(results.trials)} answers came from the cache (--no-cache to call again)")
    run = results.run
    if run.status in ("interrupted", "stopped"):
        kept = sum(1 for t in results.trials if not (t.error and t.error.kind == "not_run"))
        head = "interrupted" if run.status == "interrupted" else f"stopped: {run.stop_reason}"
        say(err, head)
        say(err, f"kept {kept} finished trials; finish the run with: harness resume {run.id}")
    # The report to open comes last, where the eye lands: the HTML report when one was written.
    primary = next((p for p in outcome.written if p.suffix == ".html"), outcome.written[0] if outcome.written else None)
    for written in outcome.written:
        if written != primary:
            say(out, f"wrote {written}")
    if primary is not None:
        say(out, f"report: {primary}")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def comparison_tables(results: RunResults) -> list[Table | Text]:
    """The paired comparisons (quality first, then cost and usage apart) and the minimum detectable effects."""
    out: list[Table | Text] = []
    for role, title in (
        ("quality", "Comparisons: one factor at a time, B against A on the same cases"),
        ("cost", "Cost and usage (not quality: never a headline)"),
    ):
        rows = [c for c in results.comparisons if c.role == role]
        if not rows:
            continue
        family = rows[0].family
        table = Table(
            title=f"{title}; p adjusted with Holm over {family}", title_justify="left", caption_justify="left"
        )
        for column in (
            "factor",
            "A",
            "B",
            "held fixed",
            "statistic",
            "A value",
            "B value",
            "B - A [95% CI]",
            "p",
            "p adj",
        ):
            table.add_column(column, overflow="fold")
        table.add_column("B vs A", overflow="fold")
        ordered = sorted(rows, key=lambda c: (c.label == "no clear difference", c.p_adjusted or 1.0))
        for c in ordered:
            a, b, fixed = c.a_level or c.a, c.b_level or c.b, c.held_fixed or ""
            interval = "" if c.ci_low is None or c.ci_high is None else f" [{_num(c.ci_low)}, {_num(c.ci_high)}]"
            verdict = c.label
            style = {"better": "green", "worse": "red"}.get(verdict, "")
            table.add_row(
                cell(c.factor or "-"),
                cell(a),
                cell(b),
                cell(fixed),
                cell(c.metric),
                _num(c.a_value),
                _num(c.b_value),
                f"{c.mean_diff:+.3g}{interval}",
                _p(c.p_value),
                _p(c.p_adjusted),
                Text(verdict, style=style),
            )
        out.append(table)
    for effect in results.power:
        out.append(cell("detectable: " + effect.text))
    return out


def plain(value: object) -> Text:
    """Untrusted text on one line (model names, ids, labels), for the commands' tables."""
    return Text(safe_text(value, one_line=True))


def plain_lines(value: object) -> str:
    """Untrusted text that may span lines (answers, prompts), made safe by the one sanitiser. Print it with
    markup=False."""
    return safe_text(value)
