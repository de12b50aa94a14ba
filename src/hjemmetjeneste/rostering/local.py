"""A fast local search on rosters: simulated annealing over block moves (numba kernels in
:mod:`hjemmetjeneste.rostering._ls_kernels`), run around the CP-SAT search in
:mod:`hjemmetjeneste.rostering.cpsat`.

It knows the rules of the benchmark instances (per-type maximum shifts, total minutes,
consecutive runs, weekends, days off, forbidden successions, requests, cover with under and
over weights): :func:`supports` says whether a problem uses only those; any other problem is
left to CP-SAT. Hard rules are priced (``HARD`` a unit) rather than kept at every step, so
the search can pass through a broken roster; only rosters with no violation become the best.
:func:`reference_cost` is the plain-Python cost the kernels' incremental deltas are tested
against.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hjemmetjeneste.rostering import _ls_kernels as k
from hjemmetjeneste.rostering.problem import ActRules, RosterProblem

HARD = 200
"""Cost of one unit of hard-rule violation (two cover rows short): low enough that the
search passes through broken rosters, high enough that it does not stay in them."""

MINUTE_UNIT = 240
"""Minutes outside an employee's total-minutes range that count as one violation unit."""

FOCUS_SHARE = 0.6
"""Share of the moves that touch a request's (employee, day)."""

MOVE_MIX = (3.0, 4.0, 1.0, 2.0, 1.0, 1.0)
"""Relative frequency of the kernels' moves (:func:`_ls_kernels.propose`): a block set to one
value, two employees swap a block, one employee swaps two blocks, one employee's days
rotated, two employees swap two blocks that give the minutes back, a short cover row filled.
With the last two at 2 each, Instance12 (60 people, 10 shift types) got worse than without
them (local search alone, 20 M moves, seed 0: no roster without a violation at all); at 1
each it reached 4162 against main's 4264, and Instance8 1382 against 1481."""

REPAIR_FREE = 4
"""Moves from this kind of ``MOVE_MIX`` on are left out until a roster with no violation is
found (:meth:`LocalSearch._moves`)."""

DOUBLE_SWAP_TRIES = 3
"""Second blocks a double swap prices before it proposes the cheapest (1: a uniform draw)."""

BROKEN_CHUNKS = 10
"""Chunks of moves (:meth:`LocalSearch.run`) ending on a broken roster after which the search
goes back to its best roster."""

NONE = 1 << 40
"""Stands for "no limit" in the integer arrays."""


def supports(problem: RosterProblem) -> bool:
    """True when every rule of ``problem`` is one the local search prices."""
    if problem.act != ActRules() or problem.previous is not None or problem.cover_first:
        return False
    if problem.fairness_weight > 0 and any(s.category for s in problem.shifts):
        return False
    if problem.fairness_weight > 0 and problem.holidays:
        return False
    if problem.target_weight > 0 and any(e.target_total_min is not None for e in problem.employees):
        return False
    seen = set()
    for c in problem.covers:
        if c.eligible is not None or (c.day, c.shift) in seen:
            return False
        seen.add((c.day, c.shift))
    return True


@dataclass
class Arrays:
    """The problem as the kernels read it (values: 0 off, t + 1 shift type t)."""

    allowed: np.ndarray
    length: np.ndarray
    forbid: np.ndarray
    max_shifts: np.ndarray
    min_total: np.ndarray
    max_total: np.ndarray
    max_cons: np.ndarray
    min_cons: np.ndarray
    min_off: np.ndarray
    max_we: np.ndarray
    weekends: np.ndarray
    pen: np.ndarray
    req: np.ndarray
    under: np.ndarray
    over: np.ndarray
    focus: np.ndarray
    """(employee, day) of every request: a share of the moves starts there."""

    def rules(self) -> tuple[np.ndarray, ...]:
        """The arrays :func:`_ls_kernels.row_cost` takes after the row and employee."""
        return (
            self.length,
            self.forbid,
            self.max_shifts,
            self.min_total,
            self.max_total,
            self.max_cons,
            self.min_cons,
            self.min_off,
            self.max_we,
            self.weekends,
            self.pen,
        )


