"""Fixtures of the constraint tests (helpers live in constraint_helpers.py)."""

from __future__ import annotations

import pytest
from constraint_helpers import QUICK

from hjemmetjeneste.solver import SolveParams


@pytest.fixture
def quick() -> SolveParams:
    """One second of greedy descent: plenty for a handful of jobs."""
    return QUICK
