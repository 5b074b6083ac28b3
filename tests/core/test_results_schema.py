"""The published results.json schema is tight (required fields, bounds, formats, the version), and readers agree."""

from __future__ import annotations

import copy
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reporters"))
from factory import make_results

from harness.errors import UserError
from harness.log.results import SCHEMA_VERSION, results_json_schema
from harness.log.sources import load_results

Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = make_results().write(tmp_path_factory.mktemp("run") / "results.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def validator() -> jsonschema.Draft202012Validator:
    """Checked against the metaschema once (0.35 s a check); a validator keeps no state between validations."""
    schema = results_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_a_written_run_is_valid_and_every_top_level_field_is_required(written: dict[str, Any]) -> None:
    validator().validate(written)
    schema = results_json_schema()
    assert set(schema["required"]) == set(written) >= {"schema_version", "run", "trials", "summary", "cases"}
    run = schema["$defs"]["RunInfo"]
    assert {"started_at", "repeat", "skipped", "git_revision"} <= set(run["required"])


def _drop_summary(d: dict[str, Any]) -> None:
    del d["summary"]


def _pass_rate(d: dict[str, Any]) -> None:
    d["summary"][0]["pass_rate"] = 2.0


def _started_at(d: dict[str, Any]) -> None:
    d["run"]["started_at"] = "yesterday"


def _repeat(d: dict[str, Any]) -> None:
    d["trials"][0]["repeat"] = -1


def _latency(d: dict[str, Any]) -> None:
    d["trials"][0]["output"]["latency_ms"] = -3.5


def _version(d: dict[str, Any]) -> None:
    d["schema_version"] = "9.0"


MUTATIONS: dict[str, Mutation] = {
    "summary removed": _drop_summary,
    "pass_rate 2.0": _pass_rate,
    "started_at yesterday": _started_at,
    "negative repeat": _repeat,
    "negative latency_ms": _latency,
    "schema_version 9.0": _version,
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_mutated_files_fail_schema_validation(name: str, written: dict[str, Any]) -> None:
    data = copy.deepcopy(written)
    MUTATIONS[name](data)
    errors = list(validator().iter_errors(data))
    assert errors, f"{name}: accepted by the schema"


@pytest.mark.parametrize("name", [n for n in MUTATIONS if n != "summary removed"])
def test_readers_refuse_the_same_mutations(name: str, written: dict[str, Any], tmp_path: Path) -> None:
    """Out-of-bounds values and foreign versions are refused on reading too, with a message, not a traceback."""
    data = copy.deepcopy(written)
    MUTATIONS[name](data)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_results(path)
    assert str(path) in str(caught.value.file)


def test_readers_accept_added_fields_and_older_minor_versions(written: dict[str, Any], tmp_path: Path) -> None:
    newer = copy.deepcopy(written)
    newer["schema_version"] = "1.99"
    newer["a_field_from_the_future"] = {"x": 1}
    newer["run"]["another"] = True
    validator().validate(newer)
    older = copy.deepcopy(written)
    older["schema_version"] = "1.0"
    for key in ("cases", "verdict", "power", "comparisons"):
        del older[key]
    del older["run"]["skipped"]
    for data, name in ((newer, "newer.json"), (older, "older.json")):
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        (results,) = load_results(path).values()
        assert len(results.trials) == len(written["trials"]) and results.cases  # rejudged on reading


@pytest.mark.parametrize("version", ["1", "1.x", "", "v1.2", None])
def test_a_version_that_is_not_major_dot_minor_is_refused(
    version: Any, written: dict[str, Any], tmp_path: Path
) -> None:
    data = copy.deepcopy(written)
    data["schema_version"] = version
    assert list(validator().iter_errors(data))
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserError, match="schema_version"):
        load_results(path)


def test_the_current_version_is_what_is_written(written: dict[str, Any]) -> None:
    assert written["schema_version"] == SCHEMA_VERSION
