"""Ruin-and-recreate search (SISR) after OR-Tools' first plan.

OR-Tools' guided local search stalls on tightly windowed VRPTW instances (about 1.6 % above
the best known on Solomon's set at 30 s, 4.8 % on the 200-customer set at 60 s). Large
neighbourhoods do better there: :func:`solve_with_lns` lets OR-Tools build the first plan,
improves it with the numba kernels of :mod:`hjemmetjeneste.solver._lns_kernels` for most of
the time limit, and hands the best routes back to OR-Tools, which reads them (rejecting any
that break a hard rule), polishes them with a short greedy descent and extracts the plan as
for any other solve.

The kernels know time windows, service times, capacity, who may serve a job, per-vehicle
shifts, depots and travel classes, the preference costs of continuity, pins, double-staffed
pairs (removed and re-inserted together, on two caregivers at one start), and, through a
schedule pass, breaks (the Working Environment Act's rule and fixed breaks), several windows
per job, soft windows with a lateness cost and overtime costs. A gap between two jobs (one
starts between a minimum and a maximum after the other, Mankowska's precedences) is a pair
too, on two caregivers. Chains of gaps (a job in two pairs or gaps) and balance are
OR-Tools' alone: :func:`unsupported` names the first such rule a problem uses, and
:func:`~hjemmetjeneste.solver.solve.solve` then searches with OR-Tools only.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hjemmetjeneste.solver import _lns_kernels as kernels
from hjemmetjeneste.solver.model_builder import ProblemBuilder
from hjemmetjeneste.solver.ortools_model import ProgressCallback, solve_with_ortools
from hjemmetjeneste.solver.params import Metaheuristic, SolveParams
from hjemmetjeneste.solver.problem import BreakSpec, Route, RouteStop, RoutingProblem, Solution

log = logging.getLogger(__name__)

MIN_TIME_LIMIT_S = 1.0
"""Below this limit the search is OR-Tools' alone: a first plan and a polish leave no time."""

POLISH_SHARE = 0.02
"""Share of the time limit kept for OR-Tools to read and polish the routes (at most 1 s)."""

NEIGHBOURS = 100
"""Jobs each ruin looks at around its random centre job, nearest first."""

START_TEMPERATURE = 3.0
END_TEMPERATURE = 0.03
"""Annealing temperatures as multiples of the first plan's mean arc cost, cooled
geometrically over the search time."""

REBUILD_SHARE = 0.1
"""Most of the time limit kept for OR-Tools to build its model again for the polish (it
takes about what its first plan took: 1.1 s on a 494-job day under load, where the solve
stage ran 1.55 s past a 20 s limit without it)."""

WAITING_POLISH_SHARE = 0.2
"""Share of the search's time given to :func:`polish_waiting` where the problem prices
waiting; with a work budget the polish runs this share of the iterations on top of the
search's own (see :func:`_waiting_polished`)."""

WAITING_POLISH_WEIGHT = 3.0
"""Least cost per second of waiting in the waiting polish (a second of travel costs 1): the
travel cap bounds what it spends, the weight says how much waiting a second of travel must
save; at 1 the demo day kept 64 % of its waiting with most of a 2 % cap unspent."""

WAITING_POLISH_TRAVEL = 1.02
"""The most travel the waiting polish may end with, as a multiple of the search's own (which
is the weight-free search's: the travel of today's plans)."""

KEEP_SERVED = 1 << 16
"""What the waiting polish multiplies each job's penalty by: far above any travel and
waiting a move can save (penalties are multiples of 10,000 in the product), so that no
waiting buys a job left out, nor a job swapped for one whose penalty is higher. (Added to
the penalties instead, at a weight of 6 per second the demo day's polish of seed 0 ended
where it began, most likely thrown away whole by the check after it for such a swap.)"""

CHUNK_S = 0.02
"""Seconds each kernel call aims to run between time checks."""


NO_MAX_GAP = 1 << 40
"""The upper bound of a gap without a maximum."""


def _relations(problem: RoutingProblem) -> list[tuple[int, int, int, int]]:
    """(a, b, lo, hi): b starts between lo and hi after a; double-staffed pairs first."""
    return [(a, b, 0, 0) for a, b in problem.sync_groups] + [
        (p.first, p.second, p.min_s, NO_MAX_GAP if p.max_s is None else p.max_s)
        for p in problem.precedences
    ]


def _chained(problem: RoutingProblem) -> bool:
    """Whether a job is in more than one pair or gap (a chain the kernels cannot move)."""
    nodes = [x for a, b, _, _ in _relations(problem) for x in (a, b)]
    return len(nodes) != len(set(nodes))


def unsupported(problem: RoutingProblem) -> str | None:
    """The first rule of ``problem`` the ruin-and-recreate kernels cannot keep, or None."""
    checks = (
        (bool(problem.precedences) and _chained(problem), "chains of gaps between visits"),
        (problem.balance_weight > 0, "workload balance"),
    )  # fmt: skip
    return next((name for present, name in checks if present), None)


def use_lns(problem: RoutingProblem, params: SolveParams) -> bool:
    """Whether :func:`solve` should search with ruin and recreate (see ``SolveParams.lns``)."""
    if params.lns is False or params.time_limit_s < MIN_TIME_LIMIT_S:
        return False
    if params.solution_limit is not None:
        return False  # the caller asks for OR-Tools' first plans, not a search
    missing = unsupported(problem)
    if params.lns and missing:
        raise ValueError(f"ruin and recreate cannot keep this problem's {missing}")
    return missing is None


@dataclass(frozen=True)
class Improved:
    """What :func:`improve` found: routes per vehicle, their objective, the work done."""

    routes: list[list[int]]
    objective: int
    start_objective: int
    iterations: int
    pair_starts: dict[int, int] = dataclasses.field(default_factory=dict)
    """The start each served half of a pair was given (both halves agree)."""


