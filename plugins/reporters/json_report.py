"""The ``json`` format: the full, versioned run record (results.json, see docs/results-json.md)."""

from __future__ import annotations

from pathlib import Path

from harness.reporting import ReportContext, Reporter
from harness.results import RunResults


class JsonReporter(Reporter):
    name = "json"
    description = "results.json: the full run record, versioned (docs/results-json.md)"
    filename = "results.json"

    def write(self, results: RunResults, ctx: ReportContext) -> Path:
        return results.write(ctx.out_dir / self.filename)
