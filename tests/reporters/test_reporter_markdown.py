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


def test_counts_are_pluralised_and_the_whole_revision_is_kept() -> None:
    from harness.api import SkippedCase
    from harness_reporters.markdown import markdown_summary

    one = make_results(with_baseline=False)
    keep = one.cases[0]
    one.cases = [keep]
    one.verdict.cases, one.verdict.trials, one.verdict.errored_trials = 1, 1, 1
    one.comparisons = [c for c in one.comparisons if c.role == "quality"][:1]
    one.comparisons[0].label = "worse"
    one.run.skipped = [SkippedCase(case_id="later", file="s.suite.yaml", line=3)]
    one.run.git_revision = "b955348e0c8f4f2a9d7b1c3e5f60718293a4b5c6-dirty"
    text = markdown_summary(one, None)
    assert "1 case:" in text and "1 trial ·" in text and "1 errored trial" in text and "1 case skipped" in text
    assert "1 trials" not in text and "1 errors" not in text and "1 cases" not in text
    assert "Comparisons: 1 of 1 shows a clear difference" in text and "Holm over the 1 quality comparison." in text
    assert "revision `b955348e0c8f4f2a9d7b1c3e5f60718293a4b5c6-dirty`" in text


def test_code_spans_show_any_text_exactly() -> None:
    from harness_reporters.markdown import code

    assert code("b955348-dirty") == "`b955348-dirty`"
    assert code("a`b") == "``a`b``" and code("`x") == "`` `x ``"
    assert "\n" not in code("two\nlines")


def test_intervals_share_one_notation() -> None:
    from harness_reporters.markdown import markdown_summary

    results = make_results(with_baseline=False)
    cost = (
        next(c for c in results.comparisons if c.role == "cost")
        if any(c.role == "cost" for c in results.comparisons)
        else None
    )
    target = cost or results.comparisons[0]
    target.role, target.label = "cost", "lower"
    target.mean_diff, target.ci_low, target.ci_high = -0.00000125, -0.00000345, 9.45e-7
    text = markdown_summary(results, None)
    assert "-1.250e-6 [-3.450e-6, 9.450e-7]" in text
    assert "0.00000125" not in text


def test_the_combined_summary_shows_each_suite_s_comparisons() -> None:
    from harness_reporters.markdown import combined_summary

    results = make_results(with_baseline=False)
    text = combined_summary([results])
    assert "#### Comparisons:" in text and "##### What this suite can detect" in text