@dataclass
class _State:
    routes: np.ndarray
    length: np.ndarray
    early: np.ndarray
    late: np.ndarray
    load: np.ndarray
    cost: np.ndarray
    where: np.ndarray
    slot: np.ndarray
    fixed_open: np.ndarray
    fixed_close: np.ndarray

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The state in the kernels' argument order (the arrays themselves, not copies)."""
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))


def _data(problem: RoutingProblem) -> dict[str, Any]:
    """The problem as the kernels' arrays (see :mod:`~hjemmetjeneste.solver._lns_kernels`)."""
    n, v = problem.n_nodes, problem.n_vehicles
    jobs = np.asarray(problem.job_nodes, dtype=np.int64)
    allowed = np.zeros((n, v), dtype=np.bool_)
    win_open = problem.window_start_s.astype(np.int64)
    win_close = problem.window_end_s.astype(np.int64)
    for node in problem.job_nodes:
        allowed[node, list(problem.allowed_vehicles[node])] = True
        # A pin narrows the job to its caregiver and its start.
        if (pinned := int(problem.pinned_vehicle[node])) >= 0:
            allowed[node] &= np.arange(v) == pinned
        if (start := int(problem.pinned_start_s[node])) >= 0:
            win_open[node] = win_close[node] = start
    # The two halves of a pair leave and come back together; a double-staffed visit's
    # penalty is paid once, a gap's halves keep their own.
    partner = np.full(n, -1, dtype=np.int64)
    pair_lo = np.zeros(n, dtype=np.int64)
    pair_hi = np.zeros(n, dtype=np.int64)
    penalty = problem.drop_penalty.astype(np.int64)
    for a, b in problem.sync_groups:
        partner[a], partner[b] = b, a
        penalty[b] = 0
    for a, b, lo, hi in _relations(problem)[len(problem.sync_groups) :]:
        partner[a], partner[b] = b, a
        pair_lo[a], pair_hi[a], pair_lo[b], pair_hi[b] = lo, hi, -hi, -lo
    travel = _travel_block(problem)
    # Nearest jobs first (the job itself leads its own list), on the first travel class.
    take = min(len(jobs), NEIGHBOURS)
    neighbours = np.zeros((n, take), dtype=np.int64)
    # A few rows at a time: small temporaries instead of five jobs × jobs arrays (90 MB on a
    # 1,500-job day, memory a fresh worker pays to touch), the same lists.
    for a in range(0, len(jobs), NEAREST_ROWS):
        rows = jobs[a : a + NEAREST_ROWS]
        near = np.minimum(travel[0][np.ix_(rows, jobs)], travel[0][np.ix_(jobs, rows)].T)
        neighbours[rows] = jobs[nearest_first(near, take)]
    neighbours[jobs, 0] = jobs
    remoteness = np.zeros(n, dtype=np.int64)
    remoteness[jobs] = travel[0][int(problem.vehicle_start_node[0]), jobs]
    return _rich_data(problem) | {
        "jobs": jobs,
        "neighbours": neighbours,
        "remoteness": remoteness,
        "partner": partner,
        "pair_lo": pair_lo,
        "pair_hi": pair_hi,
        "travel": travel,
        "preference_cost": np.ascontiguousarray(problem.preference_cost, dtype=np.int64),
        "allowed": allowed,
        "vehicle_class": problem.vehicle_class.astype(np.int64),
        "vehicle_start_node": problem.vehicle_start_node.astype(np.int64),
        "vehicle_end_node": problem.vehicle_end_node.astype(np.int64),
        "vehicle_start_s": problem.vehicle_start_s.astype(np.int64),
        "vehicle_end_s": problem.vehicle_end_s.astype(np.int64),
        "vehicle_capacity": problem.vehicle_capacity.astype(np.int64),
        "win_open": win_open,
        "win_close": win_close,
        "service_s": problem.service_s.astype(np.int64),
        "demand": problem.demand.astype(np.int64),
        "penalty": penalty,
    }


NEAREST_ROWS = 256
"""Jobs whose nearest neighbours are found in one step (see ``_data``)."""


def _travel_block(problem: RoutingProblem) -> np.ndarray:
    """The travel matrices as one int64 ``(classes, n, n)`` array: the block the builder
    made them views of when they are (no copy), else a stacked copy."""
    travel = problem.travel_s
    base = travel[0].base
    if (
        isinstance(base, np.ndarray)
        and base.dtype == np.int64
        and base.ndim == 3
        and base.flags.c_contiguous
        and base.shape == (len(travel), *travel[0].shape)
        and all(
            t.base is base
            and t.dtype == np.int64
            and t.strides == base.strides[1:]
            and t.ctypes.data == base.ctypes.data + k * base.strides[0]
            for k, t in enumerate(travel)
        )
    ):
        return base
    return np.stack([np.asarray(t, dtype=np.int64) for t in travel])


def nearest_first(near: np.ndarray, take: int) -> np.ndarray:
    """Per row, the columns of the ``take`` smallest values in ascending order, ties by
    column: the first ``take`` columns of a stable argsort of each row, without sorting
    whole rows (a 1,650-job day: less than half the time)."""
    width = near.shape[1]
    if take >= width or width == 0 or int(near.max(initial=0)) >= (1 << 62) // width:
        return np.argsort(near, axis=1, kind="stable")[:, :take]
    # Value and column in one key: unique per row, so any sort of keys is a stable one.
    key = near.astype(np.int64) * width + np.arange(width, dtype=np.int64)
    part = np.argpartition(key, take - 1, axis=1)[:, :take]
    ranked = np.argsort(np.take_along_axis(key, part, axis=1), axis=1)
    return np.take_along_axis(part, ranked, axis=1)


