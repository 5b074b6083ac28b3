"""The published JSON Schema of suite files (``harness schema``), for editors."""

from __future__ import annotations

from typing import Any

from harness.suite.model import Suite


def suite_json_schema() -> dict[str, Any]:
    schema = Suite.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "harness suite (*.suite.yaml)"
    schema["description"] = "A prompt-evaluation suite for the harness tool. See docs/suite-format.md."
    return schema
