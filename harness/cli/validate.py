"""``harness validate``: check suites without calling a model, report every mistake at once, and estimate the run."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

import click

from harness.api.provider import Provider, ProviderError, ProviderRequest, ProviderSettings
from harness.cli.console import budget_lines, err, estimate_table, out, say
from harness.cli.options import load_host, load_options, store_option, suite_options
from harness.errors import UserError, UserErrors
from harness.log.store import Store
from harness.run.endpoints import LocalEndpoints
from harness.run.estimate import Counter, estimate, estimate_cost
from harness.run.models import check_models, served_models
from harness.run.planning import PlannedTrial, check_requests, plan
from harness.run.session import check_cost, default_store_path
from harness.suite.caps import Caps
from harness.suite.loader import LoadedSuite, LoadOptions, load_suite
from harness.suite.problems import Problems


@click.command()
@click.argument("suites", nargs=-1, required=True, type=click.Path(path_type=Path))
@suite_options
@click.option("--count-tokens", is_flag=True, help="Ask the API to count the prompt tokens (one call per request).")
@click.option("--emulator", is_flag=True, help="Check models (and --count-tokens) against the local emulator.")
@click.option("--base-url", envvar="HARNESS_BASE_URL", help="Check models against this Gemini-compatible endpoint.")
@store_option("Where model lists are cached.")
@click.option("--no-estimate", is_flag=True, help="Only check; print no estimate.")
def validate(
    suites: tuple[Path, ...],
    models: tuple[str, ...],
    overrides: tuple[str, ...],
    repeat: int | None,
    filters: tuple[str, ...],
    allow_outside_files: bool,
    allow_python: bool,
    plugins_dir: Path | None,
    max_trials: int,
    max_prompt_chars: int,
    max_cost: float | None,
    count_tokens: bool,
    emulator: bool,
    base_url: str | None,
    store_path: Path | None,
    no_estimate: bool,
) -> None:
    """Check suites without calling a model: schema, files, scorer options, generation configs (fields and
    ranges), model names, and every template rendered for every case. Every mistake of every suite is reported
    at once, sorted by file:line (exit 2). Then an estimate of the run: trials, calls, input tokens, cost per
    model and config at online and batch prices, and the budgets it would break.

    Model names are checked against the provider's own list: the endpoint's (with a key, --emulator or
    --base-url; cached for a day) or, offline, the names the provider knows.

    \b
    Examples:
      harness validate suites/*.suite.yaml
      harness validate suites/transcription.suite.yaml -m gemini-2.0-flash --set defaults.config.temperature=0.5
      harness validate suites/transcription.suite.yaml --emulator --count-tokens
    """
    host = load_host(plugins_dir)
    caps = Caps(max_trials=max_trials, max_prompt_chars=max_prompt_chars, max_cost_usd=max_cost)
    store = Store(store_path or default_store_path())
    failed: list[UserError] = []
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(LocalEndpoints()) if emulator else None
        for path in suites:
            options = load_options(host, models, overrides, repeat, allow_outside_files, allow_python, caps)
            try:
                loaded, trials, settings = _check(path, options, list(filters), store, local, base_url)
            except UserError as exc:
                failed.append(exc)
                continue
            cost = ""
            if max_cost is not None:  # _check checked it; say how much room is left
                bound = estimate_cost(loaded.provider_cls, trials)
                cost = f", estimated cost at most ${bound.usd:.4f} of --max-cost ${max_cost:g}"
            say(out, f"ok: {path}: {len(loaded.cases)} cases, {len(trials)} trials{cost}")
            if not no_estimate:
                counter = _counter(loaded.provider_cls, settings) if count_tokens and settings else None
                if count_tokens and settings is None:
                    err.print("--count-tokens needs an API key, --emulator or --base-url; estimating instead")
                found = estimate(loaded.provider_cls, trials, counter)
                out.print(estimate_table(found))
                for line in budget_lines(found):
                    say(out, line)
    store.close()
    if failed:
        raise UserErrors(failed)
    sys.exit(0)


def _check(
    path: Path,
    options: LoadOptions,
    filters: list[str],
    store: Store,
    local: LocalEndpoints | None,
    base_url: str | None,
) -> tuple[LoadedSuite, list[PlannedTrial], ProviderSettings | None]:
    """Every check of one suite in one pass: the suite, its templates and requests, and its model names."""
    problems = Problems()
    loaded = load_suite(path, options, problems)
    trials = plan(loaded, filters, problems)
    check_requests(loaded, trials, problems)
    settings = _online(loaded.provider_cls, loaded, local, base_url)
    if settings is not None:
        endpoint = local.get(loaded.provider_cls).identity if local else base_url or "default"
        names = served_models(loaded.provider_cls, settings, store, endpoint)
        check_models(loaded, names, problems, "the models the endpoint lists")
    else:
        check_models(
            loaded, loaded.provider_cls.known_models(), problems, f"the models '{loaded.provider_cls.name}' knows"
        )
    problems.raise_any()
    check_cost(loaded, trials)
    return loaded, trials, settings


def _online(
    provider: type[Provider], loaded: LoadedSuite, local: LocalEndpoints | None, base_url: str | None
) -> ProviderSettings | None:
    """Settings to reach the provider's endpoint, or None when it cannot be reached (no key: stay offline)."""
    settings = ProviderSettings(base_url=base_url, options=loaded.suite.provider_options)
    if local is not None:
        endpoint = local.get(provider)
        settings = ProviderSettings(base_url=endpoint.base_url, api_key=endpoint.api_key, options=settings.options)
    try:
        asyncio.run(provider(settings).aclose())
    except UserError:
        return None
    return settings


def _counter(provider_cls: type[Provider], settings: ProviderSettings) -> Counter:
    """Counts prompt tokens through the API, one call per distinct request, in one event loop."""

    def count(requests: list[ProviderRequest]) -> list[int | None]:
        async def one(provider: Provider, request: ProviderRequest) -> int | None:
            try:
                return await provider.count_tokens(request)
            except ProviderError as error:
                err.print(f"count_tokens failed ({error.message}); estimating that request", markup=False)
                return None

        async def run() -> list[int | None]:
            provider = provider_cls(settings)
            try:
                return [await one(provider, request) for request in requests]
            finally:
                await provider.aclose()

        return asyncio.run(run())

    return count
