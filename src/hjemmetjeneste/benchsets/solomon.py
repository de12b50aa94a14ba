"""Solomon / Gehring & Homberger VRPTW text files, under the DIMACS convention.

DIMACS (2021 VRPTW challenge, exact-method literature): distance and travel time are the
Euclidean distance truncated to one decimal, ⌊10·d⌋/10; the objective is total distance
only, with any number of the file's vehicles. The solver works in integers, so every time
and distance is scaled by :data:`SCALE` = 10 (one unit = 0.1 of the instance's unit) and the
truncation is exact integer arithmetic.

The problem is made by :class:`~hjemmetjeneste.solver.model_builder.ProblemBuilder`, the
builder real day plans go through, with each customer's demand and the fleet's capacity (the
model's load dimension; the checker reports overloads). :func:`capacity_violations` re-checks
capacity from the instance itself, independently of the problem.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hjemmetjeneste.solver.model_builder import ProblemBuilder
from hjemmetjeneste.solver.problem import RoutingProblem, Solution

SCALE = 10
"""Integer units per instance unit: DIMACS truncates to one decimal."""

UNSERVED_PENALTY = 10_000_000
"""Drop penalty per customer (scaled units): far above any route's length, so that every
customer is served when the fleet can serve them."""

_FAMILY = re.compile(r"^(RC|R|C)([12])", re.IGNORECASE)


class SolomonFormatError(ValueError):
    """A Solomon file that cannot be read; the message names the file, line and field."""


@dataclass(frozen=True)
class VrptwInstance:
    """One VRPTW instance as written in the file (instance units, depot = customer 0)."""

    name: str
    n_vehicles: int
    capacity: int
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    demand: NDArray[np.int64]
    ready: NDArray[np.int64]
    due: NDArray[np.int64]
    service: NDArray[np.int64]

    @property
    def n_customers(self) -> int:
        """Customers, the depot not counted."""
        return len(self.x) - 1

    @property
    def family(self) -> str:
        """The instance class, e.g. ``C1``, ``R2``, ``RC1`` (upper case)."""
        return family_of(self.name)

    def scaled_distances(self) -> NDArray[np.int64]:
        """⌊SCALE·euclid(i, j)⌋ for every pair, exact for integer coordinates."""
        dx = self.x[:, None] - self.x[None, :]
        dy = self.y[:, None] - self.y[None, :]
        squared = (dx * dx + dy * dy) * (SCALE * SCALE)
        root = np.floor(np.sqrt(squared)).astype(np.int64)
        # Correct the float square root by one where it rounded across an integer.
        root -= (root * root > squared).astype(np.int64)
        root += ((root + 1) * (root + 1) <= squared).astype(np.int64)
        return root


def family_of(name: str) -> str:
    """The class of an instance name (``RC105`` → ``RC1``, ``c2_4_7`` → ``C2``; else ``?``)."""
    match = _FAMILY.match(name)
    return (match.group(1) + match.group(2)).upper() if match else "?"


def read_solomon(path: Path | str) -> VrptwInstance:
    """Read a Solomon-format file (Solomon's 56, Gehring & Homberger's 200–1000 customers).

    Raises :class:`SolomonFormatError` naming the file, line and field on bad input.
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    name = next((ln.strip() for ln in lines if ln.strip()), "")
    if not name:
        raise SolomonFormatError(f"{path}: the file is empty")
    n_vehicles = capacity = -1
    rows: list[list[float]] = []
    section = ""
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        upper = text.upper()
        if upper in ("VEHICLE", "CUSTOMER"):
            section = upper
            continue
        if not text or not (text[0].isdigit() or text[0] in "-."):
            continue
        fields = text.split()
        try:
            values = [float(f) for f in fields]
        except ValueError as exc:
            raise SolomonFormatError(f"{path}, line {number}: not a number in {text!r}") from exc
        if section == "VEHICLE" and n_vehicles < 0:
            if len(values) != 2:
                raise SolomonFormatError(
                    f"{path}, line {number}: VEHICLE needs NUMBER and CAPACITY, got {text!r}"
                )
            n_vehicles, capacity = int(values[0]), int(values[1])
        elif section == "CUSTOMER":
            if len(values) != 7:
                raise SolomonFormatError(
                    f"{path}, line {number}: a customer row needs 7 fields "
                    f"(no, x, y, demand, ready, due, service), got {len(values)}"
                )
            if int(values[0]) != len(rows):
                raise SolomonFormatError(
                    f"{path}, line {number}: CUST NO. {int(values[0])}, expected {len(rows)}"
                )
            rows.append(values)
    if n_vehicles <= 0 or capacity <= 0:
        raise SolomonFormatError(f"{path}: no VEHICLE section with NUMBER and CAPACITY")
    if len(rows) < 2:
        raise SolomonFormatError(f"{path}: no customers after the depot")
    table = np.asarray(rows, dtype=np.float64)
    ready, due = table[:, 4].astype(np.int64), table[:, 5].astype(np.int64)
    bad = np.flatnonzero(due < ready)
    if bad.size:
        raise SolomonFormatError(
            f"{path}: customer {int(bad[0])}: DUE DATE {due[bad[0]]} before READY TIME "
            f"{ready[bad[0]]}"
        )
    return VrptwInstance(
        name=name,
        n_vehicles=n_vehicles,
        capacity=capacity,
        x=table[:, 1].copy(),
        y=table[:, 2].copy(),
        demand=table[:, 3].astype(np.int64),
        ready=ready,
        due=due,
        service=table[:, 6].astype(np.int64),
    )


