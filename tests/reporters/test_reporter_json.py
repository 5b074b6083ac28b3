from __future__ import annotations

import json

from harness.results import RunResults
from plugins.reporters.json_report import JsonReporter


def test_json_is_the_full_record_and_reads_back(results, ctx) -> None:  # type: ignore[no-untyped-def]
    path = JsonReporter().write(results, ctx)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == results.schema_version
    assert len(data["trials"]) == len(results.trials)
    assert RunResults.read(path) == results