def arrays(problem: RosterProblem) -> Arrays:
    """The kernels' arrays of a problem :func:`supports` accepts."""
    n_e, n_d, n_t = len(problem.employees), problem.n_days, len(problem.shifts)
    n_v = n_t + 1
    allowed = np.ones((n_e, n_d, n_v), np.bool_)
    max_shifts = np.full((n_e, n_v), NONE, np.int64)
    for e, emp in enumerate(problem.employees):
        for t, most in enumerate(emp.max_shifts):
            max_shifts[e, t + 1] = most
            if most <= 0:
                allowed[e, :, t + 1] = False
        for d in emp.days_off:
            allowed[e, d, 1:] = False
    forbid = np.zeros((n_v, n_v), np.bool_)
    for a, b in problem.rest_forbidden_next():
        forbid[a + 1, b + 1] = True
    weekends = np.full((max(1, len(problem.weekends())), 2), -1, np.int64)
    for i, days in enumerate(problem.weekends()):
        weekends[i, : len(days)] = days

    def per_employee(values: list[int | None]) -> np.ndarray:
        return np.array([NONE if v is None else v for v in values], np.int64)

    emps = problem.employees
    pen = np.zeros((n_e, n_d, n_v), np.int64)
    for r in problem.requests:
        if r.on:  # every value but the wished one costs
            wished = slice(1, None) if r.shift is None else r.shift + 1
            missed = np.ones(n_v, np.bool_)
            missed[wished] = False
            pen[r.employee, r.day, missed] += r.weight
        elif r.shift is None:
            pen[r.employee, r.day, 1:] += r.weight
        else:
            pen[r.employee, r.day, r.shift + 1] += r.weight
    req = np.zeros((n_d, n_v), np.int64)
    under = np.zeros((n_d, n_v), np.int64)
    over = np.zeros((n_d, n_v), np.int64)
    for c in problem.covers:
        req[c.day, c.shift + 1] = c.required
        under[c.day, c.shift + 1] = c.under_weight
        over[c.day, c.shift + 1] = c.over_weight
    return Arrays(
        allowed=allowed,
        length=np.array([0, *(s.length_min for s in problem.shifts)], np.int64),
        forbid=forbid,
        max_shifts=max_shifts,
        min_total=np.array([e.min_total_min for e in emps], np.int64),
        max_total=per_employee([e.max_total_min for e in emps]),
        max_cons=per_employee([e.max_consecutive for e in emps]),
        min_cons=np.array([e.min_consecutive for e in emps], np.int64),
        min_off=np.array([e.min_consecutive_off for e in emps], np.int64),
        max_we=per_employee([e.max_weekends for e in emps]),
        weekends=weekends,
        pen=pen,
        req=req,
        under=under,
        over=over,
        focus=np.array(sorted({(r.employee, r.day) for r in problem.requests}), np.int64).reshape(
            -1, 2
        ),
    )


