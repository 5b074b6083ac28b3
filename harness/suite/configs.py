"""Generation configs of a suite: ``defaults.config``, the ``matrix`` variants and a case's own config, with
schema files resolved and each checked by the provider plugin; every problem recorded at its field's line."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from harness.api.provider import Provider
from harness.errors import UserError
from harness.suite.caps import Caps
from harness.suite.model import Suite
from harness.suite.problems import Problems
from harness.suite.yamlsource import SourceMap

Resolve = Callable[[str, SourceMap, tuple[str | int, ...], str], Path]


class Configs:
    """Checks every config of one suite against its provider (None: the provider is unknown, skip checks)."""

    def __init__(self, provider: type[Provider] | None, problems: Problems, resolve: Resolve, caps: Caps) -> None:
        self.provider = provider
        self.caps = caps
        self.problems = problems
        self.resolve = resolve
        self.base: dict[str, Any] = {}
        self.base_problems: set[tuple[tuple[str | int, ...], str]] = set()

    def config(
        self,
        raw: dict[str, Any],
        smap: SourceMap,
        loc: tuple[str | int, ...],
        base: dict[str, Any] | None = None,
        value_locs: dict[str, tuple[str | int, ...]] | None = None,
    ) -> dict[str, Any]:
        """Resolve schema files in a config and check it (merged over ``base``) with the provider.

        Every problem is recorded at the line of its field (``value_locs``: where each field's value sits when
        that is not ``loc`` + the key, as in a ``matrix.config`` grid); problems the base config already has are
        not repeated for each variant.
        """
        config = dict(raw)
        provider = self.provider
        if provider is None:
            return config
        for file_key, key in provider.config_file_keys.items():
            if file_key in config:
                name = config.pop(file_key)
                where = (*loc, file_key)
                if key in config:
                    self.problems.add(smap.error(f"give '{key}' or '{file_key}', not both", where))
                    continue
                with self.problems.guard():
                    path = self.resolve(str(name), smap, where, f"{file_key} file")
                    try:
                        config[key] = (
                            json.loads(path.read_text(encoding="utf-8"))
                            if path.suffix == ".json"
                            else yaml.safe_load(path.read_text(encoding="utf-8"))
                        )
                    except (ValueError, yaml.YAMLError) as exc:
                        raise smap.error(f"{file_key} {name} is not valid JSON/YAML: {exc}", where) from None
        found = provider.check_config({**(base or {}), **config})
        for key_path, message in found:
            if base is not None and (tuple(key_path), message) in self.base_problems:
                continue
            field_loc: tuple[str | int, ...] = loc
            if key_path and key_path[0] in raw:
                field_loc = (value_locs or {}).get(str(key_path[0])) or (*loc, *key_path)
            elif key_path and key_path[0] in config:
                field_loc = (*loc, next(k for k in raw if provider.config_file_keys.get(k) == key_path[0]))
            dotted = ".".join(str(part) for part in key_path)
            self.problems.add(smap.error(f"generation config '{dotted}': {message}", field_loc))
        if base is None:
            self.base_problems = {(tuple(path), message) for path, message in found}
        return config

    def variants(self, suite: Suite, smap: SourceMap) -> list[tuple[str, dict[str, Any]]]:
        """The matrix's config variants as (id, config), each checked over the base config."""
        matrix = suite.matrix
        if matrix.config is not None and matrix.configs is not None:
            self.problems.add(
                smap.error(
                    "give 'matrix.config' (a grid) or 'matrix.configs' (a list), not both", ("matrix", "configs")
                )
            )
            return [("default", {})]
        out: list[tuple[str, dict[str, Any]]] = []
        if matrix.config:
            keys = list(matrix.config)
            sizes = [len(matrix.config[k]) for k in keys]
            try:
                self.caps.check_grid(sizes, smap.file, smap.line(("matrix", "config")))
            except UserError as error:
                self.problems.add(error)
                return [("default", {})]
            for values in itertools.product(*(matrix.config[k] for k in keys)):
                variant = dict(zip(keys, values, strict=True))
                label = ",".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in variant.items())
                where: dict[str, tuple[str | int, ...]] = {
                    k: ("matrix", "config", k, matrix.config[k].index(v)) for k, v in variant.items()
                }
                out.append((label, self.config(variant, smap, ("matrix", "config"), self.base, where)))
        elif matrix.configs:
            seen: set[str] = set()
            for index, entry in enumerate(matrix.configs):
                variant = dict(entry)
                label = str(variant.pop("id", f"config-{index + 1}"))
                if label in seen:
                    self.problems.add(smap.error(f"duplicate config id '{label}'", ("matrix", "configs", index)))
                    continue
                seen.add(label)
                out.append((label, self.config(variant, smap, ("matrix", "configs", index), self.base)))
        return out or [("default", {})]
