"""Tiny routing problems built from points on a plane, shared by the solver tests."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from hjemmetjeneste.solver import ProblemBuilder, RoutingProblem


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
    matrix = np.array([[round(math.dist(p, q)) for q in points] for p in points], dtype=np.int64)
    services = [service_s] * len(jobs) if isinstance(service_s, int) else list(service_s)
    windows = list(windows) if windows is not None else [(shift[0], shift[1])] * len(jobs)
    allowed_list = list(allowed) if allowed is not None else [None] * len(jobs)
    builder = ProblemBuilder()
    builder.add_travel_class(matrix, matrix.copy())
    depot = builder.add_depot(0, shift)
    for _ in range(n_vehicles):
        builder.add_vehicle(start_depot=depot, window=shift)
    for k in range(len(jobs)):
        builder.add_job(
            k + 1,
            service_s=services[k],
            windows=[windows[k]],
            penalty=penalty,
            allowed=allowed_list[k],
        )
    for a, b in sync_groups:
        builder.add_sync(a, b)
    return builder.build()


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
