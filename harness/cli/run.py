"""``harness run``: run suites, write reports, print the summary and the failing cases, exit with the verdict."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import click

from harness.cli.console import BatchProgress, RunProgress, err, out, print_outcome, say
from harness.cli.options import load_host, load_options, parse_formats, store_option, suite_options
from harness.log.results import RunResults
from harness.log.sources import suite_slug
from harness.log.verdicts import EXIT_INTERRUPTED, parse_max_errors
from harness.run.batch import PollPolicy
from harness.run.endpoints import LocalEndpoints
from harness.run.outputs import BASELINE_FORMAT, write_combined
from harness.run.retry import RetryPolicy
from harness.run.runner import RunOptions
from harness.run.session import (
    Outcome,
    SessionOptions,
    default_store_path,
    execute,
    new_run_id,
)
from harness.suite.caps import DEFAULT_MAX_PROMPT_CHARS, DEFAULT_MAX_TRIALS, Caps


@click.command()
@click.argument("suites", nargs=-1, required=True, type=click.Path(path_type=Path))
@suite_options
@click.option(
    "--concurrency",
    "-j",
    type=click.IntRange(1, 512),
    default=8,
    show_default=True,
    help="Trials in flight at once.",
)
@click.option("--timeout", type=click.FloatRange(min=0.1), help="Per-trial timeout in seconds (overrides the suite).")
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=4,
    show_default=True,
    help="Retries of a failing call (429, 5xx, dropped connections).",
)
@click.option(
    "--retry-base-delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="First backoff delay in seconds (doubles each retry).",
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write reports into DIR/<suite>/ (default reports/RUN_ID/<suite>/), one sub-folder per suite.",
)
@click.option(
    "--format",
    "-f",
    "formats",
    default="html,json",
    show_default=True,
    help="Report formats, comma-separated (see `harness plugins`).",
)
@click.option(
    "--baseline",
    metavar="SOURCE",
    help="Compare with an earlier run: a folder written by --out, a results.json, a baseline.json, or a run id.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["any", "regressions", "none"]),
    default="any",
    show_default=True,
    help="What makes the exit code 1: any failing case, only cases that regressed against --baseline, or nothing.",
)
@click.option(
    "--max-errors",
    default="0",
    show_default=True,
    metavar="N|P%",
    callback=lambda _c, _p, value: _check_max_errors(value),
    help="Errored trials (API failures) a run may have and still be complete; beyond it the exit code is 3.",
)
@click.option("--no-cache", is_flag=True, help="Call the model even when the same request was answered before.")
@click.option(
    "--batch",
    is_flag=True,
    help="Send the calls through the provider's batch mode (half the price, hours not seconds; see docs/engine.md).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.01),
    default=1.0,
    show_default=True,
    help="First wait between polls of a batch job, in seconds (it grows 1.5x per poll, to at most 30 s).",
)
@click.option(
    "--resume",
    "resume_latest",
    is_flag=True,
    help="Finish the latest interrupted run of each suite instead of starting a new one (see `harness resume`).",
)
@click.option("--rpm", type=click.IntRange(min=1), help="Requests per minute per model (overrides limits:).")
@click.option(
    "--tpm", type=click.IntRange(min=1), help="Estimated input tokens per minute per model (overrides limits:)."
)
@click.option("--quota-tier", metavar="TIER", help="Use the provider's documented per-model limits of this tier.")
@click.option(
    "--media-transport",
    type=click.Choice(["auto", "inline", "upload"]),
    help="How media travel: auto uploads media the run sends many times; inline or upload force one way.",
)
@click.option(
    "--emulator",
    is_flag=True,
    help="Start a local Gemini emulator for this run and send every call to it (no key needed).",
)
@click.option(
    "--emulator-responses",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Responses file for --emulator.",
)
@click.option("--base-url", envvar="HARNESS_BASE_URL", help="Send calls to this Gemini-compatible endpoint.")
@store_option()
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table; just the report paths.")
def run(
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
    concurrency: int,
    timeout: float | None,
    retries: int,
    retry_base_delay: float,
    out_dir: Path | None,
    formats: str,
    baseline: str | None,
    fail_on: str,
    max_errors: str,
    no_cache: bool,
    emulator: bool,
    emulator_responses: Path | None,
    base_url: str | None,
    store_path: Path | None,
    quiet: bool,
    batch: bool,
    poll_interval: float,
    resume_latest: bool,
    rpm: int | None,
    tpm: int | None,
    quota_tier: str | None,
    media_transport: str | None,
) -> None:
    """Run suites and write reports into DIR/<suite>/ (plus DIR/summary.md and, with --format baseline, a
    compact DIR/baseline.json covering every suite).

    Exit codes: 0 every case passed (with --fail-on regressions: none regressed), 1 a case failed or regressed,
    2 a mistake in a suite or the command, 3 the run is incomplete (more errored trials than --max-errors),
    130 interrupted (finished trials are kept). See docs/ci.md.

    \b
    Examples:
      harness run suites/transcription.suite.yaml --emulator
      harness run suites/temperature.suite.yaml -m gemini-2.5-flash -m gemini-2.0-flash --repeat 5
      harness run suites/*.suite.yaml --out reports/pr --format html,junit,markdown --baseline reports/main \\
          --fail-on regressions
      harness run suites/chat.suite.yaml --filter 'tag:smoke' --set defaults.config.temperature=0
    """
    params = click.get_current_context().params
    if fail_on == "regressions" and baseline is None:
        raise click.UsageError("--fail-on regressions needs --baseline")
    sys.exit(run_suites(list(suites), params, resume_latest=resume_latest))


#: Options given as paths (stored as text with a run, so ``harness resume`` can replay it).
PATH_PARAMS = ("plugins_dir", "out_dir", "emulator_responses", "store_path")


def storable(params: dict[str, Any]) -> dict[str, Any]:
    """The run command's options as JSON (what ``harness resume`` replays)."""
    out = {k: v for k, v in params.items() if k not in ("suites", "resume_latest", "_given")}
    out["_given"] = sorted(k for k in out if _given(k, params))
    for key in PATH_PARAMS:
        if out.get(key) is not None:
            out[key] = str(Path(out[key]).resolve())
    for key in ("models", "overrides", "filters"):
        out[key] = list(out.get(key) or ())
    return out


def replayed(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored options back as the run command's parameters."""
    params = dict(stored)
    for key in PATH_PARAMS:
        if params.get(key) is not None:
            params[key] = Path(params[key])
    for key in ("models", "overrides", "filters"):
        params[key] = tuple(params.get(key) or ())
    return params


def run_suites(
    suites: list[Path],
    params: dict[str, Any],
    resume_latest: bool = False,
    resume: dict[Path, str] | None = None,
    answers_from: str | None = None,
) -> int:
    """Run (or resume, or re-score) each suite with the run command's ``params``; the worst exit code."""
    p = params
    host = load_host(p["plugins_dir"])
    # --max-cost in a run is the running check (harness.run.spend), so the plan-time cap leaves cost alone.
    caps = Caps(
        max_trials=p.get("max_trials", DEFAULT_MAX_TRIALS),
        max_prompt_chars=p.get("max_prompt_chars", DEFAULT_MAX_PROMPT_CHARS),
    )
    worst = 0
    root = p["out_dir"] or Path("reports") / new_run_id()
    store_path = p["store_path"] or default_store_path()
    finished: list[RunResults] = []
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(LocalEndpoints(p["emulator_responses"])) if p["emulator"] else None
        for path in suites:
            resume_id = (resume or {}).get(path)
            if resume_id is None and resume_latest:
                resume_id = _latest_unfinished(store_path, path)
            options = SessionOptions(
                load=load_options(
                    host, p["models"], p["overrides"], p["repeat"], p["allow_outside_files"], p["allow_python"], caps
                ),
                run=RunOptions(
                    concurrency=p["concurrency"],
                    timeout_s=p["timeout"],
                    use_cache=not p["no_cache"],
                    retry=RetryPolicy(max_retries=p["retries"], base_delay_s=p["retry_base_delay"]),
                    allow_python=p["allow_python"],
                    batch=p["batch"],
                    max_cost_usd=p["max_cost"],
                    stop_after_errors=p["max_errors"] if _given("max_errors", p) else None,
                    rpm=p["rpm"],
                    tpm=p["tpm"],
                    quota_tier=p["quota_tier"],
                    on_batch=BatchProgress(err, enabled=not p["quiet"]),
                    answers_from=answers_from,
                    poll=PollPolicy(first_s=p.get("poll_interval") or 1.0),
                ),
                filters=list(p["filters"]),
                # One layout whatever the number of suites: DIR/<suite>/ (a resumed run keeps its own folder).
                out_dir=None if resume_id and not p["out_dir"] else root / suite_slug(path),
                formats=[f for f in parse_formats(p["formats"]) if f != BASELINE_FORMAT],
                baseline=p["baseline"],
                store_path=store_path,
                base_url=p["base_url"],
                local=local,
                fail_on=p["fail_on"],
                max_errors=p["max_errors"],
                argv=sys.argv[1:],
                resume=resume_id,
                request={"suite": str(path), "params": storable(p)},
                media_transport=p["media_transport"],
            )
            outcome = _run_one(path, options, p["quiet"])
            finished.append(outcome.results)
            worst = max(worst, outcome.exit_code)
            if outcome.exit_code == EXIT_INTERRUPTED:
                break
    for written in write_combined(finished, root, parse_formats(p["formats"]), host):
        say(out, f"wrote {written}")
    return worst


def _given(name: str, params: dict[str, Any]) -> bool:
    """True when the option was given (on this command line, or on the one a resumed run replays)."""
    if params.get("_given") is not None:
        return name in params["_given"]
    ctx = click.get_current_context(silent=True)
    if ctx is None or name not in ctx.params:
        return False
    return ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)


def _latest_unfinished(store_path: Path, suite: Path) -> str | None:
    from harness.log.store import Store

    store = Store(store_path)
    try:
        return store.unfinished_run(str(suite.resolve()))
    finally:
        store.close()


def _check_max_errors(value: str) -> str:
    try:
        parse_max_errors(value)
    except ValueError as exc:
        raise click.BadParameter(f"give a count or a percentage ({exc})") from None
    return value


def _run_one(path: Path, options: SessionOptions, quiet: bool) -> Outcome:
    progress = RunProgress(err, enabled=not quiet)
    try:
        outcome = execute(
            path,
            options,
            on_start=lambda info, trials: progress.start(info.suite, len(trials)),
            on_trial=progress.advance,
        )
    finally:
        progress.stop()
    print_outcome(outcome, quiet)
    return outcome
