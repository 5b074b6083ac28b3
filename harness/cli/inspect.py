"""The inspection commands of the ``harness`` CLI: plugins, schema, report (loaded lazily)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from harness.cli.console import cell, out, say
from harness.cli.options import load_host, parse_formats, store_option
from harness.log.results import results_json_schema
from harness.log.sources import load_results
from harness.log.store import Store
from harness.run.outputs import check_formats, write_combined, write_reports
from harness.run.session import (
    baseline_for,
    compare_with,
    default_store_path,
    scorer_lookup,
)
from harness.suite.schema import suite_json_schema


@click.command()
@click.option(
    "--plugins-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also load loose *.py plugins from this folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plugins(plugins_dir: Path | None, as_json: bool) -> None:
    """List installed providers, scorers and reporters, and which plugin registered each.

    \b
    Examples:
      harness plugins
      harness plugins --plugins-dir my_plugins --json
    """
    from rich.table import Table

    rows = load_host(plugins_dir).describe()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("kind", "name", "plugin", "description")
    for row in rows:
        table.add_row(*(cell(row[key]) for key in ("kind", "name", "source", "description")))
    out.print(table)


@click.command()
@click.option("--results", is_flag=True, help="Print the schema of results.json instead of the suite file.")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path), help="Also describe these plugins.")
def schema(results: bool, plugins_dir: Path | None) -> None:
    """Print the JSON Schema of suite files (for editors), or of results.json. It describes every key, the options
    of every installed scorer and the provider's generation-config fields with their ranges, so an editor with a
    YAML language server completes, explains and checks a suite as you type.

    \b
    Example (VS Code with the Red Hat YAML extension, or any editor using yaml-language-server):
      harness schema > suite.schema.json
      # then, first line of a suite:  # yaml-language-server: $schema=suite.schema.json
      # or in .vscode/settings.json:  "yaml.schemas": {"suite.schema.json": "*.suite.yaml"}
    """
    found = results_json_schema() if results else suite_json_schema(load_host(plugins_dir))
    click.echo(json.dumps(found, indent=2))


@click.command()
@click.argument("source")
@click.option(
    "--format",
    "-f",
    "formats",
    default="html,json",
    show_default=True,
    help="Report formats, comma-separated.",
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default: next to the source).",
)
@click.option("--baseline", metavar="SOURCE", help="Compare with an earlier run (anything SOURCE may be).")
@store_option("SQLite store to read run ids from.")
@click.option("--plugins-dir", type=click.Path(file_okay=False, path_type=Path))
def report(
    source: str,
    formats: str,
    out_dir: Path | None,
    baseline: str | None,
    store_path: Path | None,
    plugins_dir: Path | None,
) -> None:
    """Re-render finished runs without calling any model. SOURCE is a folder written by `harness run --out`, a
    run folder, a results.json, a baseline.json, or a run id from the store (even an interrupted run's).
    Reports go next to the source (or into OUT/<suite>/).

    \b
    Examples:
      harness report reports/main --format junit,markdown
      harness report 20261126-101500-ab12 --baseline reports/main
    """
    host = load_host(plugins_dir)
    store = Store(store_path or default_store_path())
    found = load_results(source, store, scorer_lookup(host))
    names = parse_formats(formats)
    check_formats(names, host)
    finished = []
    for slug, results in found.items():
        target = out_dir / slug if out_dir is not None else _folder_of(source, slug, len(found), store)
        base = baseline_for(baseline, Path(results.run.suite_file), store, host) if baseline else None
        if base is not None:
            results.baseline = compare_with(results, base)
        kept = base.results if base else None
        for written in write_reports(results, target, names, host, kept, replace_other_run=False):
            say(out, f"wrote {written}")
        finished.append(results)
    if out_dir is not None or len(found) > 1:
        root = out_dir or Path(source)
        for written in write_combined(finished, root if root.is_dir() else root.parent, names, host):
            say(out, f"wrote {written}")


def _folder_of(source: str, slug: str, suites: int, store: Store) -> Path:
    """Where a suite's reports of ``source`` live: the folder it was read from, or the stored run's folder."""
    path = Path(source)
    if path.is_file():
        return path.parent / slug if suites > 1 else path.parent
    if path.is_dir():
        return path if (path / "results.json").is_file() else path / slug
    found = store.run_info(source)
    return Path(found[1]) if found and found[1] else Path("reports") / source / slug
