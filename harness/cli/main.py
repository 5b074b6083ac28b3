"""The ``harness`` command line."""

from __future__ import annotations

import sys

import click

from harness import __version__
from harness.api.host import load_plugins
from harness.cli.console import err, say
from harness.errors import UserError
from harness.log.verdicts import EXIT_INTERRUPTED


class LazyGroup(click.Group):
    """A group whose heavier subcommands are imported only when used (keeps start-up fast)."""

    lazy = {
        "run": ("harness.cli.run", "run"),
        "validate": ("harness.cli.validate", "validate"),
        "compare": ("harness.cli.compare", "compare"),
        "plan-power": ("harness.cli.power", "plan_power"),
        "plugins": ("harness.cli.inspect", "plugins"),
        "schema": ("harness.cli.inspect", "schema"),
        "report": ("harness.cli.inspect", "report"),
        "runs": ("harness.cli.runs", "runs"),
        "show": ("harness.cli.show", "show"),
        "cache": ("harness.cli.cache", "cache"),
        "init": ("harness.cli.init", "init"),
        "watch": ("harness.cli.watch", "watch"),
        "resume": ("harness.cli.resume", "resume"),
        "cancel": ("harness.cli.resume", "cancel"),
        "rescore": ("harness.cli.rescore", "rescore"),
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
      harness init my-evals && cd my-evals
      harness validate starter.suite.yaml
      harness run starter.suite.yaml --emulator --emulator-responses emulator-responses.yaml
      harness watch starter.suite.yaml --emulator --emulator-responses emulator-responses.yaml
      harness view
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes print one message and exit 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="harness", standalone_mode=False)
    except UserError as exc:
        say(err, exc.format())
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
