"""``harness resume RUN_ID`` (finish an interrupted run) and ``harness cancel RUN_ID`` (cancel its batch jobs)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from harness.cli.console import out
from harness.cli.options import store_option
from harness.errors import UserError
from harness.log.store import Store
from harness.run.session import default_store_path


def stored_request(store: Store, run_id: str) -> tuple[Path, dict[str, Any]]:
    """The suite and the run command's options that started ``run_id``."""
    if store.run_info(run_id) is None:
        raise UserError(f"no run '{run_id}' in the store {store.path}", hint="`harness runs` lists the stored runs")
    request = store.request_of(run_id)
    if request is None or "params" not in request:
        raise UserError(
            f"run {run_id} was not started by `harness run` (pytest?), so it cannot be replayed from here",
            hint="run it again the way it was started: finished calls are answered from the cache",
        )
    return Path(request["suite"]), request["params"]


def replay(run_id: str, store_path: Path | None) -> tuple[Path, dict[str, Any]]:
    """The suite and the run command's parameters that started ``run_id``, with the store they are in."""
    from harness.cli.run import replayed

    path = store_path or default_store_path()
    store = Store(path)
    try:
        suite, stored = stored_request(store, run_id)
    finally:
        store.close()
    params = replayed(stored)
    params["store_path"] = path
    return suite, params


@click.command()
@click.argument("run_id")
@store_option()
@click.option("--max-cost", type=click.FloatRange(min=0, min_open=True), metavar="USD", help="A new spend limit.")
@click.option("--concurrency", "-j", type=click.IntRange(1, 512), help="Calls in flight at once.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table; just the report paths.")
def resume(run_id: str, store_path: Path | None, max_cost: float | None, concurrency: int | None, quiet: bool) -> None:
    """Finish a run that was interrupted (Ctrl-C, kill -9, a crash) or stopped by a limit: only what it has not
    finished is called; its batch jobs are polled again, not resubmitted. The run keeps its id and report folder.

    \b
    Examples:
      harness resume 20261201-101500-ab12
      harness resume 20261201-101500-ab12 --max-cost 20    # a run stopped by its spend limit
    """
    from harness.cli.run import run_suites

    suite, params = replay(run_id, store_path)
    params["quiet"] = quiet
    given = set(params.get("_given") or [])
    if max_cost is not None:
        params["max_cost"] = max_cost
    if concurrency is not None:
        params["concurrency"] = concurrency
    params["_given"] = sorted(given)
    sys.exit(run_suites([suite], params, resume={suite: run_id}))


@click.command()
@click.argument("run_id")
@store_option()
def cancel(run_id: str, store_path: Path | None) -> None:
    """Cancel the batch jobs of a run that are still pending or running (`harness run --batch`).

    Calls the jobs had answered before they stopped are not lost: `harness resume RUN_ID` stores them and
    records the rest as errored trials.
    """
    from harness.api.host import load_plugins
    from harness.api.provider import ProviderError, ProviderSettings
    from harness.cli.run import replayed
    from harness.run.batch import cancel_jobs
    from harness.run.endpoints import LocalEndpoints

    store = Store(store_path or default_store_path())
    try:
        _, stored = stored_request(store, run_id)
        params = replayed(stored)
        info, _ = store.run_info(run_id) or (None, None)
        assert info is not None
        if not any(not job["done"] for job in store.batch_jobs(run_id)):
            out.print(f"run {run_id} has no batch job that is still running", markup=False, highlight=False)
            return
        host = load_plugins(params.get("plugins_dir"))
        provider_cls = host.providers.get(info.provider)
        with LocalEndpoints(params.get("emulator_responses")) as local:
            base_url, api_key = params.get("base_url"), None
            if params.get("emulator"):
                endpoint = local.get(provider_cls)
                base_url, api_key = endpoint.base_url, endpoint.api_key
            provider = provider_cls(
                ProviderSettings(base_url=base_url, api_key=api_key, options=info.spec.provider_options, files=store)
            )

            async def main() -> list[Any]:
                try:
                    return await cancel_jobs(provider, store, run_id)
                finally:
                    await provider.aclose()

            try:
                jobs = asyncio.run(main())
            except ProviderError as error:
                raise UserError(f"cannot cancel the batch jobs of run {run_id}: {error.message}") from None
        for job in jobs:
            out.print(f"batch {job.name}: {job.state}", markup=False, highlight=False)
    finally:
        store.close()
