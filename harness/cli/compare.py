"""``harness compare A B``: how run B did against run A, case by case, and exit 1 when B regressed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harness.cli.console import baseline_lines, out, say
from harness.cli.options import load_host, parse_formats, store_option
from harness.log.deltas import BaselineComparison
from harness.log.sources import load_results
from harness.log.store import Store
from harness.log.verdicts import EXIT_FAILED, EXIT_OK
from harness.run.outputs import check_formats, write_combined, write_reports
from harness.run.session import (
    Baseline,
    compare_with,
    default_store_path,
    scorer_lookup,
)


@click.command()
@click.argument("before", metavar="A")
@click.argument("after", metavar="B")
@click.option(
    "--format",
    "-f",
    "formats",
    default="",
    help="Also write B's reports, compared with A, in these formats (e.g. markdown,json,html) into --out.",
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for --format (DIR/<suite>/, plus DIR/summary.md with markdown).",
)
@store_option("Store for run ids.")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path))
def compare(
    before: str, after: str, formats: str, out_dir: Path | None, store_path: Path | None, plugins_dir: Path | None
) -> None:
    """Compare run B with run A, suite by suite and case by case: regressions, fixes, new and missing cases,
    metric deltas, each with its reason. A and B are each a folder written by `harness run --out`, a run folder,
    a results.json, a baseline.json, or a run id. Exit 0 when B did not regress, 1 when it did.

    \b
    Examples:
      harness compare reports/main reports/pr
      harness compare 20261126-101500-ab12 20261127-093000-cd34 --format markdown,json --out reports/cmp
    """
    names = parse_formats(formats)
    if names and out_dir is None:
        raise click.UsageError("--format needs --out")
    host = load_host(plugins_dir)
    check_formats(names, host)
    store = Store(store_path or default_store_path())
    lookup = scorer_lookup(host)
    old, new = load_results(before, store, lookup), load_results(after, store, lookup)
    regressed = False
    finished = []
    for slug in [*new, *(s for s in old if s not in new)]:
        if slug not in new:
            say(out, f"{slug}: only in {before} (missing from {after})")
            continue
        results = new[slug]
        missing = None if slug in old else f"{before} has no results for suite '{slug}': every case is new"
        comparison: BaselineComparison = compare_with(results, Baseline(old.get(slug), missing))
        results.baseline = comparison
        regressed = regressed or comparison.regressions > 0
        say(out, f"{slug}:")
        for line in baseline_lines(comparison, limit=50):
            say(out, f"  {line}")
        for metric in comparison.metrics:
            if metric.delta:
                direction = f" ({metric.verdict})" if metric.verdict else ""
                say(
                    out,
                    f"    {metric.metric} [{metric.model} · {metric.config_id} · {metric.prompt_id}]: "
                    f"{metric.before:.4g} -> {metric.after:.4g}{direction}",
                )
        if out_dir is not None and names:
            for written in write_reports(results, out_dir / slug, names, host, old.get(slug)):
                say(out, f"wrote {written}")
        finished.append(results)
    if out_dir is not None and names:
        for written in write_combined(finished, out_dir, names, host):
            say(out, f"wrote {written}")
    sys.exit(EXIT_FAILED if regressed else EXIT_OK)
