"""Thin typer commands over the pipeline; one module per group of commands."""

from __future__ import annotations

import sys

from hjemmetjeneste.cli import bench as _bench  # noqa: F401  (registers its commands)
from hjemmetjeneste.cli import check as _check  # noqa: F401  (registers its commands)
from hjemmetjeneste.cli import importing as _importing  # noqa: F401  (registers its commands)
from hjemmetjeneste.cli import plan as _plan  # noqa: F401  (registers its commands)
from hjemmetjeneste.cli import rostering as _rostering  # noqa: F401  (registers its commands)
from hjemmetjeneste.cli import serve as _serve  # noqa: F401  (registers its commands)
from hjemmetjeneste.cli.app import app, count_from_process_start, print_error
from hjemmetjeneste.errors import HjemmetjenesteError


def main() -> None:
    """Entry point: run the app, mapping uncaught project errors to their exit codes."""
    count_from_process_start()
    try:
        app()
    except HjemmetjenesteError as exc:
        print_error(str(exc))
        sys.exit(exc.exit_code)


__all__ = ["app", "main"]
