"""Peer solvers on the same VRPTW instance: PyVRP and VROOM (pyvroom), optional extra ``peers``.

Both get the instance in the same integer units as our solver (DIMACS: ⌊10·euclid⌋ for
distance and travel time, times ×10) and the same time limit; their routes are turned back
into our :class:`~hjemmetjeneste.solver.problem.Solution` and judged by the same checker.
Install with ``pip install -e ".[peers]"``; :func:`available_peers` tells which are present.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from datetime import timedelta

from hjemmetjeneste.benchsets.solomon import SCALE, VrptwInstance

PEERS = ("pyvrp", "vroom")
_MODULE = {"pyvrp": "pyvrp", "vroom": "vroom"}


@dataclass(frozen=True)
class PeerResult:
    """A peer's answer: routes as customer numbers (one list per used vehicle), wall time."""

    routes: list[list[int]]
    seconds: float
    note: str = ""


def available_peers() -> tuple[str, ...]:
    """The peers whose Python package is installed."""
    return tuple(p for p in PEERS if importlib.util.find_spec(_MODULE[p]) is not None)


def run_peer(
    peer: str, instance: VrptwInstance, time_limit_s: float, seed: int = 1, threads: int = 1
) -> PeerResult:
    """Solve ``instance`` with ``peer`` ("pyvrp" or "vroom") for ``time_limit_s`` seconds."""
    if peer == "pyvrp":
        return _run_pyvrp(instance, time_limit_s, seed)
    if peer == "vroom":
        return _run_vroom(instance, time_limit_s, threads)
    raise ValueError(f"unknown peer {peer!r}; known: {', '.join(PEERS)}")


def _run_pyvrp(instance: VrptwInstance, time_limit_s: float, seed: int) -> PeerResult:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    started = time.perf_counter()
    matrix = instance.scaled_distances()
    n = len(instance.x)
    locations = [pyvrp.Location(x=float(instance.x[i]), y=float(instance.y[i])) for i in range(n)]
    depot = pyvrp.Depot(
        location=0,
        tw_early=int(instance.ready[0]) * SCALE,
        tw_late=int(instance.due[0]) * SCALE,
    )
    clients = [
        pyvrp.Client(
            location=i,
            delivery=[int(instance.demand[i])],
            service_duration=int(instance.service[i]) * SCALE,
            tw_early=int(instance.ready[i]) * SCALE,
            tw_late=int(instance.due[i]) * SCALE,
        )
        for i in range(1, n)
    ]
    vehicles = [
        pyvrp.VehicleType(
            num_available=instance.n_vehicles,
            capacity=[instance.capacity],
            tw_early=int(instance.ready[0]) * SCALE,
            tw_late=int(instance.due[0]) * SCALE,
        )
    ]
    data = pyvrp.ProblemData(locations, clients, [depot], vehicles, [matrix], [matrix])
    remaining = max(0.1, time_limit_s - (time.perf_counter() - started))
    result = pyvrp.solve(data, stop=MaxRuntime(remaining), seed=seed, collect_stats=False)
    # Activity idx of a client is its index in ``clients``: our node idx + 1.
    routes = [
        [int(act.idx) + 1 for act in route if act.is_client()] for route in result.best.routes()
    ]
    note = "" if result.is_feasible() else "pyvrp reports infeasible"
    return PeerResult(routes, time.perf_counter() - started, note)


def _run_vroom(instance: VrptwInstance, time_limit_s: float, threads: int) -> PeerResult:
    import vroom

    started = time.perf_counter()
    matrix = instance.scaled_distances()
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=matrix)
    problem.set_costs_matrix(profile="car", matrix_input=matrix)
    window = vroom.TimeWindow(int(instance.ready[0]) * SCALE, int(instance.due[0]) * SCALE)
    for k in range(instance.n_vehicles):
        problem.add_vehicle(
            vroom.Vehicle(id=k, start=0, end=0, capacity=[instance.capacity], time_window=window)
        )
    for i in range(1, len(instance.x)):
        problem.add_job(
            vroom.Job(
                id=i,
                location=i,
                default_service=int(instance.service[i]) * SCALE,
                delivery=[int(instance.demand[i])],
                time_windows=[
                    vroom.TimeWindow(int(instance.ready[i]) * SCALE, int(instance.due[i]) * SCALE)
                ],
            )
        )
    remaining = max(0.1, time_limit_s - (time.perf_counter() - started))
    answer = problem.solve(
        exploration_level=5, nb_threads=threads, timeout=timedelta(seconds=remaining)
    )
    routes_by_vehicle: dict[int, list[int]] = {}
    frame = answer.routes
    for vehicle, kind, job in zip(frame["vehicle_id"], frame["type"], frame["id"], strict=True):
        if str(kind) == "job":
            routes_by_vehicle.setdefault(int(vehicle), []).append(int(job))
    routes = [routes_by_vehicle[v] for v in sorted(routes_by_vehicle)]
    return PeerResult(routes, time.perf_counter() - started)
