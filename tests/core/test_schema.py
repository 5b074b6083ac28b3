"""`harness schema` describes every key: typed options of every installed scorer, generation-config fields with
types and ranges, a description on every property; the example suites and the starter fit it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from clirun import harness_cli

ROOT = Path(__file__).resolve().parents[2]


def _schema() -> dict[str, Any]:
    done = harness_cli("schema")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _undescribed(node: Any, path: str = "") -> list[str]:
    out = []
    if isinstance(node, dict):
        for key, value in (node.get("properties") or {}).items():
            if isinstance(value, dict) and not value.get("description"):
                out.append(f"{path}.{key}")
        for key, value in node.items():
            out += _undescribed(value, f"{path}/{key}")
    elif isinstance(node, list):
        for value in node:
            out += _undescribed(value, path)
    return out


def test_every_property_has_a_description_and_every_scorer_a_branch() -> None:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert _undescribed(schema) == []
    branches = schema["$defs"]["ScorerEntry"]["oneOf"]
    named = {b["properties"]["type"]["const"] for b in branches if "type" in b["properties"]}
    done = harness_cli("plugins", "--json")
    installed = {row["name"] for row in json.loads(done.stdout) if row["kind"] == "scorer"}
    assert named == installed
    wer = next(b for b in branches if b["properties"].get("type", {}).get("const") == "wer")
    assert {"reference", "normaliser", "max", "weight", "required"} <= set(wer["properties"])
    config = schema["$defs"]["GenerationConfig"]["properties"]
    assert {"type": "number", "minimum": 0.0, "maximum": 2.0} in config["temperature"]["anyOf"]
    assert "Allowed: 0 to 2" in config["temperature"]["description"]
    assert "system_instruction" not in config  # managed by the harness


def test_the_example_suites_and_the_starter_fit_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(_schema())
    paths = [
        *sorted((ROOT / "suites").glob("*.suite.yaml")),
        ROOT / "harness" / "cli" / "starter" / "starter.suite.yaml",
    ]
    for path in paths:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
        assert errors == [], f"{path}: {errors}"


def test_mistakes_do_not_fit() -> None:
    validator = jsonschema.Draft202012Validator(_schema())
    bad = {
        "name": "x",
        "defaults": {"config": {"temperature": 5}},
        "scorers": [{"type": "wer", "reference": "a", "maxx": 1}, {"text": {"contanis": "x"}}],
        "cases": [{"id": "a", "varz": {}}],
    }
    messages = [e.json_path for e in validator.iter_errors(bad)]
    assert sorted(messages) == ["$.cases[0]", "$.defaults.config.temperature", "$.scorers[0]", "$.scorers[1]"]
