"""docs/scorers.md documents every built-in scorer, its options, and examples that validate."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from scorer_kit import REPO

import harness_scorers as builtin
from harness.api.host import PluginHost
from harness.api.scoring import Scorer
from harness.suite.scorers import COMMON_KEYS

DOC = (REPO / "docs" / "scorers.md").read_text(encoding="utf-8")


def _registered() -> dict[str, type[Scorer]]:
    host = PluginHost()
    host.register(builtin, "scorers")
    return dict(host.scorers.items)


REGISTERED = _registered()


def _sections() -> dict[str, str]:
    parts = re.split(r"^## `([a-z_]+)`\s*$", DOC, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


SECTIONS = _sections()


def test_all_builtins_registered() -> None:
    assert set(REGISTERED) == {
        "wer",
        "cer",
        "mer",
        "wil",
        "json",
        "tokens",
        "text",
        "latency",
        "finish_reason",
        "judge",
        "python",
    }


@pytest.mark.parametrize("name", sorted(REGISTERED))
def test_every_scorer_documented_with_example(name: str) -> None:
    assert name in SECTIONS, f"docs/scorers.md has no '## `{name}`' section"
    assert "```yaml" in SECTIONS[name], f"section '{name}' has no YAML example"


@pytest.mark.parametrize("name", sorted(REGISTERED))
def test_every_option_documented(name: str) -> None:
    cls = REGISTERED[name]
    text = SECTIONS[name] + (SECTIONS["wer"] if name in ("cer", "mer", "wil") else "")
    for field, info in cls.Options.model_fields.items():
        key = info.alias or field
        assert f"`{key}`" in text, f"option '{key}' of scorer '{name}' is not documented"


def _split(entry: dict[str, Any]) -> tuple[str, Any]:
    if "type" in entry:
        return entry["type"], {k: v for k, v in entry.items() if k not in COMMON_KEYS}
    (name,) = [k for k in entry if k not in COMMON_KEYS]
    return name, entry[name]


def _examples() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S):
        data = yaml.safe_load(block)
        entries = data.get("scorers") or data.get("expect")
        for entry in entries:
            out.append(_split(entry))
    return out


EXAMPLES = _examples()


def test_examples_cover_every_scorer() -> None:
    assert {name for name, _ in EXAMPLES} == set(REGISTERED)


@pytest.mark.parametrize(("name", "options"), EXAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(EXAMPLES)])
def test_examples_validate(name: str, options: Any) -> None:
    cls = REGISTERED[name]
    if not isinstance(options, dict):
        assert cls.shorthand is not None, f"'{name}' example uses a shorthand the scorer does not have"
        options = {cls.shorthand: options}
    cls.Options.model_validate(options)
