"""The ``csv`` format: one row per trial, for spreadsheets and pandas.

Text cells that a spreadsheet would run as a formula (starting with ``= + - @``, tab or carriage return)
get a leading apostrophe, because model answers and case ids are untrusted.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from harness.api import ReportContext, Reporter, RunResults, TrialRecord, atomic_file
from harness_reporters.verdicts import failure_reason

BASE_COLUMNS = [
    "trial_id",
    "case_id",
    "prompt_id",
    "model",
    "config_id",
    "config",
    "repeat",
    "tags",
    "status",
    "verdict",
    "passed",
    "weighted_score",
    "failure",
    "latency_ms",
    "ttft_ms",
    "prompt_tokens",
    "output_tokens",
    "total_tokens",
    "cached",
    "retries",
    "finish_reason",
    "answer",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def metric_names(results: RunResults) -> list[str]:
    seen: dict[str, None] = {}
    for trial in results.trials:
        for score in trial.scores:
            seen.setdefault(score.metric, None)
    return list(seen)


def trial_row(trial: TrialRecord, metrics: list[str]) -> list[Any]:
    out = trial.output
    usage = out.usage if out else None
    retries = len(out.retries) if out else len(trial.error.retries) if trial.error else 0
    values: dict[str, list[float]] = {}
    for score in trial.scores:
        if score.value is not None:
            values.setdefault(score.metric, []).append(score.value)
    row: list[Any] = [
        trial.id,
        trial.case_id,
        trial.prompt_id,
        trial.model,
        trial.config_id,
        json.dumps(trial.config, sort_keys=True),
        trial.repeat,
        ";".join(trial.tags),
        trial.status,
        trial.verdict or "",
        "" if trial.passed is None else str(trial.passed).lower(),
        "" if trial.weighted_score is None else trial.weighted_score,
        failure_reason(trial),
        "" if out is None or out.latency_ms is None else out.latency_ms,
        "" if out is None or out.ttft_ms is None else out.ttft_ms,
        "" if usage is None or usage.prompt_tokens is None else usage.prompt_tokens,
        "" if usage is None or usage.output_tokens is None else usage.output_tokens,
        "" if usage is None or usage.total_tokens is None else usage.total_tokens,
        "" if out is None else str(out.cached).lower(),
        retries,
        "" if out is None or out.finish_reason is None else out.finish_reason,
        "" if out is None or out.text is None else out.text,
    ]
    # Several scores on one metric (e.g. one per turn) are averaged.
    row += ["" if m not in values else sum(values[m]) / len(values[m]) for m in metrics]
    return [safe_cell(cell) for cell in row]


class CsvReporter(Reporter):
    name = "csv"
    description = "trials.csv: one row per trial with its verdict, usage and metric values"
    filename = "trials.csv"

    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        ctx.out_dir.mkdir(parents=True, exist_ok=True)
        path = ctx.out_dir / self.filename
        metrics = metric_names(results)
        with atomic_file(path, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(BASE_COLUMNS + [f"metric:{m}" for m in metrics])
            for trial in results.trials:
                writer.writerow(trial_row(trial, metrics))
        return path
