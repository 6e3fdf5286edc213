"""How every command reports a problem it stops on: one red ``error:`` line, an optional ``fix:`` line, an exit."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["EXIT_USAGE", "errors", "fail"]

EXIT_USAGE = 2
errors = Console(stderr=True)


def fail(message: str, fix: str = "", *, code: int = EXIT_USAGE, markup: bool = False) -> typer.Exit:
    """Print ``message`` (Rich markup in it kept only with ``markup``) and ``fix``; the exit to raise with ``code``."""
    errors.print(f"[bold red]error:[/] {message if markup else escape(message)}", highlight=False, soft_wrap=True)
    if fix:
        errors.print(f"  fix: {fix}", highlight=False, markup=False, soft_wrap=True)
    return typer.Exit(code)
