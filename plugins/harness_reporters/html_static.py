"""The HTML report without JavaScript: totals, the summary table, failing and skipped cases, in ``<noscript>``.

Rendered on the server side with every value escaped by :func:`html.escape`, so it needs no script and adds no
request. The interactive report (matrix, trials, details) needs JavaScript; this part says what happened.
"""

from __future__ import annotations

from html import escape

from harness.api import RunResults
from harness_reporters.numbers import milliseconds, percent_interval, summary_notations
from harness_reporters.verdicts import VERDICT_WORD, plural, row_label

#: Failing cases listed without JavaScript (the rest are counted).
MAX_STATIC = 200


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def totals_sentence(results: RunResults) -> str:
    v = results.verdict
    parts = [
        f"{plural(v.cases, 'case')}: {v.passed} passed, {v.failed} failed, {v.errored} errored",
        plural(v.trials, "trial"),
    ]
    if v.errored_trials:
        parts.append(plural(v.errored_trials, "errored trial"))
    if results.run.skipped:
        parts.append(f"{plural(len(results.run.skipped), 'case')} skipped")
    return " · ".join(parts)


def _summary_table(results: RunResults) -> list[str]:
    shown = summary_notations(results.summary)
    metrics = list(dict.fromkeys(m.metric for row in results.summary for m in row.metrics))
    head = ["model / config / prompt", "passed", "pass rate [95% CI]", "errors", *metrics, "latency p50"]
    out = ['<table class="static-summary">', "<caption>Summary by model / config / prompt</caption>", "<thead><tr>"]
    out += [f'<th scope="col">{_e(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in results.summary:
        by = {m.metric: m for m in row.metrics}
        cells = [
            f'<th scope="row">{_e(row_label(row.model, row.config_id, row.prompt_id))}</th>',
            f"<td>{row.passed}/{row.trials}</td>",
            f"<td>{_e(percent_interval(row.pass_rate, row.pass_rate_ci))}</td>",
            f"<td>{row.errors}</td>",
        ]
        for name in metrics:
            metric = by.get(name)
            value = "-" if metric is None or metric.mean is None else shown[name].text(metric.mean)
            cells.append(f"<td>{_e(value)}</td>")
        cells.append(f"<td>{_e(milliseconds(row.latency_ms_p50))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return out


def static_report(results: RunResults) -> str:
    """The ``<noscript>`` body: what happened, readable with scripts off."""
    run = results.run
    out = [
        '<div class="static">',
        f"<h1>harness · {_e(run.suite)}</h1>",
        f"<p><strong>{_e(VERDICT_WORD[results.verdict.verdict])}</strong> · {_e(totals_sentence(results))}</p>",
        f'<p class="muted">run {_e(run.id)} · started {_e(run.started_at)}'
        + (f" · revision {_e(run.git_revision)}" if run.git_revision else "")
        + "</p>",
        *_summary_table(results),
    ]
    order = {"fail": 0, "error": 1}
    bad = sorted((c for c in results.cases if c.verdict in order), key=lambda c: order[c.verdict])
    if bad:
        out.append(f'<h2>Failing cases ({len(bad)})</h2><ul class="static-failures">')
        for case in bad[:MAX_STATIC]:
            word = "failed" if case.verdict == "fail" else "errored"
            label = row_label(case.model, case.config_id, case.prompt_id)
            out.append(f"<li><strong>{_e(case.case_id)}</strong> {word} · {_e(label)} — {_e(case.explanation)}</li>")
        if len(bad) > MAX_STATIC:
            out.append(f"<li>… and {len(bad) - MAX_STATIC} more</li>")
        out.append("</ul>")
    if run.skipped:
        out.append(f"<h2>Skipped cases ({len(run.skipped)})</h2><ul>")
        out += [f"<li>{_e(s.case_id)} ({_e(s.file)}:{_e(s.line or '')})</li>" for s in run.skipped]
        out.append("</ul>")
    out.append(
        "<p>Turn JavaScript on for the matrix, every trial and its details; "
        "results.json beside this file has the whole record.</p></div>"
    )
    return "\n".join(out)
