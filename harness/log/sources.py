"""Where earlier results come from, for ``--baseline``, ``harness compare`` and ``harness report``.

A source is a results.json, a run folder (holding results.json), a folder of suite folders as ``--out`` writes
them (``DIR/<suite>/results.json``), a compact baseline file (``baseline.json``: every suite of a command, answers
and scores, no media), or a run id in the store. Suites are matched by their slug: the suite file's name without
``.suite.yaml``, which is also the name of its folder under ``--out``.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field

from harness.errors import UserError
from harness.log.assemble import assemble, rejudged
from harness.log.atomic import write_atomic
from harness.log.casetotals import ScorerLookup
from harness.log.records import Output, Record
from harness.log.results import SCHEMA_VERSION, RunResults, SchemaVersionError, check_version
from harness.log.store import Store

BASELINE_FILE = "baseline.json"
BASELINE_KIND = "harness-baseline"


def suite_slug(path: str | Path) -> str:
    """``suites/transcription.suite.yaml`` -> ``transcription``: the suite's folder name under ``--out``."""
    return Path(path).name.removesuffix(".yaml").removesuffix(".yml").removesuffix(".suite")


class BaselineFile(Record):
    """A compact baseline of several suites: what ``--format baseline`` writes, for a CI job to commit or keep."""

    schema_version: str = SCHEMA_VERSION
    kind: str = BASELINE_KIND
    suites: dict[str, RunResults] = Field(default_factory=dict)


def compact(results: RunResults) -> RunResults:
    """The run without what a baseline does not need: raw response details, score details, statistics."""
    trials = []
    for trial in results.trials:
        outputs = [t.output for t in trial.turns if t.output] + ([trial.output] if trial.output else [])
        for output in outputs:
            _trim(output)
        for score in trial.scores:
            score.details = {k: v for k, v in score.details.items() if k == "counts"}
        trials.append(trial)
    return results.model_copy(update={"trials": trials, "comparisons": [], "baseline": None})


def _trim(output: Output) -> None:
    output.safety_ratings = []
    output.extra = {}
    output.warnings = []
    output.retries = []


def _read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"not a harness results file: {exc.__class__.__name__}", file=path) from None
    if not isinstance(data, dict):
        raise UserError("not a harness results file (not a JSON object)", file=path)
    try:
        check_version(data)
    except SchemaVersionError as exc:
        raise UserError(f"cannot read this results file: {exc}", file=path) from None
    return data


def _from_file(path: Path) -> dict[str, RunResults]:
    data = _read_json(path)
    try:
        if data.get("kind") == BASELINE_KIND:
            return {slug: rejudged(r) for slug, r in BaselineFile.model_validate(data).suites.items()}
        results = RunResults.model_validate(data)
    except ValueError as exc:
        raise UserError(f"not a harness results file: {exc.__class__.__name__}", file=path) from None
    return {suite_slug(results.run.suite_file): rejudged(results)}


def load_results(
    source: str | Path, store: Store | None = None, scorers: ScorerLookup | None = None
) -> dict[str, RunResults]:
    """Every suite's results in ``source``, by suite slug (``scorers`` rebuilds a stored run's statistics)."""
    path = Path(source)
    if path.is_file():
        return _from_file(path)
    if path.is_dir():
        if (path / "results.json").is_file():
            return _from_file(path / "results.json")
        if (path / BASELINE_FILE).is_file():
            return _from_file(path / BASELINE_FILE)
        found = {}
        for child in sorted(path.iterdir()):
            if (child / "results.json").is_file():
                found.update(_from_file(child / "results.json"))
        if found:
            return found
        raise UserError(f"no results in folder {path}", hint="give a folder written by `harness run --out`")
    if store is not None and store.run_info(str(source)) is not None:
        results = results_from_store(store, str(source), scorers)
        return {suite_slug(results.run.suite_file): results}
    raise UserError(
        f"no results found at '{source}'",
        hint="give a results.json, a run folder, a folder written by --out, a baseline.json, or a run id "
        "(`harness runs` lists them)",
    )


def results_from_store(store: Store, run_id: str, scorers: ScorerLookup | None = None) -> RunResults:
    """A stored run rebuilt from its trials (even an interrupted one's)."""
    found = store.run_info(run_id)
    if found is None:
        raise UserError(f"no run '{run_id}' in the store {store.path}", hint="`harness runs` lists them")
    info, _ = found
    return assemble(info, store.trials(run_id), scorers)


def write_baseline_file(path: Path, results: dict[str, RunResults]) -> Path:
    """Write the compact baseline of these suites (atomically: a reader never sees half a file)."""
    record = BaselineFile(suites={slug: compact(r.model_copy(deep=True)) for slug, r in results.items()})
    return write_atomic(path, record.model_dump_json())
