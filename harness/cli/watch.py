"""``harness watch SUITE...``: run, then re-run on every save of a suite or of any file it reads, and print what
changed since the previous run. Unchanged requests are answered from the cache, so only edited trials call."""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import click
from rich.text import Text

from harness.cli.console import case_lines, err, out
from harness.cli.options import load_host, load_options, parse_formats, store_option, suite_options
from harness.cli.watchdiff import diff_lines, first_lines
from harness.errors import UserError
from harness.log.results import RunResults
from harness.log.sources import suite_slug
from harness.log.verdicts import EXIT_INTERRUPTED
from harness.run.endpoints import LocalEndpoints
from harness.run.runner import RunOptions
from harness.run.session import Baseline, SessionOptions, compare_with, default_store_path, execute
from harness.suite.caps import Caps
from harness.suite.inputs import suite_inputs
from harness.suite.loader import load_suite

#: Quiet time after the last file event before a re-run (an editor's save is several events).
DEBOUNCE_MS = 150
#: How often a quiet watch compares the files with what they were, for a save no event told it of.
RECHECK_MS = 500


@click.command()
@click.argument("suites", nargs=-1, required=True, type=click.Path(path_type=Path))
@suite_options
@click.option("--emulator", is_flag=True, help="Run on a local Gemini emulator (started once for the session).")
@click.option(
    "--emulator-responses", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="Responses file."
)
@click.option("--base-url", envvar="HARNESS_BASE_URL", help="Send calls to this Gemini-compatible endpoint.")
@click.option("--concurrency", "-j", type=click.IntRange(1, 512), default=8, show_default=True)
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports") / "watch",
    show_default=True,
    help="Reports of the latest run go to DIR/<suite>/.",
)
@click.option("--format", "-f", "formats", default="html,json", show_default=True, help="Report formats.")
@store_option()
@click.option("--max-runs", type=click.IntRange(1), hidden=True, help="Stop after N runs (scripts, tests).")
def watch(
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
    emulator: bool,
    emulator_responses: Path | None,
    base_url: str | None,
    concurrency: int,
    out_dir: Path,
    formats: str,
    store_path: Path | None,
    max_runs: int | None,
) -> None:
    """Run suites, then re-run them on every save of the suite, its templates, case files, media, schema files
    or scorer files. Requests that did not change are answered from the cache, so only the trials you changed
    call the model. After each run: newly failing and newly passing cases with their reasons, metric deltas,
    and changed answers as a word diff. Ctrl-C stops.

    \b
    Examples:
      harness watch starter.suite.yaml --emulator --emulator-responses emulator-responses.yaml
      harness watch suites/transcription.suite.yaml -m gemini-2.0-flash --filter 'jfk-*'
    """
    host = load_host(plugins_dir)
    caps = Caps(max_trials=max_trials, max_prompt_chars=max_prompt_chars, max_cost_usd=max_cost)
    previous: dict[Path, RunResults] = {}
    inputs: dict[Path, set[Path]] = {path: {path.resolve()} for path in suites}
    runs = 0
    code = 0
    with contextlib.ExitStack() as stack:
        local = stack.enter_context(LocalEndpoints(emulator_responses)) if emulator else None
        changed: list[Path] = []
        while True:
            runs += 1
            # Taken before the round reads anything, so a save made while it runs starts the next round.
            seen = {file: _signature(file) for file in set().union(*inputs.values())}
            for path in suites:
                options = SessionOptions(
                    load=load_options(host, models, overrides, repeat, allow_outside_files, allow_python, caps),
                    run=RunOptions(concurrency=concurrency, allow_python=allow_python),
                    filters=list(filters),
                    out_dir=out_dir / suite_slug(path),
                    formats=parse_formats(formats),
                    store_path=store_path or default_store_path(),
                    base_url=base_url,
                    local=local,
                    argv=sys.argv[1:],
                )
                code = max(code, _run_once(path, options, previous, inputs, runs, changed))
            if code == EXIT_INTERRUPTED or (max_runs is not None and runs >= max_runs):
                break
            files = set().union(*inputs.values())
            seen.update({file: _signature(file) for file in files - seen.keys()})  # learnt during the round
            changed = _wait(files, seen)
    sys.exit(code)


def _run_once(
    path: Path,
    options: SessionOptions,
    previous: dict[Path, RunResults],
    inputs: dict[Path, set[Path]],
    number: int,
    changed: list[Path],
) -> int:
    stamp = time.strftime("%H:%M:%S")
    why = f" (saved: {', '.join(p.name for p in changed)})" if changed else ""
    try:
        # The files are learnt from the suite as it is now, so a newly named template or clip is watched too.
        inputs[path] = {path.resolve(), *suite_inputs(load_suite(path, options.load))}
        outcome = execute(path, options)
    except UserError as exc:
        err.print(f"[{stamp}] {path}{why}: not run, the suite has mistakes:", markup=False, highlight=False)
        err.print(exc.format(), markup=False, highlight=False, soft_wrap=True)
        return 2
    results = outcome.results
    before = previous.get(path)
    out.print(f"[{stamp}] run {number} of {path}{why}", markup=False, highlight=False)
    if before is None:
        lines: list[str | Text] = [*first_lines(results), *case_lines(results)]
    else:
        lines = diff_lines(results, before, compare_with(results, Baseline(before)), out.is_terminal)
    for line in lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    previous[path] = results
    return outcome.exit_code


def _signature(file: Path) -> tuple[int, int, int] | None:
    """What a save changes (an editor that replaces the file changes the inode), or None for a missing file."""
    try:
        stat = file.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def _wait(files: set[Path], seen: dict[Path, tuple[int, int, int] | None]) -> list[Path]:
    """The files saved since ``seen`` was taken (during the run), or else block until one of ``files`` is saved
    (created, changed or replaced); return the ones that were."""
    import watchfiles

    saved = _saved(files, seen)
    if saved:
        return saved
    folders = {file.parent for file in files if file.parent.is_dir()}
    out.print(f"watching {len(files)} files; Ctrl-C stops", markup=False, highlight=False, style="dim")

    def wanted(_change: watchfiles.Change, name: str) -> bool:
        return Path(name).resolve() in files

    batches = watchfiles.watch(
        *folders,
        watch_filter=wanted,
        debounce=DEBOUNCE_MS,
        recursive=False,
        rust_timeout=RECHECK_MS,
        yield_on_timeout=True,
    )
    for batch in batches:
        if batch:
            return sorted({Path(name) for _, name in batch})
        # A save made after the check above but before the watch was listening sends it no event: look again.
        saved = _saved(files, seen)
        if saved:
            return saved
    return []


def _saved(files: set[Path], seen: dict[Path, tuple[int, int, int] | None]) -> list[Path]:
    return sorted(file for file in files if _signature(file) != seen.get(file))
