"""The plugin host: one pluggy PluginManager, the plugins it loaded, and what they registered.

Plugins come from the ``harness`` entry-point group (the built-ins too), from loose ``*.py`` files
(``--plugins-dir``) or from objects handed in by a caller (tests, the pytest plugin). Every hook is called
through pluggy, so ``tryfirst``/``trylast``, hook wrappers and implementations that take fewer arguments than
the spec all work; a hook name no spec knows (``register_scorer``) is an error that names the plugin.
Registries are filled on first use, so a command that needs no scorer never imports one.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from harness.api import hookspecs
from harness.errors import PluginError, did_you_mean

ENTRY_POINT_GROUP = "harness"
#: Comma-separated entry-point names to load; unset loads all (like LLM_LOAD_PLUGINS).
LOAD_ENV = "HARNESS_LOAD_PLUGINS"

#: Registry kind -> the hook that fills it.
KINDS = {
    "provider": "register_providers",
    "scorer": "register_scorers",
    "reporter": "register_reporters",
    "command": "register_commands",
}


@dataclass
class Registry:
    """Things registered under unique names, remembering which plugin registered each."""

    kind: str
    items: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def add(self, item: Any, source: str) -> None:
        name = getattr(item, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(f"plugin '{source}' registered a {self.kind} without a 'name'")
        if name in self.items:
            raise PluginError(
                f"two plugins register the {self.kind} '{name}': {self.sources[name]} and {source}",
                hint=f"uninstall one, or pin plugins with {LOAD_ENV}",
            )
        self.items[name] = item
        self.sources[name] = source

    def get(self, name: str) -> Any:
        try:
            return self.items[name]
        except KeyError:
            hint = did_you_mean(name, self.items) or f"installed: {', '.join(sorted(self.items)) or 'none'}"
            raise PluginError(f"unknown {self.kind} '{name}'", hint=hint) from None

    def __contains__(self, name: object) -> bool:
        return name in self.items

    def __iter__(self) -> Any:
        return iter(self.items)


class PluginHost:
    """The plugins of one process (or one test) and their registries."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("harness")
        self.pm.add_hookspecs(hookspecs)
        self._registries: dict[str, Registry] = {}
        self._versions: dict[str, str] = {}

    # loading ------------------------------------------------------------------------------------
    def register(self, plugin: object, name: str) -> None:
        """Register one plugin object (a module, a class or an instance with hook implementations)."""
        if self.pm.get_plugin(name) is not None:
            return
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            hint = "see docs/plugins.md for the hooks and their arguments"
            raise PluginError(f"plugin '{name}': {exc}", hint=hint) from None
        self._registries.clear()

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
            self.register(module, ep.name)
            self._versions[ep.name] = ep.dist.version if ep.dist is not None else ""

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
            self.register(module, str(path))

    def check(self) -> None:
        """Refuse hook implementations that match no hook (pluggy would otherwise ignore a misspelt name)."""
        for hook_name, caller in vars(self.pm.hook).items():
            if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if not impl.optionalhook:
                    hint = did_you_mean(hook_name, hookspecs.HOOKS) or f"hooks: {', '.join(hookspecs.HOOKS)}"
                    raise PluginError(
                        f"plugin '{impl.plugin_name}' implements an unknown hook '{hook_name}'", hint=hint
                    )

    # registries ---------------------------------------------------------------------------------
    def registry(self, kind: str) -> Registry:
        """The registry of ``kind`` ("provider", "scorer", "reporter", "command"), filled on first use."""
        if kind not in self._registries:
            registry = Registry(kind)
            hook_name = KINDS[kind]
            caller = getattr(self.pm.hook, hook_name)
            owners = {impl.function.__code__: impl.plugin_name for impl in caller.get_hookimpls()}

            def register(item: Any, *_: Any, **__: Any) -> None:
                registry.add(item, _caller_plugin(owners, item))

            try:
                caller(register=register)
            except PluginError:
                raise
            except Exception as exc:
                who = _failing_plugin(owners, exc) or "a plugin"
                raise PluginError(f"{who} failed in {hook_name}: {type(exc).__name__}: {exc}") from exc
            self._registries[kind] = registry
        return self._registries[kind]

    @property
    def providers(self) -> Registry:
        return self.registry("provider")

    @property
    def scorers(self) -> Registry:
        return self.registry("scorer")

    @property
    def reporters(self) -> Registry:
        return self.registry("reporter")

    @property
    def commands(self) -> Registry:
        return self.registry("command")

    def describe(self) -> list[dict[str, str]]:
        rows = []
        for kind in ("provider", "scorer", "reporter"):
            registry = self.registry(kind)
            for name, cls in sorted(registry.items.items()):
                rows.append(
                    {
                        "kind": kind,
                        "name": name,
                        "source": registry.sources[name],
                        "description": getattr(cls, "description", "") or "",
                    }
                )
        return rows

    def versions(self) -> dict[str, str]:
        """Plugin name -> the version of the distribution that installed it ("" for loose files and objects)."""
        return {name: self._versions.get(name, "") for name, _ in self.pm.list_name_plugin()}


def _caller_plugin(owners: dict[types.CodeType, str], item: Any) -> str:
    """The plugin whose hook implementation is on the stack now (registration may happen in a helper)."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code in owners:
            return owners[frame.f_code]
        frame = frame.f_back  # type: ignore[assignment]
    return getattr(item, "__module__", "?")


def _failing_plugin(owners: dict[types.CodeType, str], exc: BaseException) -> str | None:
    tb = exc.__traceback__
    found = None
    while tb is not None:
        if tb.tb_frame.f_code in owners:
            found = f"plugin '{owners[tb.tb_frame.f_code]}'"
        tb = tb.tb_next
    return found


def load_plugins(plugins_dir: Path | None = None, extra: list[tuple[object, str]] | None = None) -> PluginHost:
    """A host with the entry-point plugins, optional loose files and extra plugin objects, checked."""
    host = PluginHost()
    host.load_entry_points()
    if plugins_dir is not None:
        host.load_directory(plugins_dir)
    for plugin, name in extra or []:
        host.register(plugin, name)
    host.check()
    return host


__all__ = ["ENTRY_POINT_GROUP", "LOAD_ENV", "PluginHost", "Registry", "load_plugins"]
