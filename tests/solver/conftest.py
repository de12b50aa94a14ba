"""Fixtures of the solver tests (helpers live in solver_helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def quick():
    """Solver parameters for tiny problems, judged by seed and work, not by the clock: a
    fixed seed and 2,000 ruin-and-recreate iterations (milliseconds on a handful of jobs),
    so a loaded machine gets the same plan; the second only bounds OR-Tools' stages."""
    from hjemmetjeneste.solver import SolveParams

    return SolveParams(time_limit_s=1.0, seed=0, iterations=2_000)