def to_problem(instance: VrptwInstance, n_vehicles: int | None = None) -> RoutingProblem:
    """The instance as a :class:`RoutingProblem` in units of 1/SCALE (DIMACS convention).

    Node 0 is the depot, node i customer i. Every vehicle starts and ends at the depot within
    its window and capacity; travel time equals distance; the arc cost is that distance, so
    the objective of a solution that serves everyone is SCALE × the DIMACS distance. ``n_vehicles``
    overrides the file's fleet size (default: the file's).
    """
    builder = ProblemBuilder(zero_same_location=False)
    builder.add_travel_class(instance.scaled_distances())
    horizon = (int(instance.ready[0]) * SCALE, int(instance.due[0]) * SCALE)
    depot = builder.add_depot(0, horizon)
    for _ in range(instance.n_vehicles if n_vehicles is None else n_vehicles):
        builder.add_vehicle(start_depot=depot, window=horizon, capacity=instance.capacity)
    for i in range(1, len(instance.x)):
        builder.add_job(
            i,
            service_s=int(instance.service[i]) * SCALE,
            windows=[(int(instance.ready[i]) * SCALE, int(instance.due[i]) * SCALE)],
            penalty=UNSERVED_PENALTY,
            demand=int(instance.demand[i]),
        )
    return builder.build()


def route_distance(problem: RoutingProblem, solution: Solution) -> int:
    """Total scaled distance of the solution's routes (depot to depot, empty routes 0)."""
    total = 0
    for route in solution.routes:
        if not route.stops:
            continue
        dist = problem.distance_for(route.vehicle)
        path = [
            int(problem.vehicle_start_node[route.vehicle]),
            *(s.node for s in route.stops),
            int(problem.vehicle_end_node[route.vehicle]),
        ]
        total += int(sum(dist[a, b] for a, b in itertools.pairwise(path)))
    return total


def capacity_violations(instance: VrptwInstance, solution: Solution) -> list[str]:
    """Routes whose load exceeds the instance's vehicle capacity (node i = customer i)."""
    found = []
    for route in solution.routes:
        load = int(sum(int(instance.demand[s.node]) for s in route.stops))
        if load > instance.capacity:
            found.append(f"vehicle {route.vehicle} carries {load} > capacity {instance.capacity}")
    return found


def read_routes(path: Path | str) -> tuple[list[list[int]], float | None]:
    """A CVRPLIB/DIMACS ``.sol`` file: the routes (customer numbers) and its ``Cost`` line."""
    path = Path(path)
    routes: list[list[int]] = []
    cost: float | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        try:
            if text.lower().startswith("route"):
                routes.append([int(f) for f in text.split(":", 1)[1].split()])
            elif text.lower().startswith("cost"):
                cost = float(text.split()[1])
        except (ValueError, IndexError) as exc:
            raise SolomonFormatError(f"{path}, line {number}: cannot read {text!r}") from exc
    return routes, cost


def solution_from_routes(problem: RoutingProblem, routes: list[list[int]]) -> Solution:
    """A :class:`Solution` serving ``routes`` (one per vehicle, in order) as early as possible.

    Used to check a published solution against the problem (and the checker against it).
    """
    from hjemmetjeneste.solver.problem import Route, RouteStop

    built: list[Route] = []
    for v in range(problem.n_vehicles):
        nodes = routes[v] if v < len(routes) else []
        travel = problem.travel_for(v)
        prev = int(problem.vehicle_start_node[v])
        depart = int(problem.vehicle_start_s[v])
        ready = depart
        stops = []
        for node in nodes:
            arrival = ready + int(travel[prev, node])
            start = max(arrival, int(problem.window_start_s[node]))
            stops.append(RouteStop(node=node, arrival_s=arrival, start_s=start))
            prev, ready = node, start + int(problem.service_s[node])
        back = ready + int(travel[prev, int(problem.vehicle_end_node[v])]) if stops else depart
        built.append(Route(vehicle=v, depart_s=depart, stops=tuple(stops), return_s=back))
    served = {n for r in routes for n in r}
    dropped = tuple(n for n in problem.job_nodes if n not in served)
    solution = Solution(tuple(built), dropped, 0, "given", 0.0)
    return Solution(solution.routes, dropped, route_distance(problem, solution), "given", 0.0)
