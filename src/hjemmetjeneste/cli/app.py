"""The typer application and the consoles every command prints to."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from hjemmetjeneste.errors import EXIT_INPUT, HjemmetjenesteError

app = typer.Typer(
    help="hjemmetjeneste: plan Norwegian municipal home care from patient plans.",
    no_args_is_help=True,
    add_completion=False,
)
_started = [time.monotonic()]


@app.callback()
def _command_starts() -> None:
    """hjemmetjeneste: plan Norwegian municipal home care from patient plans."""
    _started[0] = time.monotonic()


def command_started() -> float:
    """When the running command started (``time.monotonic()``): `plan --time-limit` counts
    from here."""
    return _started[0]


# Printed to a file or a pipe, rich would cut lines at 80 columns and truncate table cells:
# a wide console there keeps every time and name whole (a terminal keeps its own width).
_PIPE_WIDTH = 240
console = Console(width=None if sys.stdout.isatty() else _PIPE_WIDTH)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else _PIPE_WIDTH)


def print_error(message: str) -> None:
    """Print a message that may hold data (file names, ids, free text) in red on stderr;
    nothing in it is read as markup."""
    err_console.print(escape(message), style="red")


@contextmanager
def reported_errors(*input_errors: type[Exception]) -> Iterator[None]:
    """Print a project error or one of ``input_errors`` in red and exit with its code.

    Project errors carry their own exit code; ``input_errors`` (e.g. ValueError from a
    parser) exit with the input-error code 2.
    """
    try:
        yield
    except HjemmetjenesteError as exc:
        print_error(str(exc))
        raise typer.Exit(exc.exit_code) from exc
    except input_errors as exc:
        # A KeyError's str() is its repr (quoted); print the message itself.
        print_error(str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc))
        raise typer.Exit(EXIT_INPUT) from exc
