"""Tiny routing problems built from points on a plane, shared by the solver tests."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from hjemmetjeneste.solver import RoutingProblem


def make_problem(
    jobs: Sequence[tuple[float, float]],
    n_vehicles: int = 1,
    *,
    service_s: int | Sequence[int] = 0,
    windows: Sequence[tuple[int, int]] | None = None,
    shift: tuple[int, int] = (0, 10_000),
    allowed: Sequence[Sequence[int] | None] | None = None,
    penalty: int = 1_000_000,
    sync_groups: Sequence[tuple[int, int]] = (),
) -> RoutingProblem:
    """One depot at (0, 0) (node 0) shared by all vehicles; job k is node k + 1.

    Travel time = distance = Euclidean distance rounded to whole seconds/metres.
    """
    points = [(0.0, 0.0), *jobs]
    n = len(points)
    matrix = np.array([[round(math.dist(p, q)) for q in points] for p in points], dtype=np.int64)
    services = [service_s] * len(jobs) if isinstance(service_s, int) else list(service_s)
    windows = list(windows) if windows is not None else [(shift[0], shift[1])] * len(jobs)
    everyone = tuple(range(n_vehicles))
    allowed_list = list(allowed) if allowed is not None else [None] * len(jobs)
    return RoutingProblem(
        travel_s=(matrix,),
        distance_m=(matrix.copy(),),
        service_s=np.array([0, *services], dtype=np.int64),
        window_start_s=np.array([shift[0]] + [w[0] for w in windows], dtype=np.int64),
        window_end_s=np.array([shift[1]] + [w[1] for w in windows], dtype=np.int64),
        drop_penalty=np.array([-1] + [penalty] * len(jobs), dtype=np.int64),
        allowed_vehicles=((), *tuple(everyone if a is None else tuple(a) for a in allowed_list)),
        vehicle_class=np.zeros(n_vehicles, dtype=np.int64),
        vehicle_start_node=np.zeros(n_vehicles, dtype=np.int64),
        vehicle_end_node=np.zeros(n_vehicles, dtype=np.int64),
        vehicle_start_s=np.full(n_vehicles, shift[0], dtype=np.int64),
        vehicle_end_s=np.full(n_vehicles, shift[1], dtype=np.int64),
        sync_groups=tuple(sync_groups),
    )
    assert n == len(matrix)


def brute_force_optimum(problem: RoutingProblem) -> int | None:
    """Least total travel serving every job, by enumerating every ordering and split.

    Only for problems without sync groups or competence limits and with at most 7 jobs.
    Returns None when no ordering serves everything within windows and shift.
    """
    jobs = list(problem.job_nodes)
    v = problem.n_vehicles
    travel = problem.travel_s[0]
    best: int | None = None
    for order in itertools.permutations(jobs):
        for cuts in itertools.combinations_with_replacement(range(len(jobs) + 1), v - 1):
            bounds = [0, *cuts, len(jobs)]
            total, ok = 0, True
            for k in range(v):
                route = order[bounds[k] : bounds[k + 1]]
                clock, prev = int(problem.vehicle_start_s[k]), 0
                for node in route:
                    clock = max(clock + int(travel[prev, node]), int(problem.window_start_s[node]))
                    if clock > problem.window_end_s[node]:
                        ok = False
                        break
                    total += int(travel[prev, node])
                    clock += int(problem.service_s[node])
                    prev = node
                if not ok:
                    break
                total += int(travel[prev, 0])
                if clock + int(travel[prev, 0]) > problem.vehicle_end_s[k]:
                    ok = False
                    break
            if ok and (best is None or total < best):
                best = total
    return best
