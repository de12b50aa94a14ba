"""Readers of published benchmark instances into the project's routing problem.

Each reader module (``mankowska``, ``solomon``, …) parses one format and builds a
:class:`~hjemmetjeneste.solver.RoutingProblem` through the same
:class:`~hjemmetjeneste.solver.model_builder.ProblemBuilder` the domain uses, so benchmark
runs exercise the very model that plans home care. Import the reader modules directly.
"""

from __future__ import annotations

from pathlib import Path

from hjemmetjeneste.settings import Settings

BENCHMARKS_DIR_ENV = "HJEMMETJENESTE_BENCHMARKS_DIR"


def benchmarks_dir(settings: Settings | None = None) -> Path:
    """The benchmark data folder: ``Settings.benchmarks_dir``
    (``$HJEMMETJENESTE_BENCHMARKS_DIR``, default ``<repo>/../shared/benchmarks``). The
    folder may not exist (tests then skip); callers check.
    """
    return (settings or Settings()).benchmarks_dir


__all__ = ["BENCHMARKS_DIR_ENV", "benchmarks_dir"]
