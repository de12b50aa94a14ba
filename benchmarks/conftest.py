"""Benchmark-wide fixtures: compile time stays out of every timing."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _numba_kernels_loaded() -> None:
    """Load (or once compile) the ruin-and-recreate kernels before any benchmark times a solve."""
    from hjemmetjeneste.solver.lns import warm_up

    warm_up()
