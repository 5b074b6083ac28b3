"""The ``markdown`` format: a compact summary for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Order: the run line, regressions against the baseline (when there is one), failures, then the summary
table. Untrusted text (answers, ids, error messages) is escaped so it cannot inject markup or break a table.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.api import BaselineComparison, ReportContext, Reporter, RunResults, SummaryRow
from harness_reporters.verdicts import baseline_of, failure_reason, format_value, row_label

#: At most this many regressions and failures are listed (the rest are counted).
MAX_LISTED = 25
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def md(text: object, limit: int = 200) -> str:
    """Escape text for a Markdown table cell or list item: one line, no HTML, no markup."""
    value = " ".join(str(text).split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", value)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _ci(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f" [{format_value(low)}, {format_value(high)}]"


def _header(results: RunResults) -> list[str]:
    run = results.run
    total = len(results.trials)
    passed = sum(1 for t in results.trials if t.passed)
    errors = sum(1 for t in results.trials if t.status == "error")
    failed = sum(1 for t in results.trials if t.passed is False and t.status != "error")
    cost = [r.cost_usd for r in results.summary if r.cost_usd is not None]
    parts = [f"{total} trials", f"{passed} passed", f"{failed} failed", f"{errors} errors"]
    if run.duration_s is not None:
        parts.append(f"{run.duration_s:.1f} s")
    if cost:
        parts.append(f"${sum(cost):.4f}")
    lines = [f"## harness: {md(run.suite)}", "", " · ".join(parts)]
    meta = f"run `{md(run.id)}`"
    if run.git_revision:
        meta += f" · revision `{md(run.git_revision[:12])}`"
    if run.status != "complete":
        meta += f" · **{run.status}**"
    return [*lines, "", meta, ""]


def _regressions(comparison: BaselineComparison) -> list[str]:
    lines = [
        f"### Regressions against baseline `{md(comparison.run_id)}`",
        "",
        f"{comparison.regressions} regressed · {comparison.fixes} fixed · {comparison.new} new · "
        f"{comparison.removed} removed",
        "",
    ]
    regressed = [d for d in comparison.trials if d.change == "regressed"]
    for delta in regressed[:MAX_LISTED]:
        label = row_label(delta.model, delta.config_id, delta.prompt_id)
        deltas = ", ".join(f"{md(k)} {v:+.4g}" for k, v in sorted(delta.metric_deltas.items()))
        inputs = [c for c in delta.changed if c != "answer"]
        why = f" · changed: {', '.join(inputs)}" if inputs else (" · same inputs" if delta.changed else "")
        lines.append(
            f"- **{md(delta.case_id)}** #{delta.repeat} · {md(label)}" + (f" · {deltas}" if deltas else "") + why
        )
    if len(regressed) > MAX_LISTED:
        lines.append(f"- … and {len(regressed) - MAX_LISTED} more")
    changed = sorted((m for m in comparison.metrics if m.delta), key=lambda m: m.verdict != "worse")
    if changed:
        lines += ["", "| model / config / prompt | metric | before | after | Δ |", "|---|---|---:|---:|---:|"]
        for m in changed:
            verdict = f" {m.verdict}" if m.verdict in ("better", "worse") else ""
            lines.append(
                f"| {md(row_label(m.model, m.config_id, m.prompt_id))} | {md(m.metric)} | "
                f"{format_value(m.before)} | {format_value(m.after)} | {m.delta:+.4g}{verdict} |"
            )
    return [*lines, ""]


def _failures(results: RunResults) -> list[str]:
    failing = [t for t in results.trials if t.passed is False or t.status == "error"]
    if not failing:
        return []
    lines = [f"### Failures ({len(failing)})", ""]
    for trial in failing[:MAX_LISTED]:
        label = row_label(trial.model, trial.config_id, trial.prompt_id)
        lines.append(f"- **{md(trial.case_id)}** #{trial.repeat} · {md(label)} — {md(failure_reason(trial))}")
    if len(failing) > MAX_LISTED:
        lines.append(f"- … and {len(failing) - MAX_LISTED} more (see the HTML report)")
    return [*lines, ""]


def _summary_row(row: SummaryRow, metrics: list[str]) -> str:
    by_metric = {m.metric: m for m in row.metrics}
    rate = _pct(row.pass_rate)
    if row.pass_rate_ci is not None:
        rate += f" [{_pct(row.pass_rate_ci[0])}, {_pct(row.pass_rate_ci[1])}]"
    cells = [
        md(row.model),
        md(row.config_id),
        md(row.prompt_id),
        f"{row.passed}/{row.trials}",
        rate,
        str(row.errors),
    ]
    for name in metrics:
        metric = by_metric.get(name)
        cells.append("-" if metric is None else format_value(metric.mean) + _ci(metric.ci_low, metric.ci_high))
    cells.append(format_value(row.latency_ms_p50))
    cells.append("-" if row.cost_usd is None else f"${row.cost_usd:.4f}")
    return "| " + " | ".join(cells) + " |"


def _summary(results: RunResults) -> list[str]:
    metrics = list(dict.fromkeys(m.metric for row in results.summary for m in row.metrics))
    head = ["model", "config", "prompt", "passed", "pass rate [95% CI]", "errors"]
    head += [md(m) for m in metrics] + ["p50 ms", "cost"]
    lines = ["### Summary", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += [_summary_row(row, metrics) for row in results.summary]
    return [*lines, ""]


def _pass_rate_gate(results: RunResults) -> list[str]:
    """Cases whose repeats fell below their min_pass_rate (only when a suite or case sets one)."""
    gated = [v for v in results.cases if v.min_pass_rate is not None and v.ok is not None]
    if not gated:
        return []
    below = [v for v in gated if not v.ok]
    lines = [f"### Pass-rate gate: {len(gated) - len(below)} of {len(gated)} case groups passed", ""]
    for v in below[:MAX_LISTED]:
        label = row_label(v.model, v.config_id, v.prompt_id)
        lines.append(f"- **{md(v.case_id)}** · {md(label)} — {v.passed}/{v.trials} passed, below {v.min_pass_rate:.0%}")
    return [*lines, ""]


def markdown_summary(results: RunResults, comparison: BaselineComparison | None) -> str:
    lines = _header(results)
    if comparison is not None:
        lines += _regressions(comparison)
    lines += _pass_rate_gate(results)
    lines += _failures(results)
    lines += _summary(results)
    return "\n".join(lines)


class MarkdownReporter(Reporter):
    name = "markdown"
    description = "summary.md: a compact summary for $GITHUB_STEP_SUMMARY, regressions first"
    filename = "summary.md"

    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        ctx.out_dir.mkdir(parents=True, exist_ok=True)
        path = ctx.out_dir / self.filename
        path.write_text(markdown_summary(results, baseline_of(results, ctx)), encoding="utf-8")
        return path