def rich_rules(problem: RoutingProblem) -> bool:
    """Whether the kernels need their schedule pass (:func:`~hjemmetjeneste.solver.
    _lns_kernels.route_pass`) for ``problem``: breaks, several windows per job, lateness
    after a soft window end, overtime after a soft shift end, waiting at doors."""
    jobs = list(problem.job_nodes)
    return bool(
        any(problem.vehicle_breaks)
        or any(len(problem.time_windows[n]) > 1 for n in jobs)
        or ((problem.lateness_cost[jobs] > 0)
            & (problem.soft_window_end_s[jobs] < problem.window_end_s[jobs])).any()
        or ((problem.overtime_cost > 0)
            & (problem.vehicle_soft_end_s < problem.vehicle_end_s)).any()
        or problem.waiting_cost > 0
    )  # fmt: skip


def _rich_data(problem: RoutingProblem) -> dict[str, object]:
    """The rich rules as the kernels' ``rx`` tuple (see ``route_pass``) and the ``rich`` flag."""
    n, v = problem.n_nodes, problem.n_vehicles
    width = max(len(w) for w in problem.time_windows)
    tw_open = np.zeros((n, width), dtype=np.int64)
    tw_close = np.zeros((n, width), dtype=np.int64)
    tw_count = np.zeros(n, dtype=np.int64)
    for node, windows in enumerate(problem.time_windows):
        tw_count[node] = len(windows)
        for w, (a, b) in enumerate(windows):
            tw_open[node, w], tw_close[node, w] = a, b
    most = max(1, max(len(b) for b in problem.vehicle_breaks))
    brk_open = np.zeros((v, most), dtype=np.int64)
    brk_close = np.zeros((v, most), dtype=np.int64)
    brk_dur = np.zeros((v, most), dtype=np.int64)
    brk_count = np.zeros(v, dtype=np.int64)
    for k, breaks in enumerate(problem.vehicle_breaks):
        brk_count[k] = len(breaks)
        for b, spec in enumerate(sorted(breaks, key=lambda x: (x.earliest_s, x.latest_s))):
            brk_open[k, b], brk_close[k, b] = spec.earliest_s, spec.latest_s
            brk_dur[k, b] = spec.duration_s
    rx = (
        tw_open, tw_close, tw_count,
        problem.soft_window_end_s.astype(np.int64), problem.lateness_cost.astype(np.int64),
        problem.vehicle_soft_end_s.astype(np.int64), problem.overtime_cost.astype(np.int64),
        brk_open, brk_close, brk_dur, brk_count, np.zeros((8, most + 1), dtype=np.int64),
        np.array([round(problem.waiting_cost * kernels.WAIT_SCALE), -1], dtype=np.int64),
    )  # fmt: skip
    return {"rich": rich_rules(problem), "rx": tuple(np.ascontiguousarray(a) for a in rx)}


_ITERATE_DATA = (
    "jobs", "neighbours", "remoteness", "partner", "travel", "preference_cost", "allowed",
    "vehicle_class", "vehicle_start_node", "vehicle_end_node", "vehicle_start_s",
    "vehicle_end_s", "vehicle_capacity", "win_open", "win_close", "service_s", "demand",
    "penalty", "pair_lo", "pair_hi", "rich", "rx",
)  # fmt: skip


def _state(
    problem: RoutingProblem,
    data: dict[str, Any],
    routes: Sequence[Sequence[int]],
    pair_starts: dict[int, int] | None = None,
) -> _State:
    """The kernels' state of ``routes``; ValueError where they are late or overloaded.

    Each served pair gets the earliest start both its caregivers can make: starts only move
    later until both halves agree, or until a window or shift end says the routes cannot.
    ``pair_starts`` (what an earlier search agreed, :attr:`Improved.pair_starts`) are taken
    as they are.
    """
    n, v = problem.n_nodes, problem.n_vehicles
    slots = len(problem.job_nodes) + 1
    state = _State(
        routes=np.zeros((v, slots), dtype=np.int64),
        length=np.zeros(v, dtype=np.int64),
        early=np.zeros((v, slots), dtype=np.int64),
        late=np.zeros((v, slots), dtype=np.int64),
        load=np.zeros(v, dtype=np.int64),
        cost=np.zeros(v, dtype=np.int64),
        where=np.full(n, -1, dtype=np.int64),
        slot=np.full(n, -1, dtype=np.int64),
        fixed_open=data["win_open"].copy(),
        fixed_close=data["win_close"].copy(),
    )
    for k in range(v):
        nodes = list(routes[k]) if k < len(routes) else []
        state.routes[k, : len(nodes)] = nodes
        state.length[k] = len(nodes)
    on_routes = {node for route in routes for node in route}
    relations = _relations(problem)
    half = [(a, b) for a, b, _, _ in relations if (a in on_routes) != (b in on_routes)]
    if half:
        raise ValueError(f"only one half of the pair {half[0]} is served")
    served = [(a, b, lo, hi) for a, b, lo, hi in relations if a in on_routes]
    for node, start in (pair_starts or {}).items():
        state.fixed_open[node] = state.fixed_close[node] = start
    late = _refresh_all(state, data)
    for _ in range(2 * len(served) + 1):
        moved = False
        for a, b, lo, hi in served:
            # Starts only move later: the second to lo after the first, or the first to
            # hi before the second.
            first, second = _start(state, a), _start(state, b)
            if second < first + lo:
                state.fixed_open[b] = first + lo
                moved = True
            elif second > first + hi:
                state.fixed_open[a] = second - hi
                moved = True
        if not moved or late is not None:
            break
        late = _refresh_all(state, data)
    for a, b, lo, hi in served:
        if late is None and not lo <= _start(state, b) - _start(state, a) <= hi:
            raise ValueError(f"no starts found for the pair ({a}, {b}) {lo}-{hi} s apart")
        for x in (a, b):
            state.fixed_open[x] = state.fixed_close[x] = _start(state, x)
    late = _refresh_all(state, data) if late is None else late
    if late is not None:
        raise ValueError(f"route of vehicle {late} is late: {list(routes[late])}")
    for k in range(v):
        cap = int(data["vehicle_capacity"][k])
        if cap >= 0 and state.load[k] > cap:
            raise ValueError(f"route of vehicle {k} carries {state.load[k]} > {cap}")
    return state


