from __future__ import annotations

from factory import make_results

from harness.api.reporting import ReportContext
from harness_reporters.markdown import MarkdownReporter, md


def test_order_is_regressions_then_failures_then_summary(results, ctx) -> None:  # type: ignore[no-untyped-def]
    text = MarkdownReporter().write(results, ctx).read_text(encoding="utf-8")
    regressions = text.index("### Against baseline")
    failures = text.index("### Failing cases")
    summary = text.index("### Summary")
    assert regressions < failures < summary
    assert f"{results.baseline.regressions} regressed" in text  # type: ignore[union-attr]
    assert "invoice-extract" in text[regressions:failures]
    assert "| gemini-2.5-flash | temperature=0 | plain |" in text


def test_no_regression_section_without_a_baseline(ctx) -> None:  # type: ignore[no-untyped-def]
    text = MarkdownReporter().write(make_results(with_baseline=False), ctx).read_text(encoding="utf-8")
    assert "Against baseline" not in text
    assert text.index("### Failing cases") < text.index("### Summary")


def test_the_core_s_baseline_comparison_is_shown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from harness.log.assemble import rejudged
    from harness.log.baseline import compare_runs

    current = make_results(with_baseline=False)
    baseline = make_results(with_baseline=False)
    passing = next(c for c in current.cases if c.verdict == "pass")
    for trial in baseline.trials:  # that case failed in the baseline, so it is fixed now
        if (trial.case_id, trial.model, trial.config_id) == (passing.case_id, passing.model, passing.config_id):
            trial.verdict, trial.passed = "fail", False
    current.baseline = compare_runs(current, rejudged(baseline))
    out = MarkdownReporter().write(current, ReportContext(out_dir=tmp_path, baseline=baseline))
    assert "1 fixed" in out.read_text(encoding="utf-8")


def test_untrusted_text_cannot_inject_markup_or_break_tables() -> None:
    escaped = md("<img src=x onerror=alert(1)> | **bold**\nnext line")
    assert "<" not in escaped and ">" not in escaped
    assert "\n" not in escaped
    assert "\\|" in escaped and "\\*\\*bold\\*\\*" in escaped
    assert md("x" * 500).endswith("…")


def test_hostile_case_ids_are_escaped(results, ctx) -> None:  # type: ignore[no-untyped-def]
    text = MarkdownReporter().write(results, ctx).read_text(encoding="utf-8")
    assert "hostile-&lt;b&gt;markup&lt;/b&gt;" in text
    assert "<b>" not in text and "<script" not in text


def test_failing_cases_are_listed_once_with_the_core_s_explanation() -> None:
    from harness_reporters.markdown import markdown_summary

    results = make_results(with_baseline=False)
    text = markdown_summary(results, None)
    failing = [c for c in results.cases if c.verdict == "fail"]
    assert f"### Failing cases ({len(failing) + results.verdict.errored})" in text
    section = text.split("### Failing cases")[1].split("### Summary")[0]
    for case in failing:
        assert md(case.explanation, 400) in section
    assert section.count("**jfk-flac** failed") == sum(c.case_id == "jfk-flac" for c in failing)  # repeats: one line


def test_regressions_say_what_changed() -> None:
    from harness_reporters.markdown import markdown_summary

    results = make_results()
    assert results.baseline is not None
    regressed = next(d for d in results.baseline.cases if d.change == "regressed")
    regressed.changed = ["prompt", "answer"]
    text = markdown_summary(results, results.baseline)
    assert "changed: prompt" in text


def test_comparisons_follow_the_summary_with_holm_and_cost_apart(ctx) -> None:  # type: ignore[no-untyped-def]
    from harness.api import PairedComparison

    results = make_results(with_baseline=False)
    assert results.comparisons and results.power
    quality = [c for c in results.comparisons if c.role == "quality"]
    hostile = PairedComparison(
        metric="cost_usd",
        a="x",
        b="y",
        n=3,
        mean_diff=0.5,
        role="cost",
        label="higher",
        factor="model",
        a_level="<b>evil|model</b>",
        b_level="m2",
        held_fixed="c / p",
        p_adjusted=0.01,
    )
    results.comparisons.append(hostile)
    text = MarkdownReporter().write(results, ctx).read_text(encoding="utf-8")
    section = text[text.index("### Comparisons") :]
    assert text.index("### Summary") < text.index("### Comparisons")
    assert f"Holm over the {len(quality)} quality comparisons" in section
    cost = section[section.index("#### Cost and usage (not quality)") :]
    assert "&lt;b&gt;evil\\|model&lt;/b&gt;" in cost and "<b>" not in cost  # escaped, cannot break the table
    assert "| higher |" in cost and "**higher**" not in cost  # cost never headlines
    assert "#### What this suite can detect" in section
    assert all(md(p.text, limit=400) in section for p in results.power)
