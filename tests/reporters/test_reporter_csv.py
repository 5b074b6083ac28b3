from __future__ import annotations

import csv

from factory import build, make_trials

from harness_reporters.csv_report import BASE_COLUMNS, CsvReporter, safe_cell


def read_rows(path):  # type: ignore[no-untyped-def]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_trial_with_metric_columns(results, ctx) -> None:  # type: ignore[no-untyped-def]
    rows = read_rows(CsvReporter().write(results, ctx))
    assert len(rows) == len(results.trials)
    assert list(rows[0])[: len(BASE_COLUMNS)] == BASE_COLUMNS
    assert {"metric:wer", "metric:json_valid", "metric:latency_ms"} <= set(rows[0])
    by_id = {r["trial_id"]: r for r in rows}
    for trial in results.trials:
        row = by_id[trial.id]
        assert row["status"] == trial.status
        wer = [s.value for s in trial.scores if s.metric == "wer"]
        if wer:
            assert float(row["metric:wer"]) == wer[0]
        if trial.status == "error":
            assert row["failure"].startswith("provider error 429")
            assert row["retries"] == "2"


def test_multiline_answers_round_trip_and_formulas_are_defused(ctx) -> None:  # type: ignore[no-untyped-def]
    trials = make_trials(repeats=1)
    trials[0].output.text = 'line one\nline "two", with comma'  # type: ignore[union-attr]
    trials[1].output.text = '=HYPERLINK("http://evil")'  # type: ignore[union-attr]
    rows = read_rows(CsvReporter().write(build(trials), ctx))
    assert rows[0]["answer"] == 'line one\nline "two", with comma'
    assert rows[1]["answer"] == '\'=HYPERLINK("http://evil")'


def test_safe_cell_leaves_numbers_alone() -> None:
    assert safe_cell(-1.5) == -1.5
    assert safe_cell("-1") == "-1" and safe_cell("+1.5e3") == "+1.5e3"  # numbers are data, not formulas
    assert safe_cell("-1+cmd|' /C calc'!A0") == "'-1+cmd|' /C calc'!A0"
    assert safe_cell("ok") == "ok"


BOOLEAN = {"passed", "cached"}
NUMBER = {
    "repeat",
    "weighted_score",
    "latency_ms",
    "ttft_ms",
    "prompt_tokens",
    "output_tokens",
    "total_tokens",
    "retries",
}


def test_columns_keep_one_type_even_for_errored_trials(results, ctx) -> None:  # type: ignore[no-untyped-def]
    rows = read_rows(CsvReporter().write(results, ctx))
    errored = [r for r in rows if r["status"] == "error"]
    assert errored and all(r["cached"] == "false" for r in errored)  # no answer, so not from the cache
    for row in rows:
        assert row["cached"] in {"true", "false"}
        assert row["passed"] in {"true", "false", ""}  # empty only for an unscored trial
        for name in NUMBER | {k for k in row if k.startswith("metric:")}:
            assert row[name] == "" or float(row[name]) == float(row[name])
        assert not any(row[name].startswith("'") for name in NUMBER | BOOLEAN)


def test_the_formula_guard_leaves_numbers_and_typed_columns_alone(ctx) -> None:  # type: ignore[no-untyped-def]
    trials = make_trials(repeats=1, hostile=False)
    trials[0].output.text = "-0.5"  # type: ignore[union-attr]
    trials[1].output.text = "@SUM(A1:A9)"  # type: ignore[union-attr]
    trials[2].scores[0].value = -0.25
    rows = read_rows(CsvReporter().write(build(trials, comparisons=False), ctx))
    assert rows[0]["answer"] == "-0.5"  # a number: nothing to defuse, the data stays as it was
    assert rows[1]["answer"] == "'@SUM(A1:A9)"
    assert float(rows[2]["metric:wer"]) == -0.25
