"""The ``csv`` format: one row per trial, for spreadsheets and pandas.

Columns keep one type each: numbers are written as numbers, booleans as ``true``/``false`` (empty only where the
record has no value: ``passed`` of an unscored trial, the usage of an errored one), so ``pandas.read_csv`` infers
them. Only the free-text columns are untrusted (answers, ids, reasons): a cell there that a spreadsheet would run
as a formula (starting with ``= + - @``, tab or carriage return, and not a plain number) gets a leading apostrophe.
Typed columns are never touched.
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
#: Columns of free, untrusted text: the only ones a formula guard applies to.
TEXT_COLUMNS = frozenset({"case_id", "prompt_id", "model", "config_id", "tags", "failure", "finish_reason", "answer"})


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, defused with a leading apostrophe (numbers pass)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _is_number(value):
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
        str(out is not None and out.cached).lower(),
        retries,
        "" if out is None or out.finish_reason is None else out.finish_reason,
        "" if out is None or out.text is None else out.text,
    ]
    cells = [safe_cell(cell) if name in TEXT_COLUMNS else cell for name, cell in zip(BASE_COLUMNS, row, strict=True)]
    # Several scores on one metric (e.g. one per turn) are averaged.
    return cells + ["" if m not in values else sum(values[m]) / len(values[m]) for m in metrics]


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
