"""The roster local search: its incremental bookkeeping against a plain full evaluation, and
its rosters against the benchmark's independent evaluator."""

from __future__ import annotations

import random

import numpy as np
import pytest

from hjemmetjeneste.benchsets.rostering import NrpInstance, NrpStaff, evaluate, to_problem
from hjemmetjeneste.rostering import _ls_kernels as k
from hjemmetjeneste.rostering import local
from hjemmetjeneste.rostering.cpsat import solve_roster
from hjemmetjeneste.rostering.local import LocalSearch, reference_cost, supports
from hjemmetjeneste.rostering.problem import (
    ActRules,
    Cover,
    Employee,
    Request,
    RosterProblem,
    ShiftType,
)


def random_problem(rng: random.Random, n_days: int = 14, n_e: int = 6) -> RosterProblem:
    """Every rule the local search prices, with random limits tight enough to bind."""
    shifts = (ShiftType("E", 0, 480), ShiftType("L", 0, 600), ShiftType("N", 0, 720))
    employees = tuple(
        Employee(
            name=f"P{e}",
            max_shifts=tuple(rng.choice((0, 2, 5, 14)) for _ in shifts),
            min_total_min=rng.choice((0, 2400, 4800)),
            max_total_min=rng.choice((None, 4800, 7200)),
            max_consecutive=rng.choice((None, 3, 5)),
            min_consecutive=rng.choice((1, 2, 3)),
            min_consecutive_off=rng.choice((1, 2)),
            max_weekends=rng.choice((None, 0, 1)),
            days_off=frozenset(rng.sample(range(n_days), 2)),
        )
        for e in range(n_e)
    )
    covers = tuple(
        Cover(d, t, rng.randint(0, 3), 100, rng.choice((0, 1)))
        for d in range(n_days)
        for t in range(len(shifts))
    )
    requests = tuple(
        Request(
            rng.randrange(n_e),
            rng.randrange(n_days),
            rng.choice((None, 0, 1, 2)),
            rng.randint(1, 3),
            rng.random() < 0.5,
        )
        for _ in range(20)
    )
    return RosterProblem(
        n_days=n_days,
        shifts=shifts,
        employees=employees,
        covers=covers,
        requests=requests,
        forbidden_next=frozenset({(2, 0), (2, 1), (1, 0)}),
    )


def random_start(rng: random.Random, p: RosterProblem) -> list[list[int]]:
    """A roster that keeps days off and allowed types but may break every other rule."""
    rows = []
    for emp in p.employees:
        allowed = [t for t, most in enumerate(emp.max_shifts) if most > 0]
        rows.append(
            [rng.choice([-1, *allowed]) if d not in emp.days_off else -1 for d in range(p.n_days)]
        )
    return rows


def test_the_kernels_incremental_costs_match_the_plain_full_evaluation():
    rng = random.Random(7)
    for trial in range(6):
        p = random_problem(rng)
        assert supports(p)
        search = LocalSearch(p, random_start(rng, p), seed=trial)
        for temp in (500.0, 50.0, 5.0, 0.5):
            accepted = search.step(3000, temp, temp)
            rows = (search.a - 1).tolist()
            viol, soft = reference_cost(p, rows)
            assert search.cost == local.HARD * viol + soft
            assert search.row_viol.sum() == viol
            for d in range(p.n_days):
                for t in range(len(p.shifts)):
                    assert search.counts[d, t + 1] == sum(row[d] == t for row in rows)
            if temp == 500.0:
                assert accepted > 0
        if search.best_cost < local.NONE:  # a roster with no violation was found
            assert reference_cost(p, search.best_assignment()) == (0, search.best_cost)


def test_each_move_alone_keeps_the_incremental_costs_exact():
    """Every kind of move on its own (``LocalSearch.mix``), against the plain evaluation."""
    rng = random.Random(11)
    for kind in range(len(local.MOVE_MIX)):
        p = random_problem(rng)
        search = LocalSearch(p, random_start(rng, p), seed=kind)
        search.mix[:] = np.cumsum([float(k == kind) for k in range(len(local.MOVE_MIX))])
        accepted = 0
        for temp in (500.0, 5.0):
            accepted += search.step(2000, temp, temp)
            viol, soft = reference_cost(p, (search.a - 1).tolist())
            assert search.cost == local.HARD * viol + soft, kind
            assert search.row_viol.sum() == viol, kind
        assert accepted > 0, kind


