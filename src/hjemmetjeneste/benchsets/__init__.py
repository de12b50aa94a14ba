"""Readers of published benchmark instances into the project's routing problem.

Each reader module (``mankowska``, ``solomon``, …) parses one format and builds a
:class:`~hjemmetjeneste.solver.RoutingProblem` through the same
:class:`~hjemmetjeneste.solver.model_builder.ProblemBuilder` the domain uses, so benchmark
runs exercise the very model that plans home care. Import the reader modules directly.
"""

from __future__ import annotations

import os
from pathlib import Path

BENCHMARKS_DIR_ENV = "HJEMMETJENESTE_BENCHMARKS_DIR"


def benchmarks_dir() -> Path:
    """The benchmark data folder.

    ``$HJEMMETJENESTE_BENCHMARKS_DIR`` when set, else ``<repo>/../shared/benchmarks``. The
    folder may not exist (tests then skip); callers check.
    """
    configured = os.environ.get(BENCHMARKS_DIR_ENV)
    if configured:
        return Path(configured)
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "benchmarks"


__all__ = ["BENCHMARKS_DIR_ENV", "benchmarks_dir"]
