"""The ``markdown`` format: a compact summary for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Order: the run line, regressions against the baseline (when there is one), failures, the summary table,
then the paired comparisons (quality, then cost and usage apart) and what the suite can detect.
Untrusted text (answers, ids, error messages) is escaped so it cannot inject markup or break a table.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.api import BaselineComparison, PairedComparison, ReportContext, Reporter, RunResults, SummaryRow
from harness_reporters.methods import scoring_methods
from harness_reporters.verdicts import baseline_of, format_value, row_label

#: At most this many regressions and failures are listed (the rest are counted).
MAX_LISTED = 25
# Inline markup only: "(" and ")" make a link only after "]", which is escaped, so they stay as they are.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|~>])")


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


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 case``, ``2 cases``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


VERDICT_WORD = {"pass": "passed", "fail": "FAILED", "error": "incomplete (errors)", "unscored": "nothing scored"}


def _header(results: RunResults, level: str = "##") -> list[str]:
    run, verdict = results.run, results.verdict
    cost = [r.cost_usd for r in results.summary if r.cost_usd is not None]
    parts = [
        f"**{VERDICT_WORD[verdict.verdict]}**",
        f"{plural(verdict.cases, 'case')}: {verdict.passed} passed, {verdict.failed} failed, {verdict.errored} errored",
        plural(verdict.trials, "trial"),
    ]
    if verdict.errored_trials:
        parts.append(plural(verdict.errored_trials, "errored trial"))
    if run.duration_s is not None:
        parts.append(f"{run.duration_s:.1f} s")
    if cost:
        parts.append(f"${sum(cost):.4f}")
    lines = [f"{level} harness: {md(run.suite)}", "", " · ".join(parts)]
    meta = f"run `{md(run.id)}`"
    if run.git_revision:
        meta += f" · revision `{md(run.git_revision)}`"
    if run.status != "complete":
        meta += f" · **{run.status}**"
    return [*lines, "", meta, ""]


def _regressions(comparison: BaselineComparison, level: str = "###") -> list[str]:
    if comparison.note:
        return [f"{level} Baseline", "", md(comparison.note, 400), ""]
    lines = [
        f"{level} Against baseline `{md(comparison.run_id)}`",
        "",
        f"{comparison.regressions} regressed · {comparison.fixes} fixed · {comparison.errored} errored · "
        f"{comparison.new} new · {comparison.missing} missing",
        "",
    ]
    order = {"regressed": 0, "errored": 1, "fixed": 2}
    changed_cases = sorted((c for c in comparison.cases if c.change in order), key=lambda c: order[c.change])
    for case in changed_cases[:MAX_LISTED]:
        label = row_label(case.model, case.config_id, case.prompt_id)
        inputs = [c for c in case.changed if c != "answer"]
        why = f" · changed: {', '.join(inputs)}" if inputs else (" · same inputs" if case.changed else "")
        lines.append(f"- **{case.change}** **{md(case.case_id)}** · {md(label)} — {md(case.explanation)}{why}")
    if len(changed_cases) > MAX_LISTED:
        lines.append(f"- … and {len(changed_cases) - MAX_LISTED} more")
    flips = sum(c.flips for c in comparison.cases if c.change == "unchanged")
    if flips:
        lines.append(f"- {plural(flips, 'repeat')} flipped inside cases that kept their verdict (not counted)")
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


def _failures(results: RunResults, level: str = "###") -> list[str]:
    """Failing cases first, then errored ones; repeats of one case are one line with its reasons."""
    order = {"fail": 0, "error": 1}
    bad = sorted((c for c in results.cases if c.verdict in order), key=lambda c: order[c.verdict])
    if not bad:
        return []
    lines = [f"{level} Failing cases ({len(bad)})", ""]
    for case in bad[:MAX_LISTED]:
        label = row_label(case.model, case.config_id, case.prompt_id)
        word = "failed" if case.verdict == "fail" else "errored"
        lines.append(f"- **{md(case.case_id)}** {word} · {md(label)} — {md(case.explanation, 400)}")
    if len(bad) > MAX_LISTED:
        lines.append(f"- … and {len(bad) - MAX_LISTED} more (see the HTML report)")
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
        if metric is None:
            cells.append("-")
        elif metric.categories:
            cells.append(", ".join(f"{md(k)} {v}" for k, v in sorted(metric.categories.items())))
        else:
            cell = format_value(metric.mean) + _ci(metric.ci_low, metric.ci_high)
            if metric.corpus is not None:
                corpus = metric.corpus
                cell += f" · corpus {format_value(corpus.value)}{_ci(corpus.ci_low, corpus.ci_high)}"
            cells.append(cell)
    cells.append(format_value(row.latency_ms_p50))
    cells.append("-" if row.cost_usd is None else f"${row.cost_usd:.4f}")
    return "| " + " | ".join(cells) + " |"


def _summary(results: RunResults) -> list[str]:
    metrics = list(dict.fromkeys(m.metric for row in results.summary for m in row.metrics))
    head = ["model", "config", "prompt", "passed", "pass rate [95% CI]", "errors"]
    head += [md(m) for m in metrics] + ["p50 ms", "cost"]
    lines = ["### Summary", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += [_summary_row(row, metrics) for row in results.summary]
    methods = scoring_methods(results)
    if methods:
        lines += ["", "How the metrics were computed:", ""]
        lines += [f"- **{md(metric)}**: {md(text, limit=600)}" for metric, text in methods]
    return [*lines, ""]


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _comparison_table(comparisons: list[PairedComparison]) -> list[str]:
    head = "| factor | A → B | held fixed | statistic | A | B | B − A [95% CI] | p | p adj (Holm) | B vs A |"
    lines = [head, "|---|---|---|---|---:|---:|---:|---:|---:|---|"]
    ordered = sorted(comparisons, key=lambda c: (c.label == "no clear difference", c.p_adjusted or 1.0))
    for c in ordered[:MAX_LISTED]:
        label = f"**{c.label}**" if c.label in ("better", "worse") else c.label
        lines.append(
            f"| {c.factor or '-'} | {md(c.a_level or c.a)} → {md(c.b_level or c.b)} | {md(c.held_fixed or '')} | "
            f"{md(c.metric)} | {format_value(c.a_value)} | {format_value(c.b_value)} | "
            f"{c.mean_diff:+.4g}{_ci(c.ci_low, c.ci_high)} | {_p(c.p_value)} | {_p(c.p_adjusted)} | {label} |"
        )
    if len(ordered) > MAX_LISTED:
        lines += ["", f"… and {len(ordered) - MAX_LISTED} more in results.json"]
    return lines


def _comparisons(results: RunResults) -> list[str]:
    """Paired comparisons of rows that differ in one factor: quality first, cost and usage apart; power last."""
    quality = [c for c in results.comparisons if c.role == "quality"]
    cost = [c for c in results.comparisons if c.role == "cost"]
    if not quality and not cost and not results.power:
        return []
    lines = []
    if quality:
        found = sum(c.label != "no clear difference" for c in quality)
        lines += [
            f"### Comparisons: {found} of {len(quality)} show a clear difference",
            "",
            "B against A on the same cases, one factor at a time; p-values adjusted with Holm over the "
            f"{len(quality)} quality comparisons.",
            "",
            *_comparison_table(quality),
            "",
        ]
    if cost:
        lines += ["#### Cost and usage (not quality)", "", *_comparison_table(cost), ""]
    if results.power:
        lines += ["#### What this suite can detect", ""]
        lines += [f"- {md(effect.text, limit=400)}" for effect in results.power]
        lines.append("")
    return lines


def markdown_summary(results: RunResults, comparison: BaselineComparison | None) -> str:
    lines = _header(results)
    if comparison is not None:
        lines += _regressions(comparison)
    lines += _failures(results)
    lines += _summary(results)
    lines += _comparisons(results)
    return "\n".join(lines)


def combined_summary(runs: list[RunResults]) -> str:
    """Every suite of one command in one page (for ``$GITHUB_STEP_SUMMARY``): a verdict table, then each suite."""
    lines = [
        "## harness",
        "",
        "| suite | verdict | cases | passed | failed | errored | regressed |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for results in runs:
        v, b = results.verdict, results.baseline
        regressed = "-" if b is None or b.note else str(b.regressions)
        lines.append(
            f"| {md(results.run.suite)} | {VERDICT_WORD[v.verdict]} | {v.cases} | {v.passed} | {v.failed} | "
            f"{v.errored} | {regressed} |"
        )
    lines.append("")
    for results in runs:
        lines += _header(results, "###")
        if results.baseline is not None:
            lines += _regressions(results.baseline, "####")
        lines += _failures(results, "####")
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

    def write_combined(self, runs: list[RunResults], out_dir: Path) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / self.filename
        path.write_text(combined_summary(runs), encoding="utf-8")
        return path