def _minutes(search: LocalSearch) -> list[int]:
    return search.arr.length[search.a].sum(axis=1).tolist()


def test_the_double_swap_keeps_everyones_minutes_and_changes_the_roster():
    rng = random.Random(4)
    p = random_problem(rng, n_days=21, n_e=8)
    search = LocalSearch(p, random_start(rng, p), seed=3)
    search.mix[:] = np.cumsum([0.0, 0.0, 0.0, 0.0, 1.0, 0.0])
    before, start = _minutes(search), search.a.copy()
    assert search.step(5000, 1000.0, 1000.0) > 0
    assert _minutes(search) == before
    assert not np.array_equal(search.a, start)


@pytest.mark.parametrize("n_days", [14, 200])  # every cover row read; rows probed at random
def test_the_gap_move_fills_short_cover_rows(n_days: int):
    """From nobody working, gap moves alone at a low temperature cover rows."""
    rng = random.Random(6)
    p = random_problem(rng, n_days=n_days)
    assert (n_days * len(p.shifts) > k.GAP_SCAN) == (n_days > 100)
    search = LocalSearch(p, [[-1] * p.n_days for _ in p.employees], seed=2)
    search.mix[:] = np.cumsum([0.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    short = int(np.maximum(search.arr.req - search.counts, 0)[:, 1:].sum())
    assert short > 0
    search.step(3000, 0.5, 0.5)
    assert int(np.maximum(search.arr.req - search.counts, 0)[:, 1:].sum()) < short
    viol, soft = reference_cost(p, (search.a - 1).tolist())
    assert search.cost == local.HARD * viol + soft


def test_the_reference_counts_each_rule_once():
    """One person, one rule broken at a time, against hand counts."""
    shifts = (ShiftType("D", 0, 480), ShiftType("N", 0, 480))
    emp = Employee(
        "A",
        max_shifts=(3, 1),
        min_total_min=480,
        max_consecutive=3,
        min_consecutive=2,
        min_consecutive_off=2,
        max_weekends=0,
    )
    p = RosterProblem(7, shifts, (emp,), (), forbidden_next=frozenset({(1, 0)}))
    assert reference_cost(p, [[0, 0, -1, -1, -1, -1, -1]]) == (0, 0)
    assert reference_cost(p, [[0, -1, -1, -1, -1, -1, -1]]) == (0, 0)  # edge run exempt
    assert reference_cost(p, [[-1, 0, -1, -1, 0, 0, -1]]) == (1 + 1, 0)  # short run, weekend
    assert reference_cost(p, [[0, 0, 0, 0, -1, -1, -1]]) == (1 + 1, 0)  # 4 D (max 3), 4 in a row
    assert reference_cost(p, [[1, 0, -1, -1, -1, -1, -1]]) == (1, 0)  # D may not follow N
    assert reference_cost(p, [[0, 0, -1, 0, 0, -1, -1]]) == (1 + 1, 0)  # one day off, 4 D


def nrp_instance(rng: random.Random) -> NrpInstance:
    """A random instance in the benchmark's own records (28 days, 8 people, 2 shift types)."""
    staff = tuple(
        NrpStaff(f"S{i}", {"E": 28, "L": rng.choice((0, 14))}, 8640, 5760, 5, 2, 2, 2)
        for i in range(8)
    )
    cover = tuple((d, s, rng.randint(1, 3), 100, 1) for d in range(28) for s in ("E", "L"))
    on = tuple(
        (f"S{rng.randrange(8)}", rng.randrange(28), "E", rng.randint(1, 3)) for _ in range(10)
    )
    off = tuple(
        (f"S{rng.randrange(8)}", rng.randrange(28), "L", rng.randint(1, 3)) for _ in range(10)
    )
    return NrpInstance(
        28,
        {"E": (480, frozenset()), "L": (480, frozenset({"E"}))},
        staff,
        {f"S{i}": frozenset({rng.randrange(28)}) for i in range(8)},
        on,
        off,
        cover,
    )


def test_the_best_roster_passes_the_independent_evaluator_at_its_own_cost():
    rng = random.Random(3)
    inst = nrp_instance(rng)
    p = to_problem(inst)
    start = [[-1] * p.n_days for _ in p.employees]  # breaks the minimum minutes: priced
    search = LocalSearch(p, start, seed=1)
    best = search.run(1.0)
    assert best < local.NONE
    names = [s.name for s in p.shifts]
    roster = {
        emp.name: [names[t] if t >= 0 else None for t in row]
        for emp, row in zip(p.employees, search.best_assignment(), strict=True)
    }
    assert evaluate(inst, roster) == (best, [])


def test_the_solver_runs_the_local_search_beside_cp_sat_and_keeps_every_rule():
    inst = nrp_instance(random.Random(5))
    p = to_problem(inst)
    for workers in (1, 2):
        s = solve_roster(p, time_limit_s=4, workers=workers)
        assert "+LS(" in s.status or s.status == "OPTIMAL"
        names = [t.name for t in p.shifts]
        roster = {
            emp.name: [names[t] if t >= 0 else None for t in row]
            for emp, row in zip(p.employees, s.assignment, strict=True)
        }
        assert evaluate(inst, roster) == (s.objective, [])


def test_problems_with_rules_it_does_not_price_are_left_to_cp_sat():
    p = random_problem(random.Random(1))
    assert supports(p)
    assert not supports(
        RosterProblem(p.n_days, p.shifts, p.employees, p.covers, act=ActRules(weekly_rest_min=2100))
    )
    two_rows = (*p.covers, Cover(0, 0, 1, 100, eligible=frozenset({0})))
    assert not supports(RosterProblem(p.n_days, p.shifts, p.employees, two_rows))
    bad = [[0] * p.n_days for _ in p.employees]  # works on days off
    try:
        LocalSearch(p, bad)
    except ValueError as exc:
        assert "does not allow" in str(exc)
    else:
        raise AssertionError("a roster on a day off was accepted")
    assert np.array_equal(LocalSearch(p, random_start(random.Random(2), p)).best.shape, (6, 14))


def test_a_search_stuck_on_a_broken_roster_goes_back_to_its_best():
    """One person (so a double swap never applies and nothing moves): a broken roster is
    left for the best one after ``BROKEN_CHUNKS`` chunks ending on it, not before."""
    shifts = (ShiftType("D", 0, 480),)
    emp = Employee("A", max_shifts=(7,), max_consecutive=3)
    p = RosterProblem(7, shifts, (emp,), tuple(Cover(d, 0, 1, 100, 1) for d in range(7)))
    good = [[0, 0, 0, -1, 0, 0, 0]]
    search = LocalSearch(p, good)
    assert search.best_cost == 100
    broken = np.array([[1, 1, 1, 1, 1, 1, 1]])  # seven in a row: four over the longest run
    search.reset(broken)
    assert search.row_viol.sum() == 4 and search.best_cost == 100
    search.mix[:] = np.cumsum([0.0, 0.0, 0.0, 0.0, 1.0, 0.0])
    for _ in range(local.BROKEN_CHUNKS - 1):
        search._chunk(10, 1.0, 1.0)
    assert np.array_equal(search.a, broken)
    search._chunk(10, 1.0, 1.0)
    assert search.best_assignment() == good and (search.a - 1).tolist() == good


def test_until_a_roster_keeps_every_rule_the_double_swap_and_gap_fill_are_left_out():
    p = random_problem(random.Random(8))
    search = LocalSearch(p, [[-1] * p.n_days for _ in p.employees])
    assert search.best_cost == local.NONE  # the empty roster breaks the minimum minutes
    weights = np.diff(search._moves(), prepend=0.0)
    assert weights[local.REPAIR_FREE :].sum() == 0 and weights[: local.REPAIR_FREE].sum() > 0
    search.mix[:] = np.cumsum([0.0, 0.0, 0.0, 0.0, 1.0, 1.0])  # nothing else: kept as it is
    assert np.array_equal(search._moves(), search.mix)
    search.state[1] = 0  # as if a roster with no violation had been found
    search.mix[:] = np.cumsum(local.MOVE_MIX)
    assert np.array_equal(search._moves(), search.mix)
