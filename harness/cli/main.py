"""The ``harness`` command line."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from harness import __version__
from harness.api.host import load_plugins
from harness.cli.console import err, out
from harness.cli.options import baseline_for, load_host, load_options, parse_formats, suite_options, suite_slug
from harness.errors import UserError
from harness.run.endpoints import LocalEndpoints
from harness.run.retry import RetryPolicy
from harness.run.runner import RunOptions
from harness.run.session import (
    EXIT_INTERRUPTED,
    SessionOptions,
    default_store_path,
    execute,
    new_run_id,
    prepare,
)


class LazyGroup(click.Group):
    """A group whose heavier subcommands are imported only when used (keeps start-up fast)."""

    lazy = {
        "plugins": ("harness.cli.inspect", "plugins"),
        "schema": ("harness.cli.inspect", "schema"),
        "report": ("harness.cli.inspect", "report"),
        "runs": ("harness.cli.inspect", "runs"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy, *_plugin_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            module, attr = self.lazy[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        found = super().get_command(ctx, cmd_name)
        if found is None:
            found = _plugin_commands().get(cmd_name)
        return found


def _plugin_commands() -> dict[str, click.Command]:
    """Sub-commands that plugins add (``register_commands``), e.g. the Gemini plugin's ``emulator``."""
    commands = load_plugins().commands
    return {name: commands.get(name) for name in commands}


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="harness")
def cli() -> None:
    """Evaluate prompts against Gemini: suites of cases, a matrix of models and configs, scorers, reports.

    \b
    Start with:
      harness validate suites/*.suite.yaml
      harness run suites/transcription.suite.yaml --emulator
    """


@cli.command()
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
    type=click.Path(path_type=Path),
    help="Compare with an earlier run: its results.json, folder, or run id.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["any", "regressions", "none"]),
    default="any",
    show_default=True,
    help="What makes the exit code 1.",
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
    concurrency: int,
    timeout: float | None,
    retries: int,
    retry_base_delay: float,
    out_dir: Path | None,
    formats: str,
    baseline: Path | None,
    fail_on: str,
    no_cache: bool,
    emulator: bool,
    emulator_responses: Path | None,
    base_url: str | None,
    store_path: Path | None,
    quiet: bool,
) -> None:
    """Run suites and write reports. Exit 0 when every trial passed, 1 on failures or errors, 2 on a
    mistake in the suite or the command, 130 when interrupted (finished trials are kept).

    \b
    Examples:
      harness run suites/transcription.suite.yaml --emulator
      harness run suites/temperature.suite.yaml -m gemini-2.5-flash -m gemini-2.0-flash --repeat 5
      harness run suites/*.suite.yaml --format html,json,junit,markdown --baseline reports/main
      harness run suites/chat.suite.yaml --filter 'tag:smoke' --set defaults.config.temperature=0
    """
    host = load_host(plugins_dir)
    worst = 0
    default_out = Path("reports") / new_run_id()
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(LocalEndpoints(emulator_responses)) if emulator else None
        for path in suites:
            options = SessionOptions(
                load=load_options(host, models, overrides, repeat, allow_outside_files, allow_python),
                run=RunOptions(
                    concurrency=concurrency,
                    timeout_s=timeout,
                    use_cache=not no_cache,
                    retry=RetryPolicy(max_retries=retries, base_delay_s=retry_base_delay),
                    allow_python=allow_python,
                ),
                filters=list(filters),
                # One layout whatever the number of suites: DIR/<suite>/.
                out_dir=(out_dir or default_out) / suite_slug(path),
                formats=parse_formats(formats),
                baseline=baseline_for(baseline, path),
                store_path=store_path or default_store_path(),
                base_url=base_url,
                local=local,
                fail_on=fail_on,
                argv=sys.argv[1:],
            )
            code = _run_one(path, options, quiet)
            worst = max(worst, code)
            if code == EXIT_INTERRUPTED:
                break
    sys.exit(worst)


def _run_one(path: Path, options: SessionOptions, quiet: bool) -> int:
    from harness.cli.console import RunProgress, failures, summary_table

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
    results = outcome.results
    if not quiet:
        out.print(summary_table(results))
        for line in failures(results):
            out.print(line, markup=False, highlight=False)
        if results.baseline is not None:
            b = results.baseline
            out.print(
                f"baseline {b.run_id}: {b.regressions} regressed, {b.fixes} fixed, {b.new} new, {b.removed} removed"
            )
        gated = [v for v in results.cases if v.min_pass_rate is not None and v.ok is not None]
        if gated:
            below = [v for v in gated if not v.ok]
            out.print(f"min_pass_rate: {len(gated) - len(below)} of {len(gated)} case groups reached their pass rate")
            for v in below[:10]:
                where = f"{v.case_id} [{v.model} {v.config_id} {v.prompt_id}]"
                out.print(f"BELOW {where}: {v.passed}/{v.trials} passed < {v.min_pass_rate:.0%}", markup=False)
        cached = sum(1 for t in results.trials if t.output and t.output.cached)
        if cached:
            out.print(f"{cached} of {len(results.trials)} answers came from the cache (--no-cache to call again)")
    if results.run.status == "interrupted":
        err.print(f"interrupted: kept {len(results.trials)} finished trials")
    for written in outcome.written:
        out.print(f"wrote {written}", markup=False, highlight=False)
    return outcome.exit_code


@cli.command()
@click.argument("suites", nargs=-1, required=True, type=click.Path(path_type=Path))
@suite_options
def validate(
    suites: tuple[Path, ...],
    models: tuple[str, ...],
    overrides: tuple[str, ...],
    repeat: int | None,
    filters: tuple[str, ...],
    allow_outside_files: bool,
    allow_python: bool,
    plugins_dir: Path | None,
) -> None:
    """Check suites without calling a model: schema, files, scorer options, generation configs, and every
    template rendered for every case.

    \b
    Example:
      harness validate suites/*.suite.yaml
    """
    host = load_host(plugins_dir)
    for path in suites:
        options = SessionOptions(
            load=load_options(host, models, overrides, repeat, allow_outside_files, allow_python),
            filters=list(filters),
        )
        loaded, trials = prepare(path, options)
        out.print(f"ok: {path}: {len(loaded.cases)} cases, {len(trials)} trials", markup=False, highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes print one message and exit 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="harness", standalone_mode=False)
    except UserError as exc:
        err.print(exc.format(), markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
