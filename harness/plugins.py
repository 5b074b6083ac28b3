"""The plugin manager: loads entry-point plugins and loose-file plugins, and keeps the registries."""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from harness import hookspecs
from harness.errors import PluginError, did_you_mean

ENTRY_POINT_GROUP = "harness"
#: Comma-separated entry-point names to load; unset loads all (like LLM_LOAD_PLUGINS).
LOAD_ENV = "HARNESS_LOAD_PLUGINS"


@dataclass
class Registry:
    """Classes registered under unique names, remembering which plugin registered each."""

    kind: str
    items: dict[str, type] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def add(self, cls: type, source: str) -> None:
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(f"{source} registered a {self.kind} without a 'name'")
        if name in self.items:
            raise PluginError(
                f"two plugins register the {self.kind} '{name}': {self.sources[name]} and {source}",
                hint=f"uninstall one, or pin plugins with {LOAD_ENV}",
            )
        self.items[name] = cls
        self.sources[name] = source

    def get(self, name: str) -> type:
        try:
            return self.items[name]
        except KeyError:
            hint = did_you_mean(name, self.items) or f"installed: {', '.join(sorted(self.items)) or 'none'}"
            raise PluginError(f"unknown {self.kind} '{name}'", hint=hint) from None

    def __contains__(self, name: object) -> bool:
        return name in self.items


class PluginHost:
    """One pluggy PluginManager plus the provider, scorer and reporter registries."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("harness")
        self.pm.add_hookspecs(hookspecs)
        self.providers = Registry("provider")
        self.scorers = Registry("scorer")
        self.reporters = Registry("reporter")
        self._collected = False

    def load_entry_points(self) -> None:
        wanted = os.environ.get(LOAD_ENV)
        names = {n.strip() for n in wanted.split(",") if n.strip()} if wanted is not None else None
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if names is not None and ep.name not in names:
                continue
            if self.pm.get_plugin(ep.name) is not None:
                continue
            try:
                module = ep.load()
            except Exception as exc:  # a broken third-party plugin must say who it is
                raise PluginError(f"plugin '{ep.name}' ({ep.value}) failed to load: {exc}") from exc
            self.pm.register(module, name=ep.name)

    def load_directory(self, folder: Path) -> None:
        """Load every ``*.py`` file in ``folder`` as a plugin (``--plugins-dir``)."""
        if not folder.is_dir():
            raise PluginError(f"plugins folder not found: {folder}")
        for path in sorted(folder.glob("*.py")):
            name = f"harness_loose_{path.stem}"
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise PluginError(f"cannot load plugin file {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                raise PluginError(f"plugin file {path} failed to load: {exc}", file=path) from exc
            self.pm.register(module, name=str(path))

    def register_module(self, module: ModuleType | object, name: str) -> None:
        self.pm.register(module, name=name)

    def collect(self) -> PluginHost:
        """Ask every plugin to register its providers, scorers and reporters (idempotent)."""
        if self._collected:
            return self
        for plugin in self.pm.get_plugins():
            source = self.pm.get_name(plugin) or repr(plugin)
            for hook_name, registry in (
                ("register_providers", self.providers),
                ("register_scorers", self.scorers),
                ("register_reporters", self.reporters),
            ):
                impls = [i for i in getattr(self.pm.hook, hook_name).get_hookimpls() if i.plugin is plugin]
                for impl in impls:

                    def register(cls: type, *_: Any, _reg: Registry = registry, _src: str = source) -> None:
                        _reg.add(cls, _src)

                    impl.function(register=register)
        self._collected = True
        return self

    def describe(self) -> list[dict[str, str]]:
        rows = []
        for registry in (self.providers, self.scorers, self.reporters):
            for name, cls in sorted(registry.items.items()):
                rows.append(
                    {
                        "kind": registry.kind,
                        "name": name,
                        "source": registry.sources[name],
                        "description": getattr(cls, "description", "") or "",
                    }
                )
        return rows


def load_plugins(plugins_dir: Path | None = None, extra: list[tuple[object, str]] | None = None) -> PluginHost:
    """A fresh host with entry-point plugins, optional loose files and extra modules, collected."""
    host = PluginHost()
    host.load_entry_points()
    if plugins_dir is not None:
        host.load_directory(plugins_dir)
    for module, name in extra or []:
        host.register_module(module, name)
    return host.collect()
