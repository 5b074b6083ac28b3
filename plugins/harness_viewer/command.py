"""``harness view``: serve the viewer on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store to show (default .harness/harness.db or $HARNESS_STORE).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8484, show_default=True, help="0: any free port.")
def view(store_path: Path | None, port: int) -> None:
    """A local, read-only viewer of the run history in a browser: each suite's runs with pass-rate and metric
    trend lines, two runs side by side (regressions first, answers and prompts diffed word by word), one case
    across models and configs in a grid, filters (failing only, tag, model) and links to every page.

    It listens on 127.0.0.1 only, reads the store and changes nothing. Ctrl-C stops it.

    \b
    Examples:
      harness view
      harness view --store ci/harness.db --port 0
    """
    from harness_viewer.server import serve

    serve(store_path, port)
