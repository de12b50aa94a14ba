"""Fixtures of the solver tests (helpers live in solver_helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def quick():
    """Solver parameters for tiny problems: one second is plenty."""
    from hjemmetjeneste.solver import SolveParams

    return SolveParams(time_limit_s=1.0)
