"""The published JSON Schema of suite files (``harness schema``), for editors: every key with its type and a
description, each installed scorer's typed options (one ``oneOf`` branch per scorer and form), and the provider's
generation-config fields with their types and ranges. The YAML language server completes and explains a suite
from it, and marks mistakes as you type."""

from __future__ import annotations

import copy
from typing import Any

from harness.api.host import PluginHost
from harness.api.provider import Provider
from harness.api.scoring import Scorer
from harness.suite.model import Suite

#: Keys every scorer entry may have beside its options (harness/suite/scorers.py reads them).
COMMON = {
    "weight": {"type": "number", "minimum": 0, "description": "Weight of this score in a case's threshold."},
    "metric": {"type": "string", "description": "The metric's name in reports (default: the scorer's)."},
    "required": {
        "type": "boolean",
        "description": "Whether the case fails when this score fails (false: it only measures).",
    },
}


def _prefixed(schema: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``schema`` without its ``$defs``, and the defs, every name (and every ``$ref`` to it) given ``prefix``."""
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})

    def rename(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node["$ref"] = f"#/$defs/{prefix}{ref[len('#/$defs/') :]}"
            for value in node.values():
                rename(value)
        elif isinstance(node, list):
            for value in node:
                rename(value)

    rename(schema)
    rename(defs)
    return schema, {f"{prefix}{name}": value for name, value in defs.items()}


def _scorer_branches(cls: type[Scorer], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The two ways to write one scorer: ``- type: NAME`` with options beside it, or ``- NAME: {options}``."""
    options, own = _prefixed(cls.Options.model_json_schema(), f"{cls.name}.")
    defs.update(own)
    properties = {k: v for k, v in options.get("properties", {}).items() if k not in COMMON and k != "type"}
    required = [k for k in options.get("required", []) if k in properties]
    about = f"The '{cls.name}' scorer" + (f": {cls.description}" if cls.description else "")
    typed = {
        "type": "object",
        "description": about,
        "properties": {"type": {"const": cls.name, "description": about}, **properties, **COMMON},
        "required": ["type", *required],
        "additionalProperties": False,
    }
    mapping = {
        "type": "object",
        "description": about,
        "properties": {**properties, **COMMON},
        "required": required,
        "additionalProperties": False,
    }
    values: list[dict[str, Any]] = [mapping]
    if not required:
        values.append({"type": "null", "description": f"{about}, with its default options."})
    if cls.shorthand is not None and cls.shorthand in properties:
        short = copy.deepcopy(properties[cls.shorthand])
        short["description"] = f"Shorthand for {{{cls.shorthand}: ...}}. {short.get('description', '')}".strip()
        values.append(short)
    keyed = {
        "type": "object",
        "description": about,
        "properties": {cls.name: {"description": about, "anyOf": values}},
        "required": [cls.name],
        "additionalProperties": False,
    }
    return [typed, keyed]


def _default_provider(host: PluginHost) -> type[Provider] | None:
    installed: list[type[Provider]] = list(host.providers.items.values())
    defaults = [cls for cls in installed if cls.is_default]
    return installed[0] if len(installed) == 1 else (defaults[0] if len(defaults) == 1 else None)


def _config_schemas(host: PluginHost, defs: dict[str, Any]) -> dict[str, Any] | None:
    provider = _default_provider(host)
    found = provider.config_schema() if provider is not None else None
    if not found:
        return None
    config, own = _prefixed(found, "config.")
    defs.update(own)
    defs["GenerationConfig"] = config
    variant = copy.deepcopy(config)
    variant["properties"] = {
        "id": {"type": "string", "description": "The variant's id in reports."},
        **variant["properties"],
    }
    variant["description"] = "A named config variant: an id and generation-config fields."
    defs["ConfigVariant"] = variant
    grid = {
        "type": "object",
        "description": "A grid: every combination of these values runs, e.g. {temperature: [0, 0.7, 1.0]}.",
        "properties": {
            name: {"type": "array", "minItems": 1, "items": value, "description": value.get("description", name)}
            for name, value in config["properties"].items()
        },
        "additionalProperties": False,
    }
    defs["ConfigGrid"] = grid
    return config


def _point(defs: dict[str, Any], model: str, field: str, target: dict[str, Any], items: bool = False) -> None:
    prop = defs[model]["properties"][field]
    description = prop.get("description", field)
    if items:
        prop.clear()
        prop.update({"type": "array", "items": target, "description": description})
    else:
        prop.clear()
        prop.update({**target, "description": description})


def suite_json_schema(host: PluginHost | None = None) -> dict[str, Any]:
    """The schema of ``*.suite.yaml``; with ``host``, typed scorer entries and configs from the installed plugins."""
    schema = Suite.model_json_schema()
    defs = schema.setdefault("$defs", {})
    defs["Suite"] = {k: v for k, v in schema.items() if k not in ("$defs",)}
    if host is not None:
        branches = [b for name in sorted(host.scorers.items) for b in _scorer_branches(host.scorers.get(name), defs)]
        defs["ScorerEntry"] = {
            "description": "A scorer: '- type: NAME' with its options beside it, or '- NAME: {options}'.",
            "oneOf": branches,
        }
        entry = {"$ref": "#/$defs/ScorerEntry"}
        _point(defs, "Suite", "scorers", entry, items=True)
        _point(defs, "Case", "expect", entry, items=True)
        _point(defs, "Turn", "expect", entry, items=True)
        if _config_schemas(host, defs) is not None:
            config = {"$ref": "#/$defs/GenerationConfig"}
            _point(defs, "Defaults", "config", config)
            _point(defs, "Case", "config", config)
            _point(
                defs,
                "Matrix",
                "configs",
                {
                    "anyOf": [
                        {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/ConfigVariant"}},
                        {"type": "null"},
                    ]
                },
            )
            _point(defs, "Matrix", "config", {"anyOf": [{"$ref": "#/$defs/ConfigGrid"}, {"type": "null"}]})
    suite = defs.pop("Suite")
    schema = {**suite, "$defs": defs}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "harness suite (*.suite.yaml)"
    schema["description"] = "A prompt-evaluation suite for the harness tool. See docs/suite-format.md."
    return schema
