"""The one way to make a routing problem: a small builder in the manner of PyVRP's ``Model``.

Callers describe *locations* (one row/column of each travel matrix), depots, vehicles and
jobs, then call :meth:`ProblemBuilder.build` for an immutable, validated
:class:`~hjemmetjeneste.solver.problem.RoutingProblem`. The domain adapter
(``planning.to_problem``), the benchmark readers (``benchsets``) and the tests use this one
builder, so every constraint family is expressed the same way whatever the source.

Every opt-in rule has its neutral default stated once, here, in the keyword arguments of
:meth:`ProblemBuilder.add_job` and :meth:`ProblemBuilder.add_vehicle` (no lateness or
overtime cost, no pin, no refusal, no preference, no breaks, no load, unlimited capacity);
``RoutingProblem`` itself has no defaults.

Units are the caller's integers (the project uses seconds and metres); the builder does not
convert anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from hjemmetjeneste.solver.problem import BreakSpec, Precedence, RoutingProblem


@dataclass
class _Job:
    location: int
    service_s: int
    windows: tuple[tuple[int, int], ...]
    penalty: int
    allowed: tuple[int, ...] | None
    refused: tuple[int, ...]
    soft_end_s: int | None
    lateness_cost: int
    pinned_vehicle: int
    pinned_start_s: int
    preference: dict[int, int]
    demand: int = 0


@dataclass
class _Vehicle:
    travel_class: int
    start_depot: int
    end_depot: int
    start_s: int
    end_s: int
    soft_end_s: int | None
    overtime_cost: int
    breaks: tuple[BreakSpec, ...]
    capacity: int = -1


@dataclass
class ProblemBuilder:
    """Collects depots, vehicles, jobs and relations; :meth:`build` makes the problem.

    ``zero_same_location``: travel between two nodes at the same location is 0 (a second
    caregiver at the same patient neither travels nor parks again).
    """

    zero_same_location: bool = True
    balance_weight: int = 0
    waiting_cost: float = 0.0
    """Cost per second of waiting at a door (see ``RoutingProblem.waiting_cost``); 0 = off."""
    _travel: list[np.ndarray] = field(default_factory=list)
    _distance: list[np.ndarray] = field(default_factory=list)
    _nodes: list[tuple[str, int]] = field(default_factory=list)  # ("depot"|"job", index)
    _depots: list[tuple[int, tuple[int, int]]] = field(default_factory=list)
    _jobs: list[_Job] = field(default_factory=list)
    _vehicles: list[_Vehicle] = field(default_factory=list)
    _sync: list[tuple[int, int]] = field(default_factory=list)
    _precedences: list[Precedence] = field(default_factory=list)

    def add_travel_class(self, travel_s: ArrayLike, distance_m: ArrayLike | None = None) -> int:
        """Register one travel class (a mode, a speed profile): L×L matrices over locations.

        Returns the class index to give :meth:`add_vehicle`. ``distance_m`` defaults to the
        travel matrix (benchmarks where distance equals time).
        """
        travel = _integers(travel_s)
        distance = travel if distance_m is None else _integers(distance_m)
        if travel.ndim != 2 or travel.shape[0] != travel.shape[1]:
            raise ValueError("a travel matrix must be square")
        if distance.shape != travel.shape:
            raise ValueError("travel and distance matrices must have the same shape")
        if self._travel and travel.shape != self._travel[0].shape:
            raise ValueError("every travel class must cover the same locations")
        self._travel.append(travel)
        self._distance.append(distance)
        return len(self._travel) - 1

    def add_depot(self, location: int, window: tuple[int, int] = (0, 0)) -> int:
        """A depot node at ``location``; returns its node index."""
        self._depots.append((location, window))
        self._nodes.append(("depot", len(self._depots) - 1))
        return len(self._nodes) - 1

    def add_vehicle(
        self,
        *,
        start_depot: int,
        end_depot: int | None = None,
        travel_class: int = 0,
        window: tuple[int, int],
        soft_end_s: int | None = None,
        overtime_cost: int = 0,
        breaks: Iterable[BreakSpec] = (),
        capacity: int | None = None,
    ) -> int:
        """A vehicle (caregiver) working inside ``window``; returns its vehicle index.

        ``window[1]`` is the hard latest return; with ``soft_end_s`` returning after it costs
        ``overtime_cost`` per unit of time. ``capacity`` bounds the summed ``demand`` of its
        jobs (None = unlimited).
        """
        self._vehicles.append(
            _Vehicle(
                travel_class=travel_class,
                start_depot=start_depot,
                end_depot=start_depot if end_depot is None else end_depot,
                start_s=window[0],
                end_s=window[1],
                soft_end_s=soft_end_s,
                overtime_cost=overtime_cost,
                breaks=tuple(breaks),
                capacity=-1 if capacity is None else int(capacity),
            )
        )
        return len(self._vehicles) - 1

    def add_job(
        self,
        location: int,
        *,
        service_s: int,
        windows: Sequence[tuple[int, int]],
        penalty: int,
        allowed: Iterable[int] | None = None,
        refused: Iterable[int] = (),
        soft_end_s: int | None = None,
        lateness_cost: int = 0,
        pinned_vehicle: int | None = None,
        pinned_start_s: int | None = None,
        preference_cost: Mapping[int, int] | None = None,
        demand: int = 0,
    ) -> int:
        """A job at ``location``; returns its node index.

        ``windows``: one or more start windows (sorted and disjoint after merging);
        ``allowed``: qualified vehicles (None = every vehicle); ``refused`` vehicles are
        removed from ``allowed``; a pin restricts the vehicle and/or fixes the start.
        ``preference_cost`` maps vehicle → extra cost when that vehicle serves the job;
        ``demand`` is the load it adds to the vehicle (see ``add_vehicle(capacity=...)``).
        """
        merged = _merge_windows(windows)
        if pinned_start_s is not None:
            merged = ((pinned_start_s, pinned_start_s),)
        self._jobs.append(
            _Job(
                location=location,
                service_s=int(service_s),
                windows=merged,
                penalty=int(penalty),
                allowed=None if allowed is None else tuple(sorted(set(allowed))),
                refused=tuple(sorted(set(refused))),
                soft_end_s=soft_end_s,
                lateness_cost=int(lateness_cost),
                pinned_vehicle=-1 if pinned_vehicle is None else int(pinned_vehicle),
                pinned_start_s=-1 if pinned_start_s is None else int(pinned_start_s),
                preference=dict(preference_cost or {}),
                demand=int(demand),
            )
        )
        self._nodes.append(("job", len(self._jobs) - 1))
        return len(self._nodes) - 1

    def add_sync(self, a: int, b: int) -> None:
        """Jobs ``a`` and ``b`` are done by two different vehicles starting at the same time."""
        self._sync.append((a, b))

    def add_precedence(self, a: int, b: int, min_s: int = 0, max_s: int | None = None) -> None:
        """Job ``b`` starts between ``min_s`` and ``max_s`` after job ``a`` (when both served)."""
        self._precedences.append(Precedence(a, b, int(min_s), None if max_s is None else max_s))

    @property
    def n_vehicles(self) -> int:
        """Vehicles added so far."""
        return len(self._vehicles)

    def build(self) -> RoutingProblem:
        """The immutable problem; ValueError (from validation) when something is inconsistent."""
        if not self._travel:
            raise ValueError("add at least one travel class before building")
        n, v = len(self._nodes), len(self._vehicles)
        everyone = tuple(range(v))
        location = np.empty(n, dtype=np.intp)
        service = np.zeros(n, dtype=np.int64)
        win_start = np.zeros(n, dtype=np.int64)
        win_end = np.zeros(n, dtype=np.int64)
        penalty = np.full(n, -1, dtype=np.int64)
        soft_end = np.zeros(n, dtype=np.int64)
        lateness = np.zeros(n, dtype=np.int64)
        pin_v = np.full(n, -1, dtype=np.int64)
        pin_s = np.full(n, -1, dtype=np.int64)
        preference = np.zeros((n, v), dtype=np.int64)
        demand = np.zeros(n, dtype=np.int64)
        allowed: list[tuple[int, ...]] = []
        refused: list[tuple[int, ...]] = []
        windows: list[tuple[tuple[int, int], ...]] = []
        for node, (kind, k) in enumerate(self._nodes):
            if kind == "depot":
                loc, window = self._depots[k]
                location[node] = loc
                win_start[node], win_end[node] = window
                soft_end[node] = window[1]
                allowed.append(())
                refused.append(())
                windows.append((window,))
                continue
            job = self._jobs[k]
            location[node] = job.location
            service[node] = job.service_s
            win_start[node], win_end[node] = job.windows[0][0], job.windows[-1][1]
            soft_end[node] = win_end[node] if job.soft_end_s is None else job.soft_end_s
            lateness[node] = job.lateness_cost
            demand[node] = job.demand
            penalty[node] = job.penalty
            pin_v[node], pin_s[node] = job.pinned_vehicle, job.pinned_start_s
            ok = set(everyone if job.allowed is None else job.allowed) - set(job.refused)
            if job.pinned_vehicle >= 0:
                ok &= {job.pinned_vehicle}
            allowed.append(tuple(sorted(ok)))
            refused.append(job.refused)
            windows.append(job.windows)
            for vehicle, cost in job.preference.items():
                preference[node, vehicle] = cost
        same = location[:, None] == location[None, :]
        # Travel as one int64 block, each class a view of it: the ruin-and-recreate kernels
        # read that block as it is (no third copy of every matrix on a large day).
        travel_all = np.empty((len(self._travel), n, n), dtype=np.int64)
        for k, t in enumerate(self._travel):
            _per_node(t, location, travel_all[k])
        travel = [travel_all[k] for k in range(len(self._travel))]
        # Distances are only read pair by pair (worklists, KPIs): in the source's own width
        # (a travel source's int32: half the memory on a large day).
        distance = [_per_node(d, location, np.empty((n, n), d.dtype)) for d in self._distance]
        if self.zero_same_location:
            for t_nodes, d_nodes in zip(travel, distance, strict=True):
                t_nodes[same] = 0
                d_nodes[same] = 0
        vehicles = self._vehicles
        return RoutingProblem(
            travel_s=tuple(travel),
            distance_m=tuple(distance),
            service_s=service,
            window_start_s=win_start,
            window_end_s=win_end,
            drop_penalty=penalty,
            allowed_vehicles=tuple(allowed),
            vehicle_class=np.asarray([x.travel_class for x in vehicles], dtype=np.int64),
            vehicle_start_node=np.asarray([x.start_depot for x in vehicles], dtype=np.int64),
            vehicle_end_node=np.asarray([x.end_depot for x in vehicles], dtype=np.int64),
            vehicle_start_s=np.asarray([x.start_s for x in vehicles], dtype=np.int64),
            vehicle_end_s=np.asarray([x.end_s for x in vehicles], dtype=np.int64),
            sync_groups=tuple(self._sync),
            balance_weight=self.balance_weight,
            waiting_cost=self.waiting_cost,
            time_windows=tuple(windows),
            soft_window_end_s=np.minimum(soft_end, win_end),
            lateness_cost=lateness,
            precedences=tuple(self._precedences),
            pinned_vehicle=pin_v,
            pinned_start_s=pin_s,
            refused_vehicles=tuple(refused),
            vehicle_soft_end_s=np.asarray(
                [x.end_s if x.soft_end_s is None else x.soft_end_s for x in vehicles],
                dtype=np.int64,
            ),
            overtime_cost=np.asarray([x.overtime_cost for x in vehicles], dtype=np.int64),
            vehicle_breaks=tuple(x.breaks for x in vehicles),
            preference_cost=preference,
            demand=demand,
            vehicle_capacity=np.asarray([x.capacity for x in vehicles], dtype=np.int64),
        )


def _integers(matrix: ArrayLike) -> np.ndarray:
    """``matrix`` as an integer array: int32 and int64 ones as they are (a travel source's
    int32 matrices are widened once, node by node, in :meth:`ProblemBuilder.build`)."""
    array = np.asarray(matrix)
    return array if array.dtype in (np.int32, np.int64) else np.asarray(array, dtype=np.int64)


ROWS_PER_STEP = 256
"""Rows copied at a time into the node matrices: small temporaries, reused memory."""


def _per_node(matrix: np.ndarray, location: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` (nodes × nodes) filled from the location matrix: row and column ``i`` are
    ``location[i]``'s."""
    n = len(location)
    for a in range(0, n, ROWS_PER_STEP):
        rows = location[a : a + ROWS_PER_STEP]
        out[a : a + len(rows)] = matrix[rows][:, location]
    return out


def _merge_windows(windows: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted, disjoint windows; overlapping or touching ones are merged."""
    if not windows:
        raise ValueError("a job needs at least one time window")
    merged: list[list[int]] = []
    for a, b in sorted((int(a), int(b)) for a, b in windows):
        if b < a:
            raise ValueError(f"window ({a}, {b}) ends before it starts")
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((a, b) for a, b in merged)
