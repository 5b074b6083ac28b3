"""``harness cache stats|prune|clear``: the response cache in the store (runs and their trials are kept)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from harness.cli.console import out
from harness.cli.options import store_option
from harness.log.cache import clear as clear_cache
from harness.log.cache import parse_age
from harness.log.cache import prune as prune_cache
from harness.log.cache import stats as cache_stats
from harness.log.store import Store
from harness.run.session import default_store_path

_STORE = store_option()


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _when(stamp: float | None) -> str:
    return "-" if stamp is None else dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


@click.group()
def cache() -> None:
    """The response cache: answers of earlier runs that answer an identical request again (use --no-cache on
    `harness run` to call anyway). Clearing or pruning it keeps every run and its trials (reports, `harness
    show` and `harness view` still work); only re-runs call the model again.

    \b
    Examples:
      harness cache stats
      harness cache prune --older-than 30d
      harness cache clear
    """


@cache.command()
@_STORE
def stats(store_path: Path | None) -> None:
    """How big the store is and what the cache holds."""
    store = Store(store_path or default_store_path())
    found = cache_stats(store)
    store.close()
    out.print(
        f"{found.path}: {_size(found.file_bytes)}; {found.runs} runs, {found.trials} trials; "
        f"cache: {found.answers} answers ({_size(found.answer_bytes)}), oldest {_when(found.oldest)}, "
        f"newest {_when(found.newest)}; {found.model_lists} model lists",
        markup=False,
        highlight=False,
    )


@cache.command()
@click.option("--older-than", "older_than", required=True, metavar="AGE", help="e.g. 30d, 12h, 2w.")
@_STORE
def prune(older_than: str, store_path: Path | None) -> None:
    """Drop cached answers stored longer ago than AGE."""
    try:
        seconds = parse_age(older_than)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}; give a number and a unit: s, m, h, d or w (e.g. 30d)") from None
    store = Store(store_path or default_store_path())
    before = cache_stats(store).file_bytes
    gone = prune_cache(store, seconds)
    after = cache_stats(store).file_bytes
    store.close()
    out.print(f"pruned {gone} cached answers older than {older_than}; {_size(before)} -> {_size(after)}", markup=False)


@cache.command()
@_STORE
def clear(store_path: Path | None) -> None:
    """Drop every cached answer (and cached model lists)."""
    store = Store(store_path or default_store_path())
    before = cache_stats(store).file_bytes
    gone = clear_cache(store)
    after = cache_stats(store).file_bytes
    store.close()
    out.print(f"cleared {gone} cached answers; {_size(before)} -> {_size(after)}", markup=False)
