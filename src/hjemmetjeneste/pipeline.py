"""The one module that chains the stages: export -> tasks -> problem -> solve -> worklists.

The CLI, the API's job runner and the benchmarks all call :func:`plan_shift`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hjemmetjeneste.domain import MunicipalityData, PlanResult, ShiftKind
from hjemmetjeneste.importers import read_export
from hjemmetjeneste.solver import SolveParams, Violation, check_solution, solve
from hjemmetjeneste.solver.build import build_problem
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource, TravelSource
from hjemmetjeneste.worklists import assemble

ProgressCallback = Callable[[int, float], None]


@dataclass(frozen=True)
class PlanOutcome:
    """A planned shift, the checker's verdict on it, and how long each stage took."""

    result: PlanResult
    violations: tuple[Violation, ...]
    stage_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Stopwatch:
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 4)


def load_export(path: Path) -> MunicipalityData:
    """Read a municipality export folder (canonical CSV format)."""
    return read_export(path)


def default_district(data: MunicipalityData) -> str:
    """The only district of ``data``; ValueError when there are several to choose from."""
    if len(data.districts) != 1:
        ids = ", ".join(d.district_id for d in data.districts)
        raise ValueError(f"the export has several districts ({ids}); name one")
    return data.districts[0].district_id


def plan_shift(
    data: MunicipalityData,
    day: date,
    shift: ShiftKind,
    district_id: str | None = None,
    *,
    travel: TravelSource | None = None,
    params: SolveParams | None = None,
    on_progress: ProgressCallback | None = None,
) -> PlanOutcome:
    """Plan one district's shift end to end and re-check the plan without OR-Tools."""
    watch = _Stopwatch()
    district_id = district_id or default_district(data)
    with watch.stage("tasks"):
        day_plan = build_day_plan(data, day, shift, district_id)
    with watch.stage("build"):
        built = build_problem(day_plan, travel or GreatCircleSource())
    with watch.stage("solve"):
        solution = solve(built.problem, params, on_progress)
    with watch.stage("check"):
        violations = tuple(check_solution(built.problem, solution))
    with watch.stage("worklists"):
        result = assemble(day_plan, built, solution)
    return PlanOutcome(result=result, violations=violations, stage_seconds=watch.seconds)
