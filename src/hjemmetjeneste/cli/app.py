"""The typer application and the consoles every command prints to."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from hjemmetjeneste.cli.i18n import _
from hjemmetjeneste.errors import (
    EXIT_INPUT,
    HjemmetjenesteError,
    Phrase,
    PlanInputError,
    PlanRequestError,
)

app = typer.Typer(
    help="hjemmetjeneste: plan Norwegian municipal home care from patient plans.",
    no_args_is_help=True,
    add_completion=False,
)
_started = [time.monotonic()]
_from_process_start = [False]


@app.callback()
def _command_starts() -> None:
    """hjemmetjeneste: plan Norwegian municipal home care from patient plans."""
    age = process_age_s() if _from_process_start[0] else 0.0
    _started[0] = time.monotonic() - age


def command_started() -> float:
    """When the running command started (``time.monotonic()``): `plan --time-limit` counts
    from here. Run as a program (:func:`hjemmetjeneste.cli.main`) that is when the process
    started, so that starting Python and importing count against the time limit too."""
    return _started[0]


def count_from_process_start() -> None:
    """Let the time limit count from the process's start (the program's entry point)."""
    _from_process_start[0] = True


def process_age_s() -> float:
    """Seconds since this process started (Linux ``/proc``; 0 where it cannot be read)."""
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime
        uptime_s = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
        return max(0.0, uptime_s - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


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
    except (PlanInputError, PlanRequestError) as exc:  # in the chosen language
        print_error(exc.in_words(_))
        raise typer.Exit(exc.exit_code) from exc
    except HjemmetjenesteError as exc:
        own = exc.args[0] if exc.args else None  # a phrase of the catalogue, or English text
        print_error(own.worded(_) if isinstance(own, Phrase) else str(exc))
        raise typer.Exit(exc.exit_code) from exc
    except input_errors as exc:
        # A KeyError's str() is its repr (quoted); print the message itself.
        print_error(str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc))
        raise typer.Exit(EXIT_INPUT) from exc
