"""Where a run's results go: results.json and each reporter's files in a suite's folder, and the files that
cover every suite of one command (DIR/baseline.json, DIR/summary.md), each written whole under the folder's lock."""

from __future__ import annotations

import json
from pathlib import Path

from harness.api.host import PluginHost
from harness.api.reporting import ReportContext
from harness.errors import OutputError, UserError
from harness.log.atomic import folder_lock
from harness.log.results import RunResults
from harness.log.sources import BASELINE_FILE, suite_slug, write_baseline_file


def write_reports(
    results: RunResults,
    out_dir: Path,
    formats: list[str],
    host: PluginHost,
    baseline: RunResults | None,
    replace_other_run: bool = True,
) -> list[Path]:
    """Write results.json and each format into ``out_dir``, holding the folder's lock so two runs writing the
    same folder never mix. Without ``replace_other_run`` (``harness report``), a folder that holds another
    run's results.json is refused instead of overwritten. A failed write (a full disk) is an OutputError
    naming the cause; every file is written whole or not at all."""
    try:
        with folder_lock(out_dir):
            if not replace_other_run:
                _check_owner(out_dir / "results.json", results.run.id)
            # results.json is the core's own record (the run log), always written; "json" names it as a format.
            written = [results.write(out_dir / "results.json")]
            ctx = ReportContext(out_dir=out_dir, baseline=baseline)
            for name in formats:
                if name in (CORE_FORMAT, BASELINE_FORMAT):
                    continue
                reporter = host.reporters.get(name)()
                path = reporter.write(results, ctx)
                if path not in written:
                    written.append(path)
    except OSError as exc:
        raise _output_error(exc, f"the reports of run {results.run.id}", results.run.id, out_dir) from None
    return written


def _output_error(exc: OSError, what: str, run_id: str, out_dir: Path) -> OutputError:
    """A failed report write as one message: the cause, and how to write the reports again."""
    return OutputError(
        f"cannot write {what}: {exc.strerror or exc}",
        file=exc.filename or out_dir,
        hint=f"every finished trial is in the store: `harness report {run_id} --out DIR` writes the reports "
        "again once there is room",
    )


def _check_owner(path: Path, run_id: str) -> None:
    """Refuse to replace a results.json that belongs to a different run."""
    try:
        other = json.loads(path.read_text(encoding="utf-8")).get("run", {}).get("id")
    except (OSError, ValueError, AttributeError):
        return
    if other and other != run_id:
        raise UserError(
            f"{path} holds the results of run {other}; re-rendering run {run_id} there would replace them",
            hint="give --out DIR to write this run's reports elsewhere",
        )


#: The formats the core writes itself: results.json (the versioned run log, docs/results-json.md, always
#: written) and the compact baseline of every suite of a command (DIR/baseline.json).
CORE_FORMAT = "json"
BASELINE_FORMAT = "baseline"


def check_formats(formats: list[str], host: PluginHost) -> None:
    for name in formats:
        if name not in (CORE_FORMAT, BASELINE_FORMAT):
            host.reporters.get(name)


def write_combined(runs: list[RunResults], out_dir: Path, formats: list[str], host: PluginHost) -> list[Path]:
    """The files that cover every suite of one command: DIR/baseline.json, and each format's own (DIR/summary.md)."""
    if not runs:
        return []
    written = []
    try:
        with folder_lock(out_dir):
            if BASELINE_FORMAT in formats:
                by_suite = {suite_slug(r.run.suite_file): r for r in runs}
                written.append(write_baseline_file(out_dir / BASELINE_FILE, by_suite))
            for name in formats:
                if name in (CORE_FORMAT, BASELINE_FORMAT):
                    continue
                path = host.reporters.get(name)().write_combined(runs, out_dir)
                if path is not None:
                    written.append(path)
    except OSError as exc:
        raise _output_error(exc, f"the summary of this command into {out_dir}", "RUN_ID", out_dir) from None
    return written
