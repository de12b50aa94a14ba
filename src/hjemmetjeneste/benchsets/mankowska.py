"""Mankowska et al. (2014) home health care routing instances with interdependent services.

Format (``../shared/benchmarks/hhcrsp/SOURCES.md``): keyword sections ``nbNodes``, ``nbVehi``,
``nbServi``, ``r``, ``DS``, ``a``, ``x``, ``y``, ``d``, ``p``, ``mind``, ``maxd``, ``e``,
``l``. Node 0 is the start depot, node N−1 the end depot, nodes 1..N−2 patients.

Mapping onto the routing problem (all times in minutes × ``scale``, travel rounded up so that
a plan feasible here is feasible with the exact distances):

- one job per required (patient, service), allowed for the caregivers qualified for it
  (skills);
- a double-service patient with δmin = δmax = 0 is a synchronised pair (two caregivers start
  together); otherwise a precedence: the higher-numbered service starts δmin..δmax after the
  lower one;
- ``e`` is a hard earliest start, ``l`` a soft due time: starting later costs 1 per unit of
  tardiness (the solver minimises distance + total tardiness; Tmax is reported, not modelled);
- every job carries a prohibitive drop penalty: all must be served.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hjemmetjeneste.solver.model_builder import ProblemBuilder
from hjemmetjeneste.solver.problem import Route, RouteStop, RoutingProblem, Solution

MUST_SERVE_PENALTY = 10**9
_SECTIONS = ("nbNodes", "nbVehi", "nbServi", "r", "DS", "a", "x", "y", "d", "p")
_SECTIONS += ("mind", "maxd", "e", "l")


@dataclass(frozen=True)
class MankowskaInstance:
    """One instance as published: counts, requirements, qualifications, geometry, times."""

    name: str
    n_nodes: int
    n_vehicles: int
    n_services: int
    requires: np.ndarray  # N×S 0/1
    double: frozenset[int]  # patient nodes (0-based) needing two services
    qualified: np.ndarray  # K×S 0/1
    distance: np.ndarray  # N×N float minutes
    processing: np.ndarray  # N×K×S float minutes
    min_gap: np.ndarray  # N
    max_gap: np.ndarray  # N
    earliest: np.ndarray  # N
    due: np.ndarray  # N

    @property
    def patients(self) -> range:
        """Patient nodes 1..N−2."""
        return range(1, self.n_nodes - 1)

    def services_of(self, node: int) -> list[int]:
        """The services (0-based) patient ``node`` requires, in increasing order."""
        return [s for s in range(self.n_services) if self.requires[node, s]]


def _tokens(text: str) -> Iterator[str]:
    yield from text.split()


def read_mankowska(path: Path) -> MankowskaInstance:
    """Parse one instance file; ValueError naming the file and section when it is malformed."""
    text = path.read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for token in _tokens(text):
        if token in _SECTIONS:
            current = token
            sections[current] = []
        elif current is None:
            raise ValueError(f"{path}: value {token!r} before the first section keyword")
        else:
            sections[current].append(token)
    missing = [s for s in _SECTIONS if s not in sections]
    if missing:
        raise ValueError(f"{path}: missing section(s) {', '.join(missing)}")

    def numbers(name: str, count: int) -> np.ndarray:
        values = sections[name]
        if len(values) != count:
            raise ValueError(f"{path}: section {name} has {len(values)} values, expected {count}")
        try:
            return np.asarray([float(v) for v in values])
        except ValueError as exc:
            raise ValueError(f"{path}: section {name}: {exc}") from None

    n = int(numbers("nbNodes", 1)[0])
    k = int(numbers("nbVehi", 1)[0])
    s = int(numbers("nbServi", 1)[0])
    double = frozenset(int(v) - 1 for v in sections["DS"])
    if any(not 1 <= d <= n - 2 for d in double):
        raise ValueError(f"{path}: section DS names a node that is no patient")
    return MankowskaInstance(
        name=path.stem,
        n_nodes=n,
        n_vehicles=k,
        n_services=s,
        requires=numbers("r", n * s).reshape(n, s).astype(np.int64),
        double=double,
        qualified=numbers("a", k * s).reshape(k, s).astype(np.int64),
        distance=numbers("d", n * n).reshape(n, n),
        processing=numbers("p", n * k * s).reshape(n, k, s),
        min_gap=numbers("mind", n),
        max_gap=numbers("maxd", n),
        earliest=numbers("e", n),
        due=numbers("l", n),
    )


@dataclass(frozen=True)
class MankowskaProblem:
    """The routing problem of an instance and what each job node stands for."""

    instance: MankowskaInstance
    problem: RoutingProblem
    job_service: dict[int, tuple[int, int]]  # node -> (patient node, service)
    scale: int


def build_mankowska(instance: MankowskaInstance, scale: int = 100) -> MankowskaProblem:
    """The instance as a routing problem, through the same ProblemBuilder as home care."""
    inst, n = instance, instance.n_nodes
    travel = np.ceil(inst.distance * scale - 1e-6).astype(np.int64)
    # The start and end depot share coordinates; "same location" means same node here.
    builder = ProblemBuilder(zero_same_location=False)
    builder.add_travel_class(travel)
    horizon = int((max(inst.due.max(), inst.earliest.max()) + 24 * 60) * scale)
    start = builder.add_depot(0, (0, horizon))
    end = builder.add_depot(n - 1, (0, horizon))
    for _ in range(inst.n_vehicles):
        builder.add_vehicle(start_depot=start, end_depot=end, window=(0, horizon))
    job_service: dict[int, tuple[int, int]] = {}
    for patient in inst.patients:
        services = inst.services_of(patient)
        expected = 2 if patient in inst.double else 1
        if len(services) != expected:
            raise ValueError(
                f"{inst.name}: patient node {patient} requires {len(services)} services, "
                f"expected {expected}"
            )
        nodes = []
        for service in services:
            allowed = [k for k in range(inst.n_vehicles) if inst.qualified[k, service]]
            duration = max(float(inst.processing[patient, k, service]) for k in allowed or [0])
            node = builder.add_job(
                patient,
                service_s=math.ceil(duration * scale),
                windows=[(int(inst.earliest[patient] * scale), horizon)],
                penalty=MUST_SERVE_PENALTY,
                allowed=allowed,
                soft_end_s=int(inst.due[patient] * scale),
                lateness_cost=1,
            )
            job_service[node] = (patient, service)
            nodes.append(node)
        if len(nodes) == 2:
            lo, hi = inst.min_gap[patient], inst.max_gap[patient]
            if lo == 0 and hi == 0:
                builder.add_sync(nodes[0], nodes[1])
            else:
                builder.add_precedence(
                    nodes[0], nodes[1], math.ceil(lo * scale), math.floor(hi * scale)
                )
    return MankowskaProblem(inst, builder.build(), job_service, scale)


@dataclass(frozen=True)
class MankowskaScore:
    """A solution in Mankowska's units: distance D, total tardiness T, Tmax, and objective."""

    distance: float
    tardiness: float
    max_tardiness: float
    served: int
    jobs: int

    @property
    def objective(self) -> float:
        """(D + T + Tmax) / 3, the convention of Mankowska et al. and of bks.csv."""
        return (self.distance + self.tardiness + self.max_tardiness) / 3


