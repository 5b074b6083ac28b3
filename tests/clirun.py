"""Run the ``harness`` command line in-process, as a user would call it, without paying a process start-up.

Tests that need a real process (signals, exit codes of the interpreter, the console script) keep using
subprocess; everything else calls :func:`harness_cli`.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Done:
    """What a command left behind: like subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None, cwd: Path | None) -> Iterator[None]:
    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    try:
        if env:
            os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)


def harness_cli(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Done:
    """``harness ARGS...`` in this process; the exit code, standard output and standard error."""
    from harness.cli import console
    from harness.cli.main import main

    # Tables as wide as a CI log's, whatever terminal (or xdist worker pipe) the tests run under.
    widths = console.out.width, console.err.width
    console.out.width = console.err.width = 200
    out, err = io.StringIO(), io.StringIO()
    code = 0
    argv = sys.argv
    sys.argv = ["harness", *args]
    try:
        with _environment(env, cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
        console.out.width, console.err.width = widths
    return Done(code, out.getvalue(), err.getvalue())
