"""Option values that may be Jinja templates (``"{{ reference }}"``) and suite-relative file paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness.api import ScoreContext, UserError


def is_template(value: str) -> bool:
    return "{{" in value or "{%" in value


def render(ctx: ScoreContext, value: str) -> str:
    """Render ``value`` with the case's variables when it is a template, else return it unchanged."""
    return ctx.render(value) if is_template(value) else value


def check_file(option: str, value: str | None, resolve_path: Callable[[str], Path]) -> list[str]:
    """Validate-time check that a (non-template) file option names an existing file."""
    if value is None or is_template(value):
        return []
    try:
        path = resolve_path(value)
    except UserError as exc:
        return [f"{option}: {exc.message}"]
    if not path.is_file():
        return [f"{option}: file not found: {value}"]
    return []


def read_file(ctx: ScoreContext, option: str, value: str) -> tuple[Path, str]:
    """Resolve (rendering first) and read a UTF-8 text file named by an option."""
    path = ctx.resolve_path(render(ctx, value))
    try:
        return path, path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{option}: cannot read {path.name}: {exc}") from exc
