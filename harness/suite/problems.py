"""The error collector: every mistake of a suite found in one pass, reported together sorted by file:line.

The loader, the case files, the scorer entries and planning check independent parts of a suite one after
another; each part runs inside ``problems.guard()``, so a mistake in one part is recorded and the next part is
still checked. ``raise_any()`` ends the pass with one ``UserErrors`` (exit code 2) when anything was recorded.
One owner: nothing else in the suite layer catches a ``UserError`` to carry on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from harness.errors import UserError, UserErrors

T = TypeVar("T")


class Problems:
    """Mistakes recorded so far, in the order found (reported sorted by file:line)."""

    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def add(self, error: UserError) -> None:
        self.errors.extend(error.errors if isinstance(error, UserErrors) else [error])

    def extend(self, errors: Iterable[UserError]) -> None:
        for error in errors:
            self.add(error)

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Run a block; a mistake it raises is recorded and the caller goes on with the next part."""
        try:
            yield
        except UserError as error:
            self.add(error)

    def attempt(self, func: Callable[[], T]) -> T | None:
        """``func()``, or None when it raised a mistake (recorded)."""
        with self.guard():
            return func()
        return None

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def raise_any(self) -> None:
        """End the pass: raise every recorded mistake at once (sorted, duplicates dropped)."""
        if self.errors:
            raise UserErrors(self.errors)
