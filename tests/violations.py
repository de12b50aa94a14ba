"""The one place where tests read a checker violation, so that every test states all of it.

A test names each violation it expects with :func:`V` — the rule broken (kind), the
caregiver (vehicle), the job (node) and the numbers the violation states — and
:func:`assert_violations` compares the exact multiset: a missing, an extra or a wrong
violation fails, where a test of membership (``kind in kinds``) lets extra ones pass.

Today a :class:`~hjemmetjeneste.solver.Violation` states its numbers only in its sentence, so
:func:`facts` reads them from there: every integer, in the order the sentence gives them
(job and vehicle ids included). When a violation carries its numbers as data, only
:func:`facts` changes, not the tests.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from hjemmetjeneste.solver import (
    Route,
    RoutingProblem,
    Solution,
    Violation,
    ViolationKind,
    check_solution,
)

Facts = tuple[ViolationKind, int | None, int | None, tuple[int, ...]]

_INTEGER = re.compile(r"-?\d+")


def V(kind: ViolationKind, vehicle: int | None, job: int | None, *numbers: int) -> Facts:  # noqa: N802
    """One expected violation: its kind, caregiver (vehicle), job (node) and stated numbers."""
    return (kind, vehicle, job, tuple(numbers))


def facts(violation: Violation) -> Facts:
    """What a test compares of a violation: kind, vehicle, node and the numbers it states."""
    numbers = tuple(int(x) for x in _INTEGER.findall(violation.message))
    return (violation.kind, violation.vehicle, violation.node, numbers)


def assert_violations(found: Iterable[Violation], *expected: Facts) -> None:
    """``found`` is exactly ``expected`` (in any order; no violation expected = a clean plan)."""
    found = list(found)
    for v in found:  # a sentence a planner reads never shows a Python None
        assert "None" not in v.message, v
    got, want = Counter(facts(v) for v in found), Counter(expected)
    assert got == want, (
        f"missing {sorted(want - got, key=str)}; unexpected {sorted(got - want, key=str)}"
    )


def check(
    problem: RoutingProblem, *routes: Route, dropped: tuple[int, ...] = ()
) -> list[Violation]:
    """The checker's verdict on a hand-made plan: ``routes``, and ``dropped`` jobs reported."""
    solution = Solution(routes=routes, dropped=dropped, objective=0, status="hand", wall_s=0.0)
    return check_solution(problem, solution)
