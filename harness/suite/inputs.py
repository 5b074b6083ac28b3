"""Every file a loaded suite reads: the suite, its templates, case files, media, schema files and the files its
scorers name. ``harness watch`` re-runs when one of them is saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.errors import UserError
from harness.suite.loader import LoadedSuite


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def suite_inputs(loaded: LoadedSuite) -> set[Path]:
    """The absolute paths of the files ``loaded`` was read from."""
    found = {loaded.path.resolve()}
    templates = [*loaded.prompts.values(), loaded.system]
    for case in loaded.cases:
        found.add(case.file.resolve())
        templates += [case.prompt, case.system, *case.turn_prompts]
        for ref in [*case.media, *(m for turn in case.turn_media for m in turn)]:
            if ref.path is not None:
                found.add(Path(ref.path).resolve())
    found.update(t.file.resolve() for t in templates if t is not None)
    # Names of files in configs (schema files) and scorer options (a rubric, a Python scorer): any string that
    # is a file in the suite's folder.
    configs: list[Any] = [loaded.suite.defaults.config, loaded.suite.matrix.configs or []]
    configs += [case.case.config for case in loaded.cases]
    options = [spec.scorer.options.model_dump() for spec in loaded.scorers]
    options += [spec.scorer.options.model_dump() for case in loaded.cases for spec in case.expect]
    for text in _strings([*configs, *options]):
        if len(text) > 300 or "\n" in text or "{{" in text:
            continue
        try:
            path = loaded.resolve_path(text)
        except (UserError, OSError, ValueError):
            continue
        if path.is_file():
            found.add(path)
    return found
