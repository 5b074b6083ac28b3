"""harness schema, report and runs, as a user calls them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from clirun import Done, harness_cli

ROOT = Path(__file__).resolve().parents[2]


def harness(*args: str, env: dict[str, str] | None = None) -> Done:
    return harness_cli(*args, env=env)


def test_suite_schema_accepts_every_example_suite() -> None:
    done = harness("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    suites = sorted((ROOT / "suites").glob("*.suite.yaml"))
    assert len(suites) >= 8
    for path in suites:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert errors == [], f"{path.name}: {errors[0].message if errors else ''}"
    assert list(validator.iter_errors({"name": "x", "cases": [{"varz": {}}]})), "an unknown key must be flagged"


def test_results_schema_is_valid() -> None:
    done = harness("schema", "--results")
    jsonschema.Draft202012Validator.check_schema(json.loads(done.stdout))


@pytest.fixture
def finished_run(tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    suite = tmp_path / "s" / "t.suite.yaml"
    suite.parent.mkdir()
    suite.write_text(
        "name: t\nprovider: fake\nprompts: [{id: p, template: 'say {{ w }}'}]\nscorers: [{has: dog}]\n"
        "cases:\n  - {id: a, vars: {w: dog}}\n  - {id: b, vars: {w: cat}}\n"
    )
    # Only the built-in reporters from entry points, plus the fake provider from the plugins folder.
    env = {"HARNESS_LOAD_PLUGINS": "reporters", "HARNESS_STORE": str(tmp_path / "store.db")}
    done = harness(
        "run",
        str(suite),
        "--plugins-dir",
        str(plugins),
        "--out",
        str(tmp_path / "run"),
        "--format",
        "json",
        "-q",
        env=env,
    )
    assert done.returncode == 1, done.stderr  # case b fails
    run_id = json.loads((tmp_path / "run" / "t" / "results.json").read_text())["run"]["id"]
    return tmp_path, env, run_id


def test_report_rerenders_a_run_folder(finished_run: tuple[Path, dict[str, str], str]) -> None:
    tmp, env, _ = finished_run
    done = harness("report", str(tmp / "run" / "t"), "--format", "markdown,junit,csv,html", env=env)
    assert done.returncode == 0, done.stderr
    for name in ("summary.md", "junit.xml", "trials.csv", "report.html"):
        assert (tmp / "run" / "t" / name).stat().st_size > 0, name
    assert "1 failed" in (tmp / "run" / "t" / "summary.md").read_text()


def test_report_from_the_store_by_run_id_even_without_results_json(
    finished_run: tuple[Path, dict[str, str], str],
) -> None:
    tmp, env, run_id = finished_run
    (tmp / "run" / "t" / "results.json").unlink()
    done = harness("report", run_id, "--out", str(tmp / "again"), "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp / "again" / "t" / "results.json").read_text())  # --out DIR writes DIR/<suite>/
    assert data["run"]["id"] == run_id and sorted(t["case_id"] for t in data["trials"]) == ["a", "b"]
    assert data["summary"][0]["passed"] == 1


def test_report_with_a_baseline_and_runs_listing(finished_run: tuple[Path, dict[str, str], str]) -> None:
    tmp, env, run_id = finished_run
    done = harness("report", run_id, "--out", str(tmp / "cmp"), "--baseline", run_id, "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    baseline = json.loads((tmp / "cmp" / "t" / "results.json").read_text())["baseline"]
    assert baseline["run_id"] == run_id and baseline["regressions"] == 0
    listed = harness("runs", env={**env, "COLUMNS": "200"})
    assert listed.returncode == 0 and run_id in listed.stdout


def test_report_of_an_unknown_run_is_a_user_error(tmp_path: Path) -> None:
    done = harness("report", "no-such-run", env={"HARNESS_STORE": str(tmp_path / "store.db")})
    assert (
        done.returncode == 2 and "no results found at 'no-such-run'" in done.stderr and "Traceback" not in done.stderr
    )
