"""JSON Schema references a suite may use: ``#/...`` inside the schema, and schema files inside the suite's folder.

Suites are untrusted, and jsonschema on its own fetches any ``$ref`` it cannot resolve (from any host, cloud
metadata included) and reads any ``file://`` path. Every validator here gets a registry whose retrieval goes
only through the suite's own path confinement (``resolve_path``: the same rule as media files, relaxed only by
``--allow-outside-files``), reads regular files of at most :data:`MAX_SCHEMA_BYTES`, and never the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jsonschema
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from harness.api import UserError

#: The largest schema file a ``$ref`` may load.
MAX_SCHEMA_BYTES = 5_000_000
#: Keywords whose value is a reference.
REF_KEYS = ("$ref", "$dynamicRef")
#: Keywords whose values are data, not schemas (a ``{"$ref": ...}`` there is an example, not a reference).
DATA_KEYS = ("const", "default", "enum", "examples")


def refs(schema: Any) -> Iterator[str]:
    """Every reference in ``schema`` (depth-first)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in REF_KEYS and isinstance(value, str):
                    yield value
                elif key not in DATA_KEYS:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _target(ref: str) -> tuple[str, str]:
    """(scheme, path) of what a reference points at outside the schema ("", "" for ``#...``)."""
    parts = urlsplit(ref)
    return parts.scheme.lower(), url2pathname(parts.path) if parts.path else ""


def ref_problems(schema: Any, base: Path, resolve_path: Callable[[str], Path]) -> list[str]:
    """Validate-time: the references that would reach the network or a file the suite may not read."""
    problems = []
    for ref in refs(schema):
        scheme, path = _target(ref)
        if not path and scheme == "":
            continue  # "#/$defs/x": inside the schema
        if scheme not in ("", "file"):
            problems.append(f"$ref '{ref}' would fetch from the network, which suites may not do")
            continue
        try:
            found = resolve_path(str(base / path))
        except UserError as exc:
            problems.append(f"$ref '{ref}': {exc.message}")
            continue
        if not found.is_file():
            problems.append(f"$ref '{ref}': no such schema file")
    return problems


def _load(path: Path) -> Any:
    if not path.is_file():
        raise NoSuchResource(ref=str(path))  # type: ignore[call-arg]
    with path.open("rb") as handle:
        data = handle.read(MAX_SCHEMA_BYTES + 1)
    if len(data) > MAX_SCHEMA_BYTES:
        raise UserError(f"schema file {path.name} is larger than {MAX_SCHEMA_BYTES:,} bytes")
    text = data.decode("utf-8-sig")
    if path.suffix == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


def confined_registry(resolve_path: Callable[[str], Path]) -> Registry[Any]:
    """A registry that retrieves ``file:`` and relative references through ``resolve_path`` and nothing else."""

    def retrieve(uri: str) -> Resource[Any]:
        scheme, path = _target(uri)
        if scheme not in ("", "file"):
            raise UserError(f"$ref '{uri}' refused: suites may not fetch schemas from the network")
        contents = _load(resolve_path(path))
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]


def validator(schema: dict[str, Any], base: Path, resolve_path: Callable[[str], Path]) -> jsonschema.Validator:
    """A Draft 2020-12 validator of ``schema`` whose relative references resolve against the folder ``base``
    (a schema file's folder, or the suite's for an inline schema), confined as above."""
    if "$id" not in schema:
        schema = {"$id": base.resolve().as_uri() + "/", **schema}
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    found: jsonschema.Validator = cls(schema, registry=confined_registry(resolve_path))
    return found


def errors(check: jsonschema.Validator, value: Any) -> list[jsonschema.ValidationError]:
    """Every violation, or a UserError naming a reference that could not (or may not) be resolved."""
    try:
        return list(check.iter_errors(value))
    except Unresolvable as exc:
        cause = exc.__cause__ or exc.__context__
        while cause is not None and not isinstance(cause, UserError):
            cause = cause.__cause__ or cause.__context__
        if isinstance(cause, UserError):
            raise UserError(f"json: {cause.message}") from None
        raise UserError(f"json: cannot resolve $ref '{getattr(exc, 'ref', exc)}'") from None