def _start(state: _State, node: int) -> int:
    return int(state.early[state.where[node], state.slot[node]])


_ROUTE_DATA = (
    "travel", "preference_cost", "vehicle_class", "vehicle_start_node", "vehicle_end_node",
    "vehicle_start_s", "vehicle_end_s",
)  # fmt: skip


def _refresh_all(state: _State, data: dict[str, Any]) -> int | None:
    """Recompute every route's schedule; the first late vehicle, or None."""
    late = None
    head = (state.routes, state.length, state.early, state.late, state.load, state.cost)
    for k in range(len(state.length)):
        ok = kernels.refresh_route(
            k, *head, state.where, state.slot, *(data[name] for name in _ROUTE_DATA),
            state.fixed_open, state.fixed_close, data["service_s"], data["demand"],
            data["rich"], data["rx"],
        )  # fmt: skip
        if not ok and late is None:
            late = k
    return late


def _objective(state: _State, data: dict[str, Any]) -> int:
    unserved = data["jobs"][state.where[data["jobs"]] < 0]
    return int(state.cost.sum() + data["penalty"][unserved].sum())


def _fill(state: _State, data: dict[str, Any]) -> int:
    """Put each unserved job that is not half of a pair at its cheapest feasible place, the
    costliest to leave out first (time-critical before the rest), then by earliest window
    end: a greedy insertion before the search, so that the visits a re-plan takes from an
    absent caregiver are placed where there is room whatever the search's budget. Pairs are
    left to the search. Returns how many jobs it placed."""
    jobs = data["jobs"]
    open_ = jobs[(state.where[jobs] < 0) & (data["partner"][jobs] < 0)]
    order = np.lexsort((data["win_close"][open_], -data["penalty"][open_]))
    head = (state.routes, state.length, state.early, state.late, state.load)
    schedule = [data[name] for name in _ROUTE_DATA]
    placed = 0
    for u in (int(x) for x in open_[order]):
        _, v, p = kernels.cheapest_place(
            u, 0.0, *head, data["travel"], data["preference_cost"], data["allowed"],
            data["vehicle_class"], data["vehicle_start_node"], data["vehicle_end_node"],
            data["vehicle_start_s"], data["vehicle_end_s"], data["vehicle_capacity"],
            data["win_open"], data["win_close"], data["service_s"], data["demand"],
            state.cost, state.fixed_open, state.fixed_close, data["rich"], data["rx"],
        )  # fmt: skip
        if v < 0:
            continue
        m = int(state.length[v])
        state.routes[v, p + 1 : m + 1] = state.routes[v, p:m].copy()
        state.routes[v, p] = u
        state.length[v] = m + 1
        refresh = (v, *head, state.cost, state.where, state.slot, *schedule)
        tail = (state.fixed_open, state.fixed_close, data["service_s"], data["demand"])
        if kernels.refresh_route(*refresh, *tail, data["rich"], data["rx"]):
            placed += 1
            continue
        # The place test is exact for these rules, so this is a safeguard: take it out.
        state.routes[v, p:m] = state.routes[v, p + 1 : m + 1].copy()
        state.length[v] = m
        state.where[u] = state.slot[u] = -1
        kernels.refresh_route(*refresh, *tail, data["rich"], data["rx"])
    return placed


