"""The ``markdown`` format: a compact summary for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Order: the run line, regressions against the baseline (when there is one), failures, the summary table,
then the paired comparisons (quality, then cost and usage apart) and what the suite can detect.
Untrusted text (answers, ids, error messages) goes through :func:`md` (or :func:`code` inside a code span), the
one place that escapes it. Numbers come from ``numbers.py``, as in every report.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.api import (
    BaselineComparison,
    PairedComparison,
    ReportContext,
    Reporter,
    RunResults,
    SummaryRow,
    safe_text,
    write_atomic,
)
from harness_reporters.methods import scoring_methods
from harness_reporters.numbers import (
    Notation,
    column_notations,
    interval,
    milliseconds,
    notation_for,
    p_value,
    percent_interval,
    summary_notations,
    usd,
)
from harness_reporters.verdicts import VERDICT_WORD, baseline_of, plural, row_label

#: At most this many regressions and failures are listed (the rest are counted).
MAX_LISTED = 25
# Inline markup only: "(" and ")" make a link only after "]", which is escaped, so they stay as they are.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|~>])")


def md(text: object, limit: int = 200) -> str:
    """Untrusted text as inert Markdown, for a table cell, a list item or a heading.

    Guarantees: one line (every run of whitespace, line breaks included, becomes one space); no escape
    sequences, control characters or CI workflow commands (``safe_text``, the core's one sanitiser); at most
    ``limit`` characters (cut with an ellipsis); no HTML (``&``, ``<`` and ``>`` become entities, so no tag,
    comment or entity survives); no Markdown markup (every character that can start emphasis, code, a link, an
    image, a heading, a quote or a table cell is backslash-escaped). The result reads as the text. (GitHub still
    turns a bare URL into a link, as it does in any text.)
    """
    value = " ".join(safe_text(text, one_line=True).split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", value)


def code(text: object, limit: int = 200) -> str:
    """Untrusted text as an inline code span, shown exactly (a code span shows backslashes and entities as they
    are, so :func:`md` does not apply): one line, fenced by more backticks than it contains."""
    value = " ".join(str(text).split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value else ""
    return f"{fence}{pad}{value}{pad}{fence}"


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
    if run.skipped:
        parts.append(f"{plural(len(run.skipped), 'case')} skipped")
    if run.duration_s is not None:
        parts.append(f"{run.duration_s:.1f} s")
    if cost:
        parts.append(usd(sum(cost)))
    lines = [f"{level} harness: {md(run.suite)}", "", " · ".join(parts)]
    meta = f"run {code(run.id)}"
    if run.git_revision:
        meta += f" · revision {code(run.git_revision)}"
    if run.status != "complete":
        meta += f" · **{run.status}**"
    return [*lines, "", meta, ""]


def _regressions(comparison: BaselineComparison, level: str = "###") -> list[str]:
    if comparison.note:
        return [f"{level} Baseline", "", md(comparison.note, 400), ""]
    lines = [
        f"{level} Against baseline {code(comparison.run_id)}",
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
        shown = column_notations((m.metric, v) for m in changed for v in (m.before, m.after))
        lines += ["", "| model / config / prompt | metric | before | after | Δ |", "|---|---|---:|---:|---:|"]
        for m in changed:
            verdict = f" {m.verdict}" if m.verdict in ("better", "worse") else ""
            notation = shown[m.metric]
            lines.append(
                f"| {md(row_label(m.model, m.config_id, m.prompt_id))} | {md(m.metric)} | "
                f"{notation.text(m.before)} | {notation.text(m.after)} | {interval(m.delta, sign=True)}{verdict} |"
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


def _summary_row(row: SummaryRow, metrics: list[str], shown: dict[str, Notation], cost: Notation) -> str:
    by_metric = {m.metric: m for m in row.metrics}
    rate = percent_interval(row.pass_rate, row.pass_rate_ci)
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
            cell = interval(metric.mean, metric.ci_low, metric.ci_high, shown.get(metric.metric))
            if metric.corpus is not None:
                corpus = metric.corpus
                cell += f" · corpus {interval(corpus.value, corpus.ci_low, corpus.ci_high, shown.get(corpus.name))}"
            cells.append(cell)
    cells.append(milliseconds(row.latency_ms_p50))
    cells.append(usd(row.cost_usd, cost))
    return "| " + " | ".join(cells) + " |"


def _summary(results: RunResults, level: str = "###") -> list[str]:
    metrics = list(dict.fromkeys(m.metric for row in results.summary for m in row.metrics))
    head = ["model", "config", "prompt", "passed", "pass rate [95% CI]", "errors"]
    head += [md(m) for m in metrics] + ["p50 latency", "cost"]
    align = ["---", "---", "---", "---:", "---:", "---:"] + ["---:"] * len(metrics) + ["---:", "---:"]
    lines = [f"{level} Summary", "", "| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    shown = summary_notations(results.summary)
    cost = notation_for(row.cost_usd for row in results.summary)
    lines += [_summary_row(row, metrics, shown, cost) for row in results.summary]
    methods = scoring_methods(results)
    if methods:
        lines += ["", "How the metrics were computed:", ""]
        lines += [f"- **{md(metric)}**: {md(text, limit=600)}" for metric, text in methods]
    return [*lines, ""]


def _comparison_table(comparisons: list[PairedComparison]) -> list[str]:
    head = "| factor | A → B | held fixed | statistic | A | B | B − A [95% CI] | p | p adj (Holm) | B vs A |"
    lines = [head, "|---|---|---|---|---:|---:|---:|---:|---:|---|"]
    ordered = sorted(comparisons, key=lambda c: (c.label == "no clear difference", c.p_adjusted or 1.0))
    sides = column_notations((c.metric, v) for c in ordered for v in (c.a_value, c.b_value))
    for c in ordered[:MAX_LISTED]:
        label = f"**{c.label}**" if c.label in ("better", "worse") else c.label
        side = sides[c.metric]
        lines.append(
            f"| {c.factor or '-'} | {md(c.a_level or c.a)} → {md(c.b_level or c.b)} | {md(c.held_fixed or '')} | "
            f"{md(c.metric)} | {side.text(c.a_value)} | {side.text(c.b_value)} | "
            f"{interval(c.mean_diff, c.ci_low, c.ci_high, sign=True)} | {p_value(c.p_value)} | "
            f"{p_value(c.p_adjusted)} | {label} |"
        )
    if len(ordered) > MAX_LISTED:
        lines += ["", f"… and {len(ordered) - MAX_LISTED} more in results.json"]
    return lines


def _comparisons(results: RunResults, level: str = "###") -> list[str]:
    """Paired comparisons of rows that differ in one factor: quality first, cost and usage apart; power last."""
    quality = [c for c in results.comparisons if c.role == "quality"]
    cost = [c for c in results.comparisons if c.role == "cost"]
    if not quality and not cost and not results.power:
        return []
    lines = []
    sub = level + "#"
    if quality:
        found = sum(c.label != "no clear difference" for c in quality)
        verb = "shows" if found == 1 else "show"
        lines += [
            f"{level} Comparisons: {found} of {len(quality)} {verb} a clear difference",
            "",
            "B against A on the same cases, one factor at a time; p-values adjusted with Holm over the "
            f"{plural(len(quality), 'quality comparison')}.",
            "",
            *_comparison_table(quality),
            "",
        ]
    if cost:
        lines += [f"{sub} Cost and usage (not quality)", "", *_comparison_table(cost), ""]
    if results.power:
        lines += [f"{sub} What this suite can detect", ""]
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
        lines += _comparisons(results, "####")
    return "\n".join(lines)


class MarkdownReporter(Reporter):
    name = "markdown"
    description = "summary.md: a compact summary for $GITHUB_STEP_SUMMARY, regressions first"
    filename = "summary.md"

    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        ctx.out_dir.mkdir(parents=True, exist_ok=True)
        path = ctx.out_dir / self.filename
        return write_atomic(path, markdown_summary(results, baseline_of(results, ctx)))

    def write_combined(self, runs: list[RunResults], out_dir: Path) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / self.filename
        return write_atomic(path, combined_summary(runs))
