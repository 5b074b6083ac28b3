"""Model names checked against what the provider serves, before any trial is called.

A typo (``-m gemini-2.5-flsh``) would otherwise become one failed, possibly paid, call per trial. Online the
provider lists its endpoint's models (one call, cached in the store for a day); offline (``harness validate``
without a key) it names the models it knows without a call. Each unknown name is a mistake at the line (or the
``--model`` flag) that named it.
"""

from __future__ import annotations

import asyncio

from harness.api.provider import Provider, ProviderError, ProviderSettings
from harness.errors import UserError, did_you_mean
from harness.log.cache import cached_models, remember_models
from harness.log.store import Store
from harness.suite.loader import LoadedSuite
from harness.suite.problems import Problems


async def _listed(provider: Provider) -> list[str] | None:
    try:
        return await provider.list_models()
    finally:
        await provider.aclose()


def served_models(
    provider_cls: type[Provider], settings: ProviderSettings, store: Store | None, endpoint: str
) -> list[str] | None:
    """The model names the endpoint serves: from the store when listed within a day, else asked once.

    None when the provider cannot list them or the call failed (then names are not checked: the trials
    themselves will say what is wrong).
    """
    if store is not None:
        cached = cached_models(store, provider_cls.name, endpoint)
        if cached is not None:
            return cached
    try:
        names = asyncio.run(_listed(provider_cls(settings)))
    except ProviderError:
        return None
    if names and store is not None:
        remember_models(store, provider_cls.name, endpoint, names)
    return names or None


def check_models(loaded: LoadedSuite, names: list[str] | None, problems: Problems, source: str) -> None:
    """Record a mistake for each model of the suite that ``names`` (from ``source``) does not have."""
    if not names:
        return
    known = {name.removeprefix("models/") for name in names}
    suite, smap = loaded.suite, loaded.smap
    for index, model in enumerate(loaded.models):
        if model.removeprefix("models/") in known:
            continue
        some = ", ".join(sorted(known)[:6]) + (", ..." if len(known) > 6 else "")
        hint = did_you_mean(model, sorted(known)) or f"known: {some}"
        message = f"unknown model '{model}' for provider '{loaded.provider_cls.name}' (not in {source})"
        if loaded.options.models:
            problems.add(UserError(message, file=f"--model {model}", hint=hint))
        elif suite.matrix.models:
            problems.add(smap.error(message, ("matrix", "models", index), hint))
        elif suite.defaults.model:
            problems.add(smap.error(message, ("defaults", "model"), hint))
        else:
            problems.add(UserError(message, hint=hint))