def improve(
    problem: RoutingProblem,
    routes: Sequence[Sequence[int]],
    time_limit_s: float,
    seed: int = 0,
    on_progress: ProgressCallback | None = None,
    iterations: int | None = None,
    *,
    data: dict[str, Any] | None = None,
    fill: bool = False,
    travel_cap_s: int | None = None,
    pair_starts: dict[int, int] | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> Improved:
    """Improve feasible ``routes`` (job nodes per vehicle) by ruin and recreate.

    Runs for ``time_limit_s`` seconds, or exactly ``iterations`` iterations when given (then
    the result depends on ``seed`` only). Raises ValueError when ``routes`` break a rule the
    kernels check (a window, a shift end, a capacity). ``data`` is the problem's
    kernels' arrays (``_data``) when the caller has them already; ``fill`` first puts every job the
    routes leave out at its cheapest place (:func:`_fill`) before the search begins. With
    ``travel_cap_s`` no solution that travels more is accepted (``routes`` must keep to it);
    ``pair_starts`` start the pairs where an earlier search put them. ``span`` is the part of
    the cooling schedule this call runs (from hot at 0 to cold at 1): a search split into
    stages (:mod:`~hjemmetjeneste.solver.portfolio`) cools once over all of them.
    """
    data = _data(problem) if data is None else data
    if travel_cap_s is not None:
        data["rx"][12][1] = travel_cap_s
    state = _state(problem, data, routes, pair_starts)
    start_objective = _objective(state, data)
    if fill:
        _fill(state, data)
    best_routes = state.routes.copy()
    best_length = state.length.copy()
    best_objective = np.array([_objective(state, data)], dtype=np.int64)
    best_starts = state.fixed_open.copy()
    served = int(state.length.sum())
    arcs = served + int((state.length > 0).sum())
    mean_arc = float(state.cost.sum()) / arcs if arcs else 1.0
    hot, cold = START_TEMPERATURE * mean_arc, END_TEMPERATURE * mean_arc
    args = [data[name] for name in _ITERATE_DATA]
    kernels.seed_random(seed)

    def run(count: int, progress: float) -> None:
        cooled = span[0] + (span[1] - span[0]) * min(progress, 1.0)
        temperature = hot * (cold / hot) ** cooled if hot > 0 else 0.0
        kernels.iterate(
            count, temperature, *state.arrays(), best_routes, best_length,
            best_objective, best_starts, *args,
        )  # fmt: skip

    done = 0
    started = time.perf_counter()
    if iterations is not None:
        step = max(1, iterations // 100)
        while done < iterations:
            count = min(step, iterations - done)
            run(count, done / iterations)
            done += count
    else:
        chunk, reported = 10, start_objective
        while (elapsed := time.perf_counter() - started) < time_limit_s:
            tick = time.perf_counter()
            run(chunk, elapsed / time_limit_s)
            done += chunk
            spent = max(time.perf_counter() - tick, 1e-6)
            chunk = max(1, min(chunk * 4, int(chunk * CHUNK_S / spent)))
            if on_progress and best_objective[0] < reported:
                reported = int(best_objective[0])
                on_progress(reported, time.perf_counter() - started)
    found = [best_routes[k, : best_length[k]].tolist() for k in range(problem.n_vehicles)]
    paired = {x for a, b, *_ in _relations(problem) for x in (a, b)}
    on = {node for route in found for node in route}
    starts = {node: int(best_starts[node]) for node in sorted(paired & on)}
    return Improved(found, int(best_objective[0]), start_objective, done, starts)


Improver = Callable[..., Improved]
"""What searches in :func:`solve_with_lns`: :func:`improve` or one with its signature (the
portfolio's search over two processes)."""


def travel_of(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> int:
    """Seconds of travel over ``routes`` (job nodes per vehicle; empty routes travel 0)."""
    total = 0
    for v, route in enumerate(routes):
        if not route:
            continue
        travel = problem.travel_for(v)
        nodes = [int(problem.vehicle_start_node[v]), *route, int(problem.vehicle_end_node[v])]
        total += sum(int(travel[a, b]) for a, b in itertools.pairwise(nodes))
    return total


def _unserved_penalty(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> int:
    """What leaving out the jobs ``routes`` do not serve costs (a pair's penalty once)."""
    on = {node for route in routes for node in route}
    second = {b for _, b in problem.sync_groups}
    return sum(
        int(problem.drop_penalty[node])
        for node in problem.job_nodes
        if node not in on and node not in second
    )


def _objective_of(problem: RoutingProblem, found: Improved) -> int:
    """The objective of ``found``'s routes in ``problem``'s own terms (its own weights)."""
    data = _data(problem)
    return _objective(_state(problem, data, found.routes, found.pair_starts), data)


def unserved(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> int:
    """Visits ``routes`` leave unserved: a double-staffed visit counts once."""
    on = {node for route in routes for node in route}
    second = {b for _, b in problem.sync_groups}
    return sum(1 for node in problem.job_nodes if node not in on and node not in second)


def polish_waiting(
    problem: RoutingProblem,
    found: Improved,
    time_limit_s: float,
    seed: int = 0,
    iterations: int | None = None,
) -> Improved:
    """Less waiting at doors for at most WAITING_POLISH_TRAVEL more travel: ``found`` searched
    again with waiting priced at WAITING_POLISH_WEIGHT per second (at least the problem's
    own weight), accepting no solution that travels more than that share above ``found``'s.

    The second step after the search that placed the jobs with waiting free
    (:func:`solve_with_lns`): it only spends the travel the cap allows, and never leaves a
    job out to do so (penalties KEEP_SERVED times higher). Returns ``found`` when the
    polish serves fewer jobs, leaves out more penalty, or cannot start; the objective is in
    ``problem``'s own terms.
    """
    # Serving as many jobs comes first: leaving one out would save its travel and waiting.
    penalty = problem.drop_penalty
    heavier = dataclasses.replace(
        problem,
        waiting_cost=max(problem.waiting_cost, WAITING_POLISH_WEIGHT),
        drop_penalty=np.where(penalty > 0, penalty * KEEP_SERVED, penalty),
    )
    cap = int(travel_of(problem, found.routes) * WAITING_POLISH_TRAVEL)
    try:
        polished = improve(
            heavier,
            found.routes,
            time_limit_s,
            seed,
            None,
            iterations,
            travel_cap_s=cap,
            pair_starts=found.pair_starts,
        )
        objective = _objective_of(problem, polished)
    except ValueError as exc:  # pragma: no cover - the kernels' own routes always start
        log.error("the waiting polish cannot start from the search's routes (%s)", exc)
        return found
    if unserved(problem, polished.routes) > unserved(problem, found.routes) or (
        _unserved_penalty(problem, polished.routes) > _unserved_penalty(problem, found.routes)
    ):
        return found
    return dataclasses.replace(
        polished,
        objective=objective,
        start_objective=found.start_objective,
        iterations=found.iterations + polished.iterations,
    )


def _placing(problem: RoutingProblem) -> RoutingProblem:
    """The problem the search places the jobs in: ``problem`` with waiting free where it
    prices waiting (``problem`` itself otherwise).

    Placing jobs comes strictly before waiting: the search is the one without the weight
    (the same jobs placed, the same travel), and :func:`_waiting_polished` cuts waiting
    after it with the placed set held. Pricing waiting in the search itself left more
    tasks unplaced on an overbooked 300-visit district day (48 against 45 over three seeds,
    ``benchmarks/results/waiting-2026-12-06.md``): not that a visit's waiting outweighed
    its penalty (recreate puts every job back where it fits, and a route's waiting on a
    7.5-hour shift at 30 per minute costs at most 13,500 against a task's 30,000 or more),
    but the search is far from converged there and any change of its course moves a task
    or two — 10 % fewer iterations without any weight left 49 against 45.
    """
    if problem.waiting_cost <= 0:
        return problem
    return dataclasses.replace(problem, waiting_cost=0.0)


def _waiting_polished(
    problem: RoutingProblem, found: Improved, time_limit_s: float, params: SolveParams
) -> Improved:
    """``found`` (searched in :func:`_placing`'s problem) with its waiting polished
    (:func:`polish_waiting`) where ``problem`` prices waiting, its objective in
    ``problem``'s terms. With a work budget the polish runs WAITING_POLISH_SHARE of
    ``params.iterations`` more (the search keeps its whole budget); with a time limit it
    gets ``time_limit_s``."""
    if problem.waiting_cost <= 0:
        return found
    found = dataclasses.replace(found, objective=_objective_of(problem, found))
    later = None if params.iterations is None else int(params.iterations * WAITING_POLISH_SHARE)
    if later is not None and later <= 0:
        return found
    return polish_waiting(problem, found, time_limit_s, params.seed, later)


def _without_breaks(problem: RoutingProblem) -> RoutingProblem:
    """``problem`` without its breaks (``problem`` itself when it has none)."""
    if not any(problem.vehicle_breaks):
        return problem
    return dataclasses.replace(problem, vehicle_breaks=tuple(() for _ in problem.vehicle_breaks))


def route_ok(
    data: dict[str, Any], v: int, route: Sequence[int], p: int = 0, u: int = -1
) -> tuple[bool, int]:
    """(feasible, cost) of ``route`` on vehicle ``v`` by the kernels' schedule pass, with job
    ``u`` put at slot ``p`` when given (each job in its own window: no pair agreed yet)."""
    v_count = len(data["vehicle_start_s"])
    routes = np.zeros((v_count, len(route) + 1), dtype=np.int64)
    routes[v, : len(route)] = route
    length = np.zeros(v_count, dtype=np.int64)
    length[v] = len(route)
    ok, cost = kernels.route_pass(
        v, p, u, False, routes, length, np.zeros_like(routes),
        *(data[name] for name in _ROUTE_DATA), data["win_open"], data["win_close"],
        data["service_s"], data["rx"],
    )  # fmt: skip
    return bool(ok), int(cost)


def whole_pairs(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> list[list[int]]:
    """``routes`` without the pairs (double-staffed visits, gaps) they serve one half of:
    OR-Tools may serve one half of a gap, the kernels move pairs whole."""
    on = {node for route in routes for node in route}
    relations = _relations(problem)
    half = {x for a, b, _, _ in relations if (a in on) != (b in on) for x in (a, b)}
    return [[int(node) for node in route if node not in half] for route in routes]


def repair(
    problem: RoutingProblem,
    routes: Sequence[Sequence[int]],
    *,
    data: dict[str, Any] | None = None,
) -> list[list[int]]:
    """``routes`` cut down to what the kernels accept: each keeps its stops, in order, while
    the schedule pass stays in time (a break may leave a stop out); a double-staffed pair
    with a half left out leaves whole, and if the pairs still find no common start, every
    pair leaves (ruin and recreate puts them back). ``data``: see :func:`improve`."""
    data = _data(problem) if data is None else data
    kept: list[list[int]] = []
    for v, route in enumerate(routes):
        mine: list[int] = []
        for node in route:
            if route_ok(data, v, [*mine, node])[0]:
                mine.append(node)
        kept.append(mine)
    kept = whole_pairs(problem, kept)
    try:
        _state(problem, data, kept)
    except ValueError:
        paired = {x for a, b, *_ in _relations(problem) for x in (a, b)}
        kept = [[node for node in route if node not in paired] for route in kept]
    return kept


def timed_plan(
    problem: RoutingProblem,
    found: Improved,
    status: str,
    *,
    data: dict[str, Any] | None = None,
) -> Solution:
    """The plan of the kernels' routes with its clock: starts, breaks, returns.

    For when OR-Tools cannot read the routes back in its polish time (breaks make that
    slow): the kernels' own schedule. Pairs start where the search put them; each route
    takes its breaks in the gaps where they cost least (lateness, overtime), as early as
    their windows allow, and leaves at shift start. ``data``: see :func:`improve`.
    """
    data = _data(problem) if data is None else data
    fixed_open, fixed_close = data["win_open"].copy(), data["win_close"].copy()
    for node, start in found.pair_starts.items():
        fixed_open[node] = fixed_close[node] = start
    routes = found.routes
    timed = [
        _timed_route(problem, (fixed_open, fixed_close), v, [int(x) for x in routes[v]])
        for v in range(problem.n_vehicles)
    ]
    on = {node for route in routes for node in route}
    dropped = tuple(node for node in problem.job_nodes if node not in on)
    return Solution(tuple(timed), dropped, found.objective, status, 0.0)


def _timed_route(
    problem: RoutingProblem, fixed: tuple[np.ndarray, np.ndarray], v: int, route: list[int]
) -> Route:
    """Route ``v`` timed: the cheapest way of putting its breaks into its gaps (of those,
    the one that leaves the least waiting at doors), leaving the base as late as that way
    allows at the same cost (nobody waits at a door for nothing)."""
    specs = sorted(problem.vehicle_breaks[v], key=lambda b: (b.earliest_s, b.latest_s))
    depart = int(problem.vehicle_start_s[v])
    if not route:
        return Route(v, depart, (), depart, tuple((b.earliest_s, b.duration_s) for b in specs))
    best: tuple[int, int, Route] | None = None
    for gaps in itertools.combinations_with_replacement(range(len(route) + 1), len(specs)):
        timed = _timed_way(problem, fixed, v, route, specs, gaps, depart)
        if timed is None or (best is not None and timed[0] > best[0]):
            continue
        # Of the cheapest ways, the one with the least waiting at doors once the caregiver
        # leaves as late as it allows: a break goes where they would otherwise wait.
        way = functools.partial(_timed_way, problem, fixed, v, route, specs, gaps)
        late = _departed_late(way, depart, *timed)
        key = (timed[0], sum(s.start_s - s.arrival_s for s in late.stops))
        if best is None or key < best[:2]:
            best = (*key, late)
    if best is None:
        raise ValueError(f"route of vehicle {v} is late: {route}")
    return best[2]


def _departed_late(
    way: Callable[[int], tuple[int, Route] | None], depart: int, cost: int, timed: Route
) -> Route:
    """``timed`` (``way`` timed from a departure at ``depart``) leaving as late as keeps the
    route in time at the same ``cost``."""
    waiting = sum(stop.start_s - stop.arrival_s for stop in timed.stops)
    lo, hi = 0, waiting
    while lo < hi:  # the latest departure that keeps the route and its cost
        mid = (lo + hi + 1) // 2
        later = way(depart + mid)
        lo, hi = (mid, hi) if later is not None and later[0] == cost else (lo, mid - 1)
    if lo:
        later = way(depart + lo)
        assert later is not None
        timed = later[1]
    return timed


def _timed_way(
    problem: RoutingProblem,
    fixed: tuple[np.ndarray, np.ndarray],
    v: int,
    route: list[int],
    specs: list[BreakSpec],
    gaps: tuple[int, ...],
    depart: int,
) -> tuple[int, Route] | None:
    """(lateness + overtime cost, the timed route) with break k taken in gap ``gaps[k]``
    (before stop ``gaps[k]``; the last gap is the way back), or None when late."""
    travel = problem.travel_for(v)
    nodes = [int(problem.vehicle_start_node[v]), *route, int(problem.vehicle_end_node[v])]
    ready, cost, taken = depart, 0, 0
    stops: list[RouteStop] = []
    breaks: list[tuple[int, int]] = []
    for g in range(len(route) + 1):
        free, paused = ready, 0
        while taken < len(specs) and gaps[taken] == g:
            spec = specs[taken]
            begin = max(free, spec.earliest_s)
            if begin > spec.latest_s:
                return None  # the break finds no place in this gap
            breaks.append((begin, spec.duration_s))
            free, paused, taken = begin + spec.duration_s, paused + spec.duration_s, taken + 1
        arrival = max(ready + int(travel[nodes[g], nodes[g + 1]]) + paused, free)
        if g == len(route):
            if arrival > int(problem.vehicle_end_s[v]):
                return None
            over = max(0, arrival - int(problem.vehicle_soft_end_s[v]))
            cost += int(problem.overtime_cost[v]) * over
            return cost, Route(v, depart, tuple(stops), arrival, tuple(breaks))
        x = nodes[g + 1]
        lo, hi = int(fixed[0][x]), int(fixed[1][x])
        starts = [max(arrival, a, lo) for a, b in problem.time_windows[x] if max(arrival, lo) <= b]
        if not starts or starts[0] > hi:
            return None
        start = starts[0]
        cost += int(problem.lateness_cost[x]) * max(0, start - int(problem.soft_window_end_s[x]))
        stops.append(RouteStop(x, arrival, start))
        ready = start + int(problem.service_s[x])
    return None  # pragma: no cover - the loop returns at the way back


TIMING_SHARE = 0.1
"""Share of a warm re-plan's time limit kept for timing the routes found (breaks)."""


def solve_warm(
    problem: RoutingProblem,
    params: SolveParams,
    routes: Sequence[Sequence[int]],
    on_progress: ProgressCallback | None = None,
) -> Solution | None:
    """Re-plan from a feasible plan's ``routes`` (one job list per vehicle) by ruin and
    recreate alone, without building an OR-Tools model; None when it cannot, so that the
    caller searches as :func:`solve_with_lns` does.

    The minimal-change re-plan's case: the published plan minus what may no longer be
    served is already feasible, so no first plan is needed. What the routes leave out is
    placed greedily where it fits (:func:`_fill`, time-critical jobs first), then ruin and
    recreate runs for the rest of ``params.time_limit_s`` (or ``params.iterations``) and
    the kernels' schedule times the best routes (:func:`timed_plan`): the whole call ends
    within the time limit, after :func:`warm_up`. None when the problem has a rule the
    kernels cannot keep (:func:`unsupported`), ``params`` ask for OR-Tools (``lns`` False,
    a ``solution_limit``), or the kernels find the routes late or overloaded.
    """
    if params.lns is False or params.solution_limit is not None or unsupported(problem):
        return None
    warm_up()
    started = time.perf_counter()
    data = _data(problem)
    # A pair whose other half was the absent caregiver's leaves whole; recreate puts it back.
    routes = whole_pairs(problem, routes)
    try:
        _state(problem, data, routes)
    except ValueError as exc:
        log.warning("the warm routes do not fit the kernels' rules (%s)", exc)
        return None

    def report(objective: int, _seconds: float) -> None:
        if on_progress is not None:
            on_progress(objective, time.perf_counter() - started)

    budget = params.time_limit_s * (1.0 - TIMING_SHARE) - (time.perf_counter() - started)
    placing = _placing(problem)
    share = WAITING_POLISH_SHARE if placing is not problem else 0.0
    found = improve(
        placing, routes, max(budget, 0.0) * (1 - share), params.seed, report, params.iterations,
        data=data if placing is problem else _data(placing), fill=True,
    )  # fmt: skip
    found = _waiting_polished(problem, found, max(budget, 0.0) * share, params)
    timed = timed_plan(problem, found, "success", data=data)
    return dataclasses.replace(
        timed,
        warm_start="used",
        wall_s=time.perf_counter() - started,
        status=f"success; warm ruin and recreate: {found.iterations} iterations",
    )


@functools.cache
def warm_up() -> None:
    """Load the kernels from numba's disk cache (about 0.3 s), or compile them there (about
    6 s, once after an install or a change), so that no search pays for it in its time limit.

    :func:`solve_with_lns` calls it before its clock starts; benchmark runners call it before
    theirs. Runs once per process.
    """
    builder = ProblemBuilder()
    builder.add_travel_class([[0, 60, 60], [60, 0, 60], [60, 60, 0]])
    depot = builder.add_depot(0, (0, 1_000))
    for _ in range(2):
        builder.add_vehicle(start_depot=depot, window=(0, 1_000))
    a = builder.add_job(1, service_s=10, windows=[(0, 500)], penalty=1_000)
    b = builder.add_job(1, service_s=10, windows=[(0, 500)], penalty=1_000)
    builder.add_job(2, service_s=10, windows=[(0, 500)], penalty=1_000)
    builder.add_sync(a, b)
    problem = builder.build()
    # The third job left out, so that the greedy fill every solve starts with compiles too
    # (without it a fresh cache compiled `cheapest_place` inside the first search with
    # breaks: the demo day's solve stage ran 1.1-1.3 s past its limit).
    improve(problem, [[a], [b]], 0.0, iterations=2, fill=True)
    # The schedule pass as the repair of a plan without breaks calls it.
    rested = dataclasses.replace(problem, vehicle_breaks=((BreakSpec(0, 900, 60),), ()))
    repair(rested, [[a], [b]])


def solve_with_lns(
    problem: RoutingProblem,
    params: SolveParams,
    on_progress: ProgressCallback | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    improver: Improver = improve,
) -> Solution:
    """First plan by OR-Tools, ruin and recreate for most of the time (``improver``), OR-Tools
    polish.

    The time limit counts from after :func:`warm_up` (0.3 s, or once about 6 s to compile).
    """
    warm_up()
    started = time.perf_counter()

    def report(objective: int, _seconds: float) -> None:
        # Each stage counts its own seconds; the caller sees them since this solve began.
        if on_progress is not None:
            on_progress(objective, time.perf_counter() - started)

    # OR-Tools builds a first plan with breaks twenty times slower than without (a 331-job
    # day: 8.5 s against 0.4 s): it plans without them, and the kernels make the plan keep
    # them (:func:`repair`) and place what that leaves out.
    relaxed = _without_breaks(problem)
    first = solve_with_ortools(
        relaxed, params.model_copy(update={"solution_limit": 1}), report, initial_routes
    )
    first_s = time.perf_counter() - started
    # With breaks OR-Tools seldom reads routes back within a polish's time (it must find
    # every break's start): the kernels' own schedule of their routes is the plan. Otherwise
    # the polish is kept its share and the rebuilding of the model, which costs about what
    # the first plan did, so that the solve ends by the time limit.
    with_polish = relaxed is problem
    polish = min(1.0, POLISH_SHARE * params.time_limit_s)
    rebuild = min(first_s, REBUILD_SHARE * params.time_limit_s)
    budget = params.time_limit_s - first_s - (polish + rebuild if with_polish else 0.0)
    if budget <= 0 and params.iterations is None and with_polish:
        return dataclasses.replace(first, wall_s=time.perf_counter() - started)
    start = whole_pairs(problem, [[stop.node for stop in route.stops] for route in first.routes])
    placing = _placing(problem)
    data = _data(placing)  # once for the repair, the search and the timing
    if not with_polish:
        start = repair(problem, start, data=data)
    share = WAITING_POLISH_SHARE if placing is not problem else 0.0
    try:
        found = improver(
            placing,
            start,
            budget * (1 - share),
            params.seed,
            report,
            params.iterations,
            data=data,
            # What OR-Tools' first plan leaves out is placed greedily before the search: on
            # a loaded machine its first plan may come late or empty, and a search with no
            # time left would otherwise return a plan with nothing placed.
            fill=True,
        )
    except ValueError as exc:
        # OR-Tools' plan is feasible, so the kernels should always read it; if they cannot,
        # its own search gets the time instead of the plan failing.
        log.error("ruin and recreate cannot start from OR-Tools' plan (%s)", exc)
        rest = params.model_copy(update={"time_limit_s": max(budget + polish, 0.1)})
        return solve_with_ortools(problem, rest, report, start)
    found = _waiting_polished(problem, found, budget * share, params)
    if not with_polish:
        polished = timed_plan(problem, found, "success", data=data)
    else:
        polished = solve_with_ortools(
            problem,
            params.model_copy(
                update={
                    # With a work budget the greedy polish runs to its local optimum.
                    "time_limit_s": params.time_limit_s if params.iterations else max(polish, 0.1),
                    "metaheuristic": Metaheuristic.GREEDY_DESCENT,
                    "solution_limit": None,
                }
            ),
            report,
            found.routes,
        )
        plans = [polished, first]
        if polished.warm_start != "used":
            # Under load OR-Tools may not read the routes back within the polish time (a
            # 494-job day at 5 s with the machine's load at 16): the kernels' own schedule,
            # unless OR-Tools' plans (the cold polish, the first) serve more. (The kernels
            # move a gap's two jobs together: where only one fits, OR-Tools' plan keeps it.)
            log.warning("OR-Tools did not read the ruin-and-recreate routes back in time")
            plans.insert(0, timed_plan(problem, found, "success", data=data))
        polished = min(plans, key=lambda plan: (len(plan.dropped), plan.objective))
    return dataclasses.replace(
        polished,
        warm_start=first.warm_start,
        wall_s=time.perf_counter() - started,
        status=f"{polished.status}; ruin and recreate: {found.iterations} iterations",
    )


__all__ = [
    "Improved",
    "Improver",
    "improve",
    "polish_waiting",
    "repair",
    "rich_rules",
    "route_ok",
    "solve_warm",
    "solve_with_lns",
    "travel_of",
    "unserved",
    "unsupported",
    "use_lns",
    "warm_up",
    "whole_pairs",
]