def reference_cost(problem: RosterProblem, assignment: list[list[int]]) -> tuple[int, int]:
    """(hard violation units, soft penalty) of ``assignment[e][d]`` (shift type or -1), in
    plain Python from the problem itself: the reference for the kernels' bookkeeping."""
    viol, soft = 0, 0
    n_d = problem.n_days
    forbidden = problem.rest_forbidden_next()
    for e, emp in enumerate(problem.employees):
        row = assignment[e]
        for d in range(1, n_d):
            if row[d - 1] >= 0 and row[d] >= 0 and (row[d - 1], row[d]) in forbidden:
                viol += 1
        for t, most in enumerate(emp.max_shifts):
            viol += max(0, row.count(t) - most)
        minutes = sum(problem.shifts[t].length_min for t in row if t >= 0)
        low, high = emp.min_total_min, emp.max_total_min
        if minutes < low:
            viol += -(-(low - minutes) // MINUTE_UNIT)
        elif high is not None and minutes > high:
            viol += -(-(minutes - high) // MINUTE_UNIT)
        d = 0
        while d < n_d:
            end = d
            while end < n_d and (row[end] >= 0) == (row[d] >= 0):
                end += 1
            run, inner = end - d, d > 0 and end < n_d
            if row[d] >= 0:
                if emp.max_consecutive is not None:
                    viol += max(0, run - emp.max_consecutive)
                if inner:
                    viol += max(0, emp.min_consecutive - run)
            elif inner:
                viol += max(0, emp.min_consecutive_off - run)
            d = end
        worked = sum(any(row[x] >= 0 for x in days) for days in problem.weekends())
        if emp.max_weekends is not None:
            viol += max(0, worked - emp.max_weekends)
        viol += sum(1 for x in emp.days_off if row[x] >= 0)
    for r in problem.requests:
        value = assignment[r.employee][r.day]
        hit = value >= 0 if r.shift is None else value == r.shift
        soft += r.weight * (hit != r.on)
    for c in problem.covers:
        count = sum(1 for row in assignment if row[c.day] == c.shift)
        soft += (c.required - count) * c.under_weight if count < c.required else 0
        soft += (count - c.required) * c.over_weight if count > c.required else 0
    return viol, soft


class LocalSearch:
    """Simulated annealing from one roster; :meth:`run` continues it for a time."""

    def __init__(self, problem: RosterProblem, assignment: list[list[int]], seed: int = 0) -> None:
        self.problem = problem
        self.arr = arrays(problem)
        self.a = np.array(assignment, np.int64) + 1
        if self.a.shape != (len(problem.employees), problem.n_days):
            raise ValueError("the roster needs one row of n_days per employee")
        if not self.arr.allowed[
            np.arange(self.a.shape[0])[:, None], np.arange(self.a.shape[1])[None, :], self.a
        ].all():
            raise ValueError("the start roster gives a shift the problem does not allow")
        k.seed_random(seed)
        self.counts = np.zeros((problem.n_days, len(problem.shifts) + 1), np.int64)
        self.row_viol = np.zeros(self.a.shape[0], np.int64)
        self.row_pen = np.zeros(self.a.shape[0], np.int64)
        self.best = self.a.copy()
        self.state = np.array([0, NONE], np.int64)
        self.mix = np.cumsum(MOVE_MIX)
        self.tries = DOUBLE_SWAP_TRIES
        self.broken = 0
        """Chunks of moves in a row that ended on a roster breaking a hard rule."""
        self.reset(self.a)

    def reset(self, a: np.ndarray) -> None:
        """Continue from roster ``a`` (values 0 off, t + 1), recomputing every cost."""
        self.a[:, :] = a
        self.counts[:, :] = 0
        for d in range(self.a.shape[1]):
            self.counts[d] = np.bincount(self.a[:, d], minlength=self.counts.shape[1])
        scratch = np.empty(self.counts.shape[1], np.int64)
        for e in range(self.a.shape[0]):
            self.row_viol[e], self.row_pen[e] = k.row_cost(
                self.a[e], e, self.arr.rules(), MINUTE_UNIT, scratch
            )
        arr = self.arr
        cover = 0
        for d in range(self.a.shape[1]):
            for v in range(1, self.counts.shape[1]):
                cover += k.cover_cost(
                    self.counts[d, v], arr.req[d, v], arr.under[d, v], arr.over[d, v]
                )
        self.state[0] = HARD * self.row_viol.sum() + self.row_pen.sum() + cover
        if self.row_viol.sum() == 0 and self.state[0] < self.state[1]:
            self.state[1] = self.state[0]
            self.best[:, :] = self.a

    @property
    def cost(self) -> int:
        """The current roster's cost (violations priced)."""
        return int(self.state[0])

    @property
    def best_cost(self) -> int:
        """The best roster's cost (it has no violation)."""
        return int(self.state[1])

    def best_assignment(self) -> list[list[int]]:
        """The best roster, shift type or -1 per (employee, day)."""
        return (self.best - 1).tolist()

    def _moves(self) -> np.ndarray:
        """The mix of moves for the next step: until a roster with no violation is found,
        without the double swap and the gap fill (they keep hours and cover, they do not
        repair rules; from the empty roster of Curtois & Qu 12 the full mix found none in
        20 M moves, seed 1, nor seed 0 with those two at twice their weight), unless that
        leaves no move."""
        if self.best_cost < NONE:
            return self.mix
        weights = np.diff(self.mix, prepend=0.0)
        weights[REPAIR_FREE:] = 0.0
        return np.cumsum(weights) if weights.sum() > 0 else self.mix

    def step(self, iterations: int, t_start: float, t_end: float) -> int:
        """``iterations`` moves; returns how many were accepted."""
        arr = self.arr
        return k.anneal(
            self.a,
            self.counts,
            self.row_viol,
            self.row_pen,
            self.best,
            self.state,
            arr.allowed,
            arr.rules(),
            arr.focus,
            FOCUS_SHARE,
            self._moves(),
            self.tries,
            arr.req,
            arr.under,
            arr.over,
            HARD,
            MINUTE_UNIT,
            iterations,
            t_start,
            t_end,
        )

    def _chunk(self, moves: int, t_start: float, t_end: float) -> None:
        """:meth:`step`, then back to the best roster when the current one has broken a hard
        rule at the end of ``BROKEN_CHUNKS`` chunks in a row: a search that wandered into
        broken rosters, where few moves lead out, starts again from a good one."""
        self.step(moves, t_start, t_end)
        self.broken = self.broken + 1 if self.row_viol.sum() > 0 else 0
        if self.broken >= BROKEN_CHUNKS and self.best_cost < NONE:
            self.reset(self.best.copy())
            self.broken = 0

    def anneal_moves(
        self, moves: int, t_start: float = 50.0, t_end: float = 0.3, chunk: int = 100_000
    ) -> int:
        """Anneal for ``moves`` moves from ``t_start`` down to ``t_end`` (the temperature
        follows the moves made): :meth:`run` on a budget of work instead of wall time, for
        comparisons on a shared machine. Returns the best cost."""
        done = 0
        while done < moves:
            n = min(chunk, moves - done)
            self._chunk(
                n,
                t_start * (t_end / t_start) ** (done / moves),
                t_start * (t_end / t_start) ** ((done + n) / moves),
            )
            done += n
        return self.best_cost

    def run(
        self,
        seconds: float,
        t_start: float = 50.0,
        t_end: float = 0.3,
        chunk: int = 100_000,
        report: Callable[[], None] | None = None,
        report_every_s: float = 2.0,
    ) -> int:
        """Anneal for ``seconds`` of wall time from ``t_start`` down to ``t_end`` (the
        temperature follows the time used), from the current roster; returns the best cost.
        ``report`` is called after a chunk of moves that found a new best roster, at most
        every ``report_every_s`` seconds, and at the end if the best changed since."""
        started = time.perf_counter()
        temp = t_start
        reported, last = self.best_cost, started
        while (used := time.perf_counter() - started) < seconds:
            share = min(1.0, (used + seconds / 100) / seconds)
            nxt = t_start * (t_end / t_start) ** share
            self._chunk(chunk, temp, nxt)
            temp = nxt
            now = time.perf_counter()
            if report and self.best_cost < reported and now - last >= report_every_s:
                report()
                reported, last = self.best_cost, now
        if report and self.best_cost < reported:
            report()
        return self.best_cost


def compile_kernels() -> None:
    """Compile (or load from numba's cache) the kernels on a one-person week, so the first
    real search does not spend its time limit compiling (`hjemmetjeneste warmup`)."""
    from hjemmetjeneste.rostering.problem import Cover, Employee, ShiftType

    problem = RosterProblem(
        n_days=7,
        shifts=(ShiftType("D", 0, 480),),
        employees=(Employee("A", max_shifts=(7,), max_consecutive=5),),
        covers=tuple(Cover(d, 0, 1, 100, 1) for d in range(7)),
    )
    LocalSearch(problem, [[-1] * 7]).step(1000, 10.0, 1.0)
