"""``harness init [DIR]``: a commented starter suite with its media, a schema and a responses file."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import click

from harness.cli.console import out
from harness.cli.options import load_host
from harness.errors import UserError
from harness.suite.schema import suite_json_schema

#: The starter's files, relative to harness/cli/starter/ and to DIR.
FILES = (
    "starter.suite.yaml",
    "emulator-responses.yaml",
    "media/jfk.mp3",
    "media/LICENSE-jfk.mp3.txt",
    "media/SOURCES.md",
    "schemas/transcript.json",
)
SCHEMA_FILE = "suite.schema.json"


@click.command()
@click.argument("folder", metavar="[DIR]", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite starter files that are already there.")
def init(folder: Path, force: bool) -> None:
    """Create a starter suite in DIR (default: here): a speech clip transcribed and scored by WER, the same clip
    as JSON checked against a schema, a token budget with costs, a responses file for the emulator, and the
    suite schema for editor completion. It runs on the local emulator as written.

    \b
    Example:
      harness init my-evals && cd my-evals && harness validate starter.suite.yaml
    """
    plugins_schema = suite_json_schema(load_host(None))
    targets = [folder / name for name in (*FILES, SCHEMA_FILE)]
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        raise UserError(
            f"{existing[0]} already exists"
            + (f" (and {len(existing) - 1} more starter files)" if len(existing) > 1 else ""),
            hint="use another folder, or --force to overwrite the starter files",
        )
    source = resources.files("harness.cli") / "starter"
    for name in FILES:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(source.joinpath(*name.split("/"))) as path:
            shutil.copyfile(path, target)
    (folder / SCHEMA_FILE).write_text(json.dumps(plugins_schema, indent=2) + "\n", encoding="utf-8")
    where = "" if folder == Path(".") else f"cd {folder}\n  "
    responses = "--emulator --emulator-responses emulator-responses.yaml"
    out.print(
        f"created {', '.join(str(folder / n) for n in (FILES[0], FILES[1], 'media/', 'schemas/', SCHEMA_FILE))}\n"
        "\nnext, try:\n"
        f"  {where}harness validate starter.suite.yaml        # every mistake at once, and what a run would cost\n"
        f"  harness run starter.suite.yaml {responses}\n"
        f"  harness watch starter.suite.yaml {responses}   # re-runs on every save\n"
        "then `harness view` shows the run history in a browser.\n"
        "\neditor completion: the suite's first line points the YAML language server (VS Code: the Red Hat YAML\n"
        f"extension) at {SCHEMA_FILE}; after installing plugins, refresh it with `harness schema > {SCHEMA_FILE}`.",
        markup=False,
        highlight=False,
    )