def score_mankowska(built: MankowskaProblem, solution: Solution) -> MankowskaScore:
    """Score a solution with the instance's exact distances and due times."""
    inst, scale = built.instance, built.scale
    distance = 0.0
    tardiness: list[float] = []
    for route in solution.routes:
        if not route.stops:
            continue
        prev = 0
        for stop in route.stops:
            patient, _ = built.job_service[stop.node]
            distance += float(inst.distance[prev, patient])
            tardiness.append(max(0.0, stop.start_s / scale - float(inst.due[patient])))
            prev = patient
        distance += float(inst.distance[prev, inst.n_nodes - 1])
    return MankowskaScore(
        distance=distance,
        tardiness=sum(tardiness),
        max_tardiness=max(tardiness, default=0.0),
        served=len(tardiness),
        jobs=len(built.job_service),
    )


def plan_of(built: MankowskaProblem, solution: Solution) -> dict[str, object]:
    """``solution`` in the instance's own terms, for a second evaluator (or a later look):
    per caregiver the (patient node, service, start minute) of each stop in order, and the
    instance file's name. Starts are exact (the problem's time unit over ``scale``)."""
    return {
        "instance": built.instance.name,
        "routes": [
            [[*built.job_service[stop.node], stop.start_s / built.scale] for stop in route.stops]
            for route in solution.routes
        ],
    }


def solution_of(built: MankowskaProblem, plan: dict[str, object]) -> Solution:
    """The solution a :func:`plan_of` plan stands for in ``built``'s nodes (arrivals are
    the starts: the checker recomputes reachability from the previous stop)."""
    node_of = {job: node for node, job in built.job_service.items()}
    routes, served = [], set()
    for vehicle, stops in enumerate(plan["routes"]):  # type: ignore[arg-type]
        timed = []
        for patient, service, start in stops:
            node = node_of[(int(patient), int(service))]
            at = round(float(start) * built.scale)
            timed.append(RouteStop(node, at, at))
            served.add(node)
        end = timed[-1].start_s if timed else 0
        routes.append(Route(vehicle, 0, tuple(timed), end))
    dropped = tuple(n for n in built.problem.job_nodes if n not in served)
    return Solution(tuple(routes), dropped, 0, "from a stored plan", 0.0)
