"""``harness rescore RUN_ID``: score a stored run's answers again with the suite as it is now, calling no model."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harness.cli.options import parse_formats, store_option
from harness.cli.resume import replay


@click.command()
@click.argument("run_id")
@store_option()
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write reports into DIR/<suite>/ (default reports/NEW_RUN_ID/<suite>/).",
)
@click.option("--format", "-f", "formats", help="Report formats, comma-separated (default: the run's own).")
@click.option("--quiet", "-q", is_flag=True, help="No table; just the report paths.")
def rescore(run_id: str, store_path: Path | None, out_dir: Path | None, formats: str | None, quiet: bool) -> None:
    """Score the answers of a stored run again, with the suite's scorers as they are now (after changing a
    threshold, a reference or a rubric), without calling any model. The result is a new run beside the old one.

    A trial whose request the suite has changed since (its prompt, config or media) has no stored answer: it is
    recorded as not run. Judge calls are answered from the store too; a changed rubric needs `harness run`.

    \b
    Example:
      harness rescore 20261201-101500-ab12 --out reports/rescored
    """
    from harness.cli.run import run_suites

    suite, params = replay(run_id, store_path)
    params.update(quiet=quiet, out_dir=out_dir, batch=False, no_cache=False)
    params["emulator"] = False  # no call is made, so nothing needs to answer
    if formats is not None:
        params["formats"] = ",".join(parse_formats(formats))
    sys.exit(run_suites([suite], params, answers_from=run_id))
