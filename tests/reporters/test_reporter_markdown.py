from __future__ import annotations

from factory import make_results

from harness.api.reporting import ReportContext
from harness_reporters.markdown import MarkdownReporter, md


def test_order_is_regressions_then_failures_then_summary(results, ctx) -> None:  # type: ignore[no-untyped-def]
    text = MarkdownReporter().write(results, ctx).read_text(encoding="utf-8")
    regressions = text.index("### Regressions against baseline")
    failures = text.index("### Failures")
    summary = text.index("### Summary")
    assert regressions < failures < summary
    assert f"{results.baseline.regressions} regressed" in text  # type: ignore[union-attr]
    assert "invoice-extract" in text[regressions:failures]
    assert "| gemini-2.5-flash | temperature=0 | plain |" in text


def test_no_regression_section_without_a_baseline(ctx) -> None:  # type: ignore[no-untyped-def]
    text = MarkdownReporter().write(make_results(with_baseline=False), ctx).read_text(encoding="utf-8")
    assert "Regressions" not in text
    assert text.index("### Failures") < text.index("### Summary")


def test_the_core_s_baseline_comparison_is_shown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from harness.log.baseline import compare_runs

    current = make_results(with_baseline=False)
    baseline = make_results(with_baseline=False)
    index = next(i for i, t in enumerate(current.trials) if t.passed)
    baseline.trials[index].passed = False  # so it is fixed in the current run
    current.baseline = compare_runs(current, baseline)
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


def test_pass_rate_gate_is_listed_when_used() -> None:
    from harness.log.results import CaseVerdict
    from harness_reporters.markdown import markdown_summary

    results = make_results(with_baseline=False)
    assert "Pass-rate gate" not in markdown_summary(results, None)
    results.cases = [
        CaseVerdict(
            case_id="flaky",
            prompt_id="p",
            model="m",
            config_id="c",
            trials=5,
            passed=3,
            pass_rate=0.6,
            min_pass_rate=0.8,
            ok=False,
        ),
        CaseVerdict(
            case_id="fine",
            prompt_id="p",
            model="m",
            config_id="c",
            trials=5,
            passed=5,
            pass_rate=1.0,
            min_pass_rate=0.8,
            ok=True,
        ),
    ]
    text = markdown_summary(results, None)
    assert "Pass-rate gate: 1 of 2 case groups passed" in text
    assert (
        "**flaky**" in text
        and "3/5 passed, below 80%" in text
        and "**fine**" not in text.split("### Failures")[0].split("Pass-rate gate")[1]
    )


def test_regressions_say_what_changed() -> None:
    from harness_reporters.markdown import markdown_summary

    results = make_results()
    assert results.baseline is not None
    regressed = next(d for d in results.baseline.trials if d.change == "regressed")
    regressed.changed = ["prompt", "answer"]
    text = markdown_summary(results, results.baseline)
    assert "changed: prompt" in text
