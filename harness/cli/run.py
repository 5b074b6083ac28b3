"""``harness run``: run suites, write reports, print the summary and the failing cases, exit with the verdict."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from harness.cli.console import RunProgress, err, out, print_outcome, say
from harness.cli.options import load_host, load_options, parse_formats, suite_options
from harness.log.results import RunResults
from harness.log.sources import suite_slug
from harness.log.verdicts import EXIT_INTERRUPTED, parse_max_errors
from harness.run.endpoints import LocalEndpoints
from harness.run.retry import RetryPolicy
from harness.run.runner import RunOptions
from harness.run.session import (
    BASELINE_FORMAT,
    Outcome,
    SessionOptions,
    default_store_path,
    execute,
    new_run_id,
    write_combined,
)
from harness.suite.caps import Caps


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
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite store (default .harness/harness.db or $HARNESS_STORE).",
)
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
    if fail_on == "regressions" and baseline is None:
        raise click.UsageError("--fail-on regressions needs --baseline")
    host = load_host(plugins_dir)
    caps = Caps(max_trials=max_trials, max_prompt_chars=max_prompt_chars, max_cost_usd=max_cost)
    worst = 0
    root = out_dir or Path("reports") / new_run_id()
    finished: list[RunResults] = []
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(LocalEndpoints(emulator_responses)) if emulator else None
        for path in suites:
            options = SessionOptions(
                load=load_options(host, models, overrides, repeat, allow_outside_files, allow_python, caps),
                run=RunOptions(
                    concurrency=concurrency,
                    timeout_s=timeout,
                    use_cache=not no_cache,
                    retry=RetryPolicy(max_retries=retries, base_delay_s=retry_base_delay),
                    allow_python=allow_python,
                ),
                filters=list(filters),
                # One layout whatever the number of suites: DIR/<suite>/.
                out_dir=root / suite_slug(path),
                formats=[f for f in parse_formats(formats) if f != BASELINE_FORMAT],
                baseline=baseline,
                store_path=store_path or default_store_path(),
                base_url=base_url,
                local=local,
                fail_on=fail_on,
                max_errors=max_errors,
                argv=sys.argv[1:],
            )
            outcome = _run_one(path, options, quiet)
            finished.append(outcome.results)
            worst = max(worst, outcome.exit_code)
            if outcome.exit_code == EXIT_INTERRUPTED:
                break
    for written in write_combined(finished, root, parse_formats(formats), host):
        say(out, f"wrote {written}")
    sys.exit(worst)


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
