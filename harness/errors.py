"""User-facing errors: one clear message naming file:line, with a hint, and exit code 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class UserError(Exception):
    """A mistake the user can fix (bad suite, bad flag, missing file). Never shown with a traceback."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint

    @property
    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def format(self) -> str:
        head = f"{self.location}: error: {self.message}" if self.location else f"error: {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head

    def __str__(self) -> str:
        return self.format()


class UserErrors(UserError):
    """Several mistakes found in one pass (``harness validate`` reports them all, sorted by file:line)."""

    def __init__(self, errors: Iterable[UserError]) -> None:
        unique: dict[str, UserError] = {}
        for error in errors:
            items: list[UserError] = error.errors if isinstance(error, UserErrors) else [error]
            for item in items:
                unique.setdefault(item.format(), item)
        self.errors: list[UserError] = sorted(unique.values(), key=sort_key)
        first = self.errors[0] if self.errors else UserError("no mistakes")
        super().__init__(first.message, file=first.file, line=first.line, hint=first.hint)

    def format(self) -> str:
        if len(self.errors) == 1:
            return self.errors[0].format()
        body = "\n".join(error.format() for error in self.errors)
        return f"{body}\n{len(self.errors)} mistakes"


def sort_key(error: UserError) -> tuple[str, int, str]:
    """File, then line, then message: flags (no file) come first, a file's own errors in line order."""
    return (error.file or "", error.line or 0, error.message)


class PluginError(UserError):
    """A plugin is broken or two plugins collide."""


class OutputError(UserError):
    """Results could not be written (a full disk, a read-only folder): shown like a user error, without a
    traceback, but it is the machine's failure, so the exit code is 1."""

    exit_code = 1


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return 'did you mean X?' for the closest choice, or None."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None
