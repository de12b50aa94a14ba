"""The CP-SAT roster model: the only rostering module that imports OR-Tools.

Built in a fixed order, one ``_add_<rule>`` function per constraint family (as in OR-Tools'
``shift_scheduling_sat.py`` sample). Demand that cannot be covered never makes the model
infeasible: every cover row has a shortfall variable with a high cost, reported in
:attr:`RosterSolution.shortfalls`.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from hjemmetjeneste.rostering.local import LocalSearch, supports
from hjemmetjeneste.rostering.problem import RosterProblem, RosterSolution


@dataclass
class _Model:
    problem: RosterProblem
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    work: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    cost: list[cp_model.LinearExprT] = field(default_factory=list)
    shortfall: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)

    def minutes(self, e: int, days: range | tuple[int, ...]) -> cp_model.LinearExprT:
        shifts = self.problem.shifts
        return sum(
            shifts[t].length_min * self.x[e, d, t]
            for d in days
            for t in range(len(shifts))
            if (e, d, t) in self.x
        )


def _allowed(problem: RosterProblem, e: int, d: int, t: int) -> bool:
    emp = problem.employees[e]
    shift = problem.shifts[t]
    act = problem.act
    if emp.max_shifts[t] <= 0 or d in emp.days_off:
        return False
    if act.max_shift_min is not None and shift.length_min > act.max_shift_min:
        return False
    return not (
        shift.night
        and act.max_night_shift_min is not None
        and shift.length_min > act.max_night_shift_min
    )


def _add_variables(m: _Model) -> None:
    p = m.problem
    for e in range(len(p.employees)):
        for d in range(p.n_days):
            lits = []
            for t in range(len(p.shifts)):
                if _allowed(p, e, d, t):
                    m.x[e, d, t] = m.model.new_bool_var(f"x{e}_{d}_{t}")
                    lits.append(m.x[e, d, t])
            w = m.model.new_bool_var(f"w{e}_{d}")
            m.model.add(w == sum(lits))  # at most one shift a day
            m.work[e, d] = w


def _add_successions(m: _Model) -> None:
    """Shift a on day d forbids every shift b of ``rest_forbidden_next`` on day d + 1: one
    clique ``x[a] + sum x[b] <= 1`` per (person, day, a) rather than one clause per pair (a
    person works one shift a day, so it is the same rule; Instance24 has 461 forbidden pairs
    of 32 shift types, 25 million clauses against 1.7 million sums)."""
    p = m.problem
    after: dict[int, list[int]] = {}
    for a, b in sorted(p.rest_forbidden_next()):
        after.setdefault(a, []).append(b)
    for e in range(len(p.employees)):
        for d in range(p.n_days - 1):
            for a, later in after.items():
                first = m.x.get((e, d, a))
                if first is None:
                    continue
                nxt = [m.x[e, d + 1, b] for b in later if (e, d + 1, b) in m.x]
                if len(nxt) == 1:
                    m.model.add_bool_or([first.Not(), nxt[0].Not()])
                elif nxt:
                    m.model.add(first + sum(nxt) <= 1)


def _add_contract_limits(m: _Model) -> None:
    p = m.problem
    for e, emp in enumerate(p.employees):
        for t, most in enumerate(emp.max_shifts):
            lits = [m.x[e, d, t] for d in range(p.n_days) if (e, d, t) in m.x]
            if lits and most < len(lits):
                m.model.add(sum(lits) <= most)
        total = m.minutes(e, range(p.n_days))
        if emp.min_total_min > 0:
            m.model.add(total >= emp.min_total_min)
        if emp.max_total_min is not None:
            m.model.add(total <= emp.max_total_min)
        if p.act.max_average_week_min is not None:
            m.model.add(total * 7 <= p.act.max_average_week_min * p.n_days)
        if p.act.max_week_min is not None:
            for week in p.weeks():
                m.model.add(m.minutes(e, week) <= p.act.max_week_min)
        if emp.target_total_min is not None and p.target_weight > 0:
            dev = m.model.new_int_var(0, 10 * 7 * 24 * 60 * p.n_days, f"dev{e}")
            m.model.add(dev >= total - emp.target_total_min)
            m.model.add(dev >= emp.target_total_min - total)
            m.cost.append(p.target_weight * dev)


def _add_stretches(m: _Model) -> None:
    """Longest and shortest runs of working days and of days off."""
    p = m.problem
    n = p.n_days
    for e, emp in enumerate(p.employees):
        work = [m.work[e, d] for d in range(n)]
        if emp.max_consecutive is not None and emp.max_consecutive < n:
            k = emp.max_consecutive
            for s in range(n - k):
                m.model.add(sum(work[s : s + k + 1]) <= k)
        # A run shorter than the minimum is forbidden unless it touches the horizon's edge.
        for minimum, on in ((emp.min_consecutive, True), (emp.min_consecutive_off, False)):
            for length in range(1, minimum):
                for s in range(1, n - length):
                    inner = [work[d].Not() if on else work[d] for d in range(s, s + length)]
                    edge = (
                        [work[s - 1], work[s + length]]
                        if on
                        else [
                            work[s - 1].Not(),
                            work[s + length].Not(),
                        ]
                    )
                    m.model.add_bool_or([*edge, *inner])
    if p.act.max_consecutive_nights is not None:
        k = p.act.max_consecutive_nights
        nights = [t for t, s in enumerate(p.shifts) if s.night]
        for e in range(len(p.employees)):
            night = [sum(m.x[e, d, t] for t in nights if (e, d, t) in m.x) for d in range(n)]
            for s in range(n - k):
                m.model.add(sum(night[s : s + k + 1]) <= k)


def _add_weekends(m: _Model) -> None:
    p = m.problem
    weekends = p.weekends()
    window = p.act.weekend_window
    for e, emp in enumerate(p.employees):
        if emp.max_weekends is None and window is None:
            continue
        worked = []
        for k, days in enumerate(weekends):
            w = m.model.new_bool_var(f"we{e}_{k}")
            m.model.add_max_equality(w, [m.work[e, d] for d in days])
            worked.append(w)
        if emp.max_weekends is not None and emp.max_weekends < len(worked):
            m.model.add(sum(worked) <= emp.max_weekends)
        if window is not None:
            most, span = window
            for s in range(max(1, len(worked) - span + 1)):
                m.model.add(sum(worked[s : s + span]) <= most)


def _add_weekly_rest(m: _Model) -> None:
    """Each full calendar week holds a day off whose surrounding gap is the weekly rest."""
    p = m.problem
    need = p.act.weekly_rest_min
    if need is None:
        return
    shifts = p.shifts
    short = [
        (a, b)
        for a, sa in enumerate(shifts)
        for b, sb in enumerate(shifts)
        if 2 * 1440 + sb.start_min - sa.end_min < need
    ]
    for e in range(len(p.employees)):
        for week in p.weeks():
            if len(week) < 7:
                continue
            rests = []
            for d in week:
                r = m.model.new_bool_var(f"rest{e}_{d}")
                m.model.add_implication(r, m.work[e, d].Not())
                for a, b in short:
                    if (e, d - 1, a) in m.x and (e, d + 1, b) in m.x:
                        m.model.add_bool_or(
                            [r.Not(), m.x[e, d - 1, a].Not(), m.x[e, d + 1, b].Not()]
                        )
                rests.append(r)
            m.model.add_bool_or(rests)


def _add_cover(m: _Model) -> None:
    """Each cover row's shortfall (and excess, where it is priced) as a slack variable; the
    minimisation makes them tight, and the shortfalls reported are counted from the roster."""
    p = m.problem
    n_e = len(p.employees)
    for c in p.covers:
        people = range(n_e) if c.eligible is None else sorted(c.eligible)
        count = sum(m.x[e, c.day, c.shift] for e in people if (e, c.day, c.shift) in m.x)
        name = f"{c.day}_{c.shift}_{c.label}"
        under = m.model.new_int_var(0, c.required, f"u{name}")
        m.model.add(count + under >= c.required)
        m.cost.append(c.under_weight * under)
        m.shortfall.append((len(m.shortfall), under))
        if c.over_weight > 0:
            over = m.model.new_int_var(0, n_e, f"o{name}")
            m.model.add(count - over <= c.required)
            m.cost.append(c.over_weight * over)


def _add_requests(m: _Model) -> None:
    p = m.problem
    for r in p.requests:
        if r.shift is None:
            lit = m.work[r.employee, r.day]
            if r.on:
                m.cost.append(r.weight * (1 - lit))
            else:
                m.cost.append(r.weight * lit)
            continue
        var = m.x.get((r.employee, r.day, r.shift))
        if r.on:
            m.cost.append(r.weight * (1 - var) if var is not None else r.weight)
        elif var is not None:
            m.cost.append(r.weight * var)


def fairness_scale(fte: float) -> int:
    """The multiplier that puts one shift of a person at ``fte`` on a full-time scale of 10."""
    return max(1, round(10 / max(fte, 0.05)))


def _add_fairness(m: _Model) -> None:
    """Minimise the largest count of evenings, nights and holiday shifts, scaled by position."""
    p = m.problem
    if p.fairness_weight <= 0:
        return
    categories: dict[str, list[tuple[int, int]]] = {}
    for d in range(p.n_days):
        for t, s in enumerate(p.shifts):
            if s.category:
                categories.setdefault(s.category, []).append((d, t))
            if d in p.holidays:
                categories.setdefault("holiday", []).append((d, t))
    for name, cells in categories.items():
        top = m.model.new_int_var(0, 10 * 20 * len(cells), f"fair_{name}")
        for e, emp in enumerate(p.employees):
            lits = [m.x[e, d, t] for d, t in cells if (e, d, t) in m.x]
            if lits:
                m.model.add(top >= fairness_scale(emp.fte) * sum(lits))
        m.cost.append(p.fairness_weight * top)


def _add_changes(m: _Model) -> None:
    """Re-rostering: locked days keep the earlier roster; other changes cost ``change_weight``."""
    p = m.problem
    if p.previous is None:
        return
    for e, row in enumerate(p.previous):
        for d, old in enumerate(row):
            same = m.x.get((e, d, old)) if old >= 0 else m.work[e, d].Not()
            if d < p.locked_days:
                if same is None:
                    raise ValueError(
                        f"the published roster gives {p.employees[e].name} a shift on day "
                        f"{d} that the contract no longer allows"
                    )
                m.model.add(same == 1)
            elif p.change_weight > 0:
                m.cost.append(p.change_weight * (1 - same) if same is not None else 0)


def build_model(problem: RosterProblem) -> _Model:
    """The CP-SAT model of ``problem``, in a fixed order of constraint families."""
    m = _Model(problem)
    _add_variables(m)
    _add_successions(m)
    _add_contract_limits(m)
    _add_stretches(m)
    _add_weekends(m)
    _add_weekly_rest(m)
    _add_cover(m)
    _add_requests(m)
    _add_fairness(m)
    _add_changes(m)
    m.model.minimize(sum(m.cost))
    # Re-rostering starts from the published roster. Otherwise from nobody working: with no
    # minimum hours that is a roster (every need short), so a search under load always has one.
    for (e, d, t), var in m.x.items():
        m.model.add_hint(var, problem.previous is not None and problem.previous[e][d] == t)
    return m


def _solver(time_limit_s: float, workers: int, seed: int, log: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    return solver


FEASIBLE_FIRST_SHARE = 0.3
"""Share of the time a model with minimum hours may spend finding any roster first."""


def _objective_of(m: _Model, solution: list[int]) -> int:
    """The objective of ``m.model`` at a full solution (one value per variable)."""
    objective = m.model.proto.objective
    total = objective.offset + sum(
        c * solution[v] for v, c in zip(objective.vars, objective.coeffs, strict=True)
    )
    return round(total * (objective.scaling_factor or 1.0))


def _feasible_first(m: _Model, deadline: float, workers: int, seed: int) -> list[int] | None:
    """Find any roster without the objective and make it the search's hint; returns that
    full solution (a solution of ``m.model`` too), or None when none was found in time.

    Minimum hours make "nobody works" infeasible, and on long horizons (Curtois & Qu 19-24)
    the objective-driven search found no roster at all in 60 s; a search for feasibility
    alone stops at its first roster.
    """
    plain = m.model.clone()
    plain.clear_objective()
    solver = _solver(deadline - time.perf_counter(), workers, seed, False)
    solver.parameters.stop_after_first_solution = True
    if solver.solve(plain) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    hint = m.model.proto.solution_hint.values
    for pos, var in enumerate(m.x.values()):  # the hints were added in m.x's order
        hint[pos] = int(solver.boolean_value(var))
    return list(solver.response_proto.solution)


COVER_FIRST_SHARE = 0.4
"""Share of the time the cover-only search gets when ``cover_first`` is set."""


def _cover_first(m: _Model, deadline: float, workers: int, seed: int) -> list[int] | None:
    """Minimise the priced shortfall alone, then hold the full model to it (and hint its
    roster): the soft terms (hours, fairness, wishes) never cost a caregiver on a shift.
    Returns that full solution (a solution of the held model: it keeps every hard rule), or
    None when none was found."""
    problem = m.problem
    short = sum(
        c.under_weight * var for c, (_, var) in zip(problem.covers, m.shortfall, strict=True)
    )
    cover = m.model.clone()
    cover.minimize(short)
    solver = _solver(deadline - time.perf_counter(), workers, seed, False)
    if solver.solve(cover) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    m.model.add(short <= round(solver.objective_value))
    full = list(solver.response_proto.solution)
    hint = m.model.proto.solution_hint.values
    for pos, var in enumerate(m.x.values()):  # the hints were added in m.x's order
        hint[pos] = full[var.index]
    return full


LNS_START_SHARE = 0.25
"""Share of the time the whole-model search gets before the neighbourhood search takes over
(longer where it needs it to find a first roster)."""

LOCAL_START_SHARE = 0.1
"""The same share where the local search runs (:func:`rostering.local.supports`): it finds
better rosters sooner than the whole-model search."""


@dataclass
class _Neighbourhoods:
    """Large-neighbourhood search around the best roster: free a part of the roster (some
    employees' rows, a window of days for everyone, or a block of both), fix the rest to the
    best roster, and re-solve that small model with CP-SAT from the best roster as its hint.

    The part freed grows while CP-SAT proves its re-solves optimal and shrinks while it does
    not, so each re-solve stays small enough to finish.
    """

    m: _Model
    rng: random.Random
    share: float = 0.08
    cells: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for (e, d, _), var in self.m.x.items():
            self.cells.setdefault((e, d), []).append(var.index)
        for (e, d), var in self.m.work.items():
            self.cells.setdefault((e, d), []).append(var.index)

    def free(self) -> set[tuple[int, int]]:
        """The (employee, day) cells of one neighbourhood."""
        p = self.m.problem
        n_e, n_d = len(p.employees), p.n_days
        target = max(2, round(self.share * n_e * n_d))
        kind = self.rng.random()
        if kind < 0.35:  # whole rows of some employees
            people = self.rng.sample(range(n_e), min(n_e, max(2, math.ceil(target / n_d))))
            return {(e, d) for e in people for d in range(n_d)}
        if kind < 0.6:  # a window of days, everyone
            length = min(n_d, max(2, math.ceil(target / n_e)))
            first = self.rng.randrange(n_d - length + 1)
            return {(e, d) for e in range(n_e) for d in range(first, first + length)}
        length = self.rng.randint(min(n_d, 7), n_d)  # a block of employees × days
        count = min(n_e, max(2, math.ceil(target / length)))
        first = self.rng.randrange(n_d - length + 1)
        people = self.rng.sample(range(n_e), count)
        return {(e, d) for e in people for d in range(first, first + length)}

    def adapt(self, solved: bool) -> None:
        self.share = min(1.0, self.share * 1.15) if solved else max(0.01, self.share / 1.15)


LNS_STEP_S = 2.0
"""Wall-clock cap of one neighbourhood re-solve."""


@dataclass
class _Incumbent:
    """The best full solution the neighbourhood searches share (one per thread)."""

    solution: list[int]
    objective: int
    steps: int = 0
    local_steps: int = 0
    """Times the local search shared a new best roster."""
    proved: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def _resolve(
    model: cp_model.CpModel,
    hood: _Neighbourhoods,
    current: list[int],
    time_limit_s: float,
    seed: int,
    deterministic_s: float = 0.0,
) -> tuple[int, cp_model.CpSolver, set[tuple[int, int]]]:
    """Re-solve one neighbourhood of ``current`` (a full solution of ``model``): every cell
    outside ``hood.free()`` fixed to ``current``, the rest searched from it as the hint, for
    at most ``time_limit_s`` wall seconds (and ``deterministic_s`` of CP-SAT's deterministic
    time, where positive). Returns the status, the solver (its solution and objective) and
    the cells left free; ``model``'s domains are restored."""
    proto = model.proto
    if len(proto.solution_hint.vars) != len(proto.variables):  # build_model hints x only
        proto.clear_solution_hint()
        proto.solution_hint.vars.extend(range(len(proto.variables)))
    proto.solution_hint.values.clear()
    proto.solution_hint.values.extend(current)
    free = hood.free()
    fixed = [i for cell, idx in hood.cells.items() if cell not in free for i in idx]
    for i in fixed:
        domain = proto.variables[i].domain
        domain[0] = domain[1] = current[i]
    solver = _solver(time_limit_s, 1, seed, False)
    if deterministic_s > 0:
        solver.parameters.max_deterministic_time = deterministic_s
    # Presolving the whole model again cost 10-100x what solving the neighbourhood does
    # (Instance8: 1.7 s against 0.06 s CPU); the fixed variables propagate at loading.
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    for i in fixed:
        domain = proto.variables[i].domain
        domain[0], domain[1] = 0, 1
    return status, solver, free


def _search_neighbourhoods(
    m: _Model, model: cp_model.CpModel, best: _Incumbent, deadline: float, seed: int
) -> None:
    """One thread of the neighbourhood search on ``model`` (``m.model`` or a clone of it:
    the same variable indices), until ``deadline`` or a proof of optimality."""
    hood = _Neighbourhoods(m, random.Random(seed))
    while not best.proved and (left := deadline - time.perf_counter()) > 0.05:
        with best.lock:
            current, objective = best.solution, best.objective
        status, solver, free = _resolve(model, hood, current, min(left, LNS_STEP_S), seed)
        seed += 1
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        value = round(solver.objective_value) if found else objective
        with best.lock:
            best.steps += 1
            if found and value <= best.objective:  # equal moves too: a plateau is walked
                best.solution, best.objective = list(solver.response_proto.solution), value
                best.proved = status == cp_model.OPTIMAL and len(free) == len(hood.cells)
        hood.adapt(status == cp_model.OPTIMAL)


def _assignment(m: _Model, solution: list[int]) -> list[list[int]]:
    """Shift type or -1 per (employee, day) of a full solution of ``m.model``."""
    p = m.problem
    rows = [[-1] * p.n_days for _ in p.employees]
    for (e, d, t), var in m.x.items():
        if solution[var.index]:
            rows[e][d] = t
    return rows


def _complete(m: _Model, model: cp_model.CpModel, rows: list[list[int]]) -> list[int] | None:
    """The full solution of ``model`` (``m.model`` or a clone) with the x variables fixed to
    ``rows``: CP-SAT fills in the rest (shortfalls, weekends, ...) by propagation. None when
    the model rejects that roster (the local search's rules and the model disagree)."""
    proto = model.proto
    for (e, d, t), var in m.x.items():
        domain = proto.variables[var.index].domain
        domain[0] = domain[1] = int(rows[e][d] == t)
    solver = _solver(5.0, 1, 0, False)
    solver.parameters.cp_model_presolve = False  # everything follows from the fixed x
    status = solver.solve(model)
    for var in m.x.values():
        domain = proto.variables[var.index].domain
        domain[0], domain[1] = 0, 1
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return list(solver.response_proto.solution)


LOCAL_SEGMENT_S = 15.0
"""Wall seconds of one annealing run; each starts again from the shared best roster."""

LOCAL_SHARE = 0.6
"""With one worker: share of the improvement time the local search gets before the
neighbourhood search."""


def _search_locally(
    m: _Model, model: cp_model.CpModel, best: _Incumbent, deadline: float, seed: int
) -> None:
    """The local search's thread (:mod:`rostering.local`): annealing runs from the shared
    best roster, each new best (at most every 2 s) completed by CP-SAT into a full solution
    and shared."""
    search = LocalSearch(m.problem, _assignment(m, best.solution), seed=seed)

    def share() -> None:
        full = _complete(m, model, search.best_assignment())
        if full is None:
            return
        value = _objective_of(m, full)
        with best.lock:
            if value < best.objective:
                best.solution, best.objective = full, value
                best.local_steps += 1

    while not best.proved and (left := deadline - time.perf_counter()) > 0.1:
        with best.lock:
            current, objective = best.solution, best.objective
        if objective < search.best_cost:  # the neighbourhood search found a better one
            search.reset(np.array(_assignment(m, current), np.int64) + 1)
        else:
            search.reset(search.best)
        search.run(min(left, LOCAL_SEGMENT_S), report=share)


def _improve(
    m: _Model,
    solution: list[int],
    objective: int,
    deadline: float,
    seed: int,
    workers: int,
    local: int = 1,
) -> _Incumbent:
    """Large-neighbourhood search from ``solution`` (a full solution of ``m.model``) until
    ``deadline``, in ``workers`` threads (CP-SAT releases the GIL while it solves) that share
    the best solution. Where the local search supports the problem, ``local`` of the threads
    run it instead (with one worker: first, for ``LOCAL_SHARE`` of the time)."""
    best = _Incumbent(solution, objective)
    local = local if supports(m.problem) else 0
    targets = [_search_neighbourhoods] * max(1, workers)
    if local and workers >= 2:
        targets[-min(local, workers) :] = [_search_locally] * min(local, workers)
    elif local:
        left = deadline - time.perf_counter()
        _search_locally(m, m.model, best, time.perf_counter() + LOCAL_SHARE * left, seed)
    threads = [
        threading.Thread(
            target=target,
            args=(m, m.model.clone(), best, deadline, seed + 7919 * k),
            daemon=True,
        )
        for k, target in enumerate(targets[1:], start=1)
    ]
    for thread in threads:
        thread.start()
    targets[0](m, m.model, best, deadline, seed)
    for thread in threads:
        thread.join()
    return best


def solve_roster(
    problem: RosterProblem,
    *,
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    log: bool = False,
    lns: bool = True,
    local: int = 1,
) -> RosterSolution:
    """Solve ``problem`` with CP-SAT; raises RuntimeError when the hard rules admit no roster
    and TimeoutError when the search found none in time.

    With ``lns``, the improvement runs in ``workers`` threads: ``local`` of them run the local
    search (:mod:`rostering.local`, where it supports the problem; 0: none), the others the
    CP-SAT neighbourhood search.

    Cover rows never make it infeasible (they have shortfall variables); contract and Act
    limits do, and the error says so. ``time_limit_s`` includes building the model.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    m = build_model(problem)
    built_s = time.perf_counter() - started
    start = None
    if problem.previous is None and any(e.min_total_min > 0 for e in problem.employees):
        start = _feasible_first(m, started + time_limit_s * FEASIBLE_FIRST_SHARE, workers, seed)
    if problem.cover_first:
        start = _cover_first(m, started + time_limit_s * COVER_FIRST_SHARE, workers, seed)
    fallback = start if problem.cover_first else None
    share = LOCAL_START_SHARE if local and supports(problem) else LNS_START_SHARE
    solver = _solver(
        (started + time_limit_s * share if lns else deadline) - time.perf_counter(),
        workers,
        seed,
        log,
    )
    status = solver.solve(m.model)
    name = solver.status_name(status)
    objective, bound, full = 0, 0.0, start
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        objective, bound = round(solver.objective_value), solver.best_objective_bound
        full = list(solver.response_proto.solution)
    elif status == cp_model.UNKNOWN and lns and start is None:  # the first roster, then LNS
        solver = _solver(deadline - time.perf_counter(), workers, seed, log)
        solver.parameters.stop_after_first_solution = True
        status = solver.solve(m.model)
        name = solver.status_name(status)
        if status == cp_model.FEASIBLE:
            objective, full = round(solver.objective_value), list(solver.response_proto.solution)
    elif status == cp_model.UNKNOWN and lns and start is not None:
        status, name, objective = cp_model.FEASIBLE, "FEASIBLE", _objective_of(m, start)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and full is not None:
        if lns and status == cp_model.FEASIBLE and deadline - time.perf_counter() > 0.2:
            best = _improve(m, full, objective, deadline, seed, workers, local)
            full, objective = best.solution, best.objective
            name = "OPTIMAL" if best.proved else f"{name}+LNS({best.steps})"
            if local and supports(problem):
                name += f"+LS({best.local_steps})"
        values = {key: full[var.index] for key, var in m.x.items()}
    elif status == cp_model.UNKNOWN and fallback is not None:
        values = {key: fallback[var.index] for key, var in m.x.items()}
        name = "COVER_ONLY"  # the cover search's roster: every hard rule holds
    elif status == cp_model.UNKNOWN:
        raise TimeoutError(
            f"no roster found within {time_limit_s:g} s (model built in "
            f"{built_s:.1f} s); give the search more time"
        )
    else:
        raise RuntimeError(
            f"no roster satisfies the contracts and the Working Environment Act ({name}); "
            "check positions, fixed days off and locked days against the rules"
        )
    n_t = len(problem.shifts)
    assignment = tuple(
        tuple(
            next((t for t in range(n_t) if values.get((e, d, t), 0)), -1)
            for d in range(problem.n_days)
        )
        for e in range(len(problem.employees))
    )
    shortfalls = []
    for c in problem.covers:  # from the roster itself, never from the slack variables
        count = sum(
            assignment[e][c.day] == c.shift
            for e in (range(len(problem.employees)) if c.eligible is None else c.eligible)
        )
        if count < c.required:
            shortfalls.append((c.day, c.shift, c.label, c.required - count))
    return RosterSolution(
        assignment=assignment,
        objective=objective,
        bound=bound,
        status=name,
        wall_s=time.perf_counter() - started,
        shortfalls=tuple(shortfalls),
    )
