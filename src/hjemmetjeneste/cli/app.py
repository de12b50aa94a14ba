"""The typer application and the consoles every command prints to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from hjemmetjeneste.errors import EXIT_INPUT, HjemmetjenesteError

app = typer.Typer(
    help="hjemmetjeneste: plan Norwegian municipal home care from patient plans.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)


@contextmanager
def reported_errors(*input_errors: type[Exception]) -> Iterator[None]:
    """Print a project error or one of ``input_errors`` in red and exit with its code.

    Project errors carry their own exit code; ``input_errors`` (e.g. ValueError from a
    parser) exit with the input-error code 2.
    """
    try:
        yield
    except HjemmetjenesteError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(exc.exit_code) from exc
    except input_errors as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_INPUT) from exc
