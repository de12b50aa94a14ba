"""Staffing need (bemanningsbehov) per shift, found with the routing solver, not an hours ratio.

For each date and shift the district's visits are routed on a fixed work budget (the same
``solve()`` that plans the shift, a fixed seed and solution limit, so the answer repeats) with
synthetic caregivers:

1. **How many.** ``n`` fully qualified caregivers, ``n`` searched upward from a workload lower
   bound (galloping, then bisection): the need is the fewest that place every placeable task;
   the placed share with ``n - 1`` is reported beside it. A task is placeable when the search
   places it with the largest count tried (a window no shift can meet is not placeable, and
   is listed).
2. **Which competence and skills.** For each competence level above the lowest and each skill
   the shift's tasks require, the fewest ``k`` of the ``n`` that must hold it: ``k`` holders and
   ``n - k`` caregivers without it, ``k`` searched upward from its own lower bound.

The result is a lower bound the roster covers with real people; a real combination of people
may still need more (a roster is checked by planning its shifts, see docs/rostering.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from hjemmetjeneste.domain import (
    CompetenceLevel,
    DayPlan,
    GeoPoint,
    MunicipalityData,
    ShiftKind,
    Skill,
    Staff,
    TravelMode,
    Visit,
)
from hjemmetjeneste.errors import dates_out_of_order
from hjemmetjeneste.pipeline import defined_shift_kinds
from hjemmetjeneste.planning.to_problem import BuiltProblem, build_problem
from hjemmetjeneste.rostering.rules import ShiftNeed
from hjemmetjeneste.solver import SolveParams, solve
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource, TravelMatrix, TravelSource

SHIFT_ORDER = (ShiftKind.DAY, ShiftKind.EVENING, ShiftKind.NIGHT)
DEFAULT_BUDGET = SolveParams(time_limit_s=5.0, solution_limit=1, lns=False, seed=0)
"""The fixed work budget of one trial solve: OR-Tools' first plan (deterministic; 40 solutions
placed the same tasks on the demo's day shifts at twice the time); the time limit only guards
against a pathological day."""
_LEVELS = tuple(CompetenceLevel)


@dataclass(frozen=True)
class _Trial:
    placed_tasks: frozenset[str]
    route_needs: tuple[frozenset[CompetenceLevel | Skill], ...]
    """Per route, the qualifications its visits need."""


def _caregiver(
    data: MunicipalityData,
    district_id: str,
    index: int,
    competence: CompetenceLevel,
    skills: frozenset[Skill],
) -> Staff:
    return Staff(
        staff_id=f"need-{index:03d}",
        municipality_id=data.municipality.municipality_id,
        district_id=district_id,
        first_name=f"behov {index}",
        competence=competence,
        skills=skills,
        travel_mode=TravelMode.CAR,
    )


@dataclass
class _SameMatrix:
    """The travel source of one shift's trials: every trial routes the same places (the base
    and the visits; only the crew changes), so each mode's matrix is computed once, not once
    a trial (it was 12 % of the staffing time on the demo)."""

    inner: TravelSource
    last: dict[TravelMode, tuple[tuple[GeoPoint, ...], TravelMatrix]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.inner.name

    def matrix(self, points: Sequence[GeoPoint], mode: TravelMode) -> TravelMatrix:
        key = tuple(points)
        hit = self.last.get(mode)
        if hit is None or hit[0] != key:
            hit = self.last[mode] = (key, self.inner.matrix(points, mode))
        return hit[1]


@dataclass
class _Shift:
    """One shift's visits and the trial solves on it."""

    data: MunicipalityData
    district_id: str
    plan: DayPlan
    travel: TravelSource
    params: SolveParams
    solves: int = 0

    @property
    def skills(self) -> frozenset[Skill]:
        return frozenset(s for v in self.plan.visits for s in v.required_skills)

    @property
    def top(self) -> CompetenceLevel:
        return _LEVELS[-1]

    def crew(
        self, profiles: Sequence[tuple[CompetenceLevel, frozenset[Skill]]]
    ) -> tuple[Staff, ...]:
        return tuple(
            _caregiver(self.data, self.district_id, i, c, s) for i, (c, s) in enumerate(profiles)
        )

    def trial(self, crew: tuple[Staff, ...]) -> _Trial:
        plan = self.plan.model_copy(update={"staff": crew})
        built: BuiltProblem = build_problem(plan, self.travel)
        self.solves += 1
        solution = solve(built.problem, self.params)
        served = set(solution.served_by())
        dropped_visits = {
            built.index.job_visit[node] for node in built.problem.job_nodes if node not in served
        } | {p.visit.visit_id for p in built.prefiltered}
        visits = {v.visit_id: v for v in self.plan.visits}
        route_needs = tuple(
            frozenset(
                q
                for stop in route.stops
                for q in _required(visits[built.index.job_visit[stop.node] or ""])
            )
            for route in solution.routes
        )
        placed = frozenset(
            t.task_id for v in self.plan.visits if v.visit_id not in dropped_visits for t in v.tasks
        )
        return _Trial(placed, route_needs)

    def servable_tasks(self) -> frozenset[str]:
        """Tasks of the visits fully qualified caregivers could serve (not prefiltered); two of
        them, so that double-staffed visits count."""
        crew = self.crew([(self.top, self.skills)] * 2)
        plan = self.plan.model_copy(update={"staff": crew})
        left_out = {p.visit.visit_id for p in build_problem(plan, self.travel).prefiltered}
        return frozenset(
            t.task_id for v in self.plan.visits if v.visit_id not in left_out for t in v.tasks
        )

    def full(self, n: int) -> _Trial:
        return self.trial(self.crew([(self.top, self.skills)] * n))

    def workload_bound(self, visits: Sequence[Visit] | None = None) -> int:
        """Caregivers the visits' service time alone needs (2 with a double-staffed visit)."""
        chosen = self.plan.visits if visits is None else visits
        minutes = sum(v.duration_min * v.staff_count for v in chosen)
        length = (self.plan.shift.end - self.plan.shift.start).total_seconds() / 60
        pairs = any(v.staff_count > 1 for v in chosen)
        return max(2 if pairs else 1, math.ceil(minutes / length)) if chosen else 0


def _fewest_from(ok: Callable[[int], bool], guess: int, low: int, high: int) -> int:
    """The smallest n in [low, high] with ok(n), searching outward from ``guess``: down one at
    a time while ok, else up galloping and back by bisection. ``ok(high)`` is assumed."""
    n = min(max(guess, low), high)
    if ok(n):
        while n > low and ok(n - 1):
            n -= 1
        return n
    bad, step = n, 1
    while True:
        n = min(high, bad + step)
        if n == high or ok(n):
            break
        bad, step = n, step * 2
    lo, hi = bad + 1, n
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


GRADED_TRIALS = 3


def _graded_profiles(
    total: int,
    levels: dict[CompetenceLevel, int],
    skills: dict[Skill, int],
) -> list[tuple[CompetenceLevel, frozenset[Skill]]]:
    """``total`` caregivers, the first ``levels[L]`` of level L or higher (nested) and the
    first ``skills[S]`` holding skill S: the most qualified hold the skills."""
    profiles = []
    for i in range(total):
        level = _LEVELS[0]
        for lv, k in levels.items():
            if i < k and lv.rank > level.rank:
                level = lv
        held = frozenset(sk for sk, k in skills.items() if i < k)
        profiles.append((level, held))
    return profiles


def _required(v: Visit) -> set[CompetenceLevel | Skill]:
    """The qualifications (levels above the lowest, skills) a visit needs of its caregivers."""
    needs: set[CompetenceLevel | Skill] = set(v.required_skills)
    for t in v.tasks:
        needs |= t.second_staff_skills  # the second caregiver's role
        for level in (t.required_competence, t.second_staff_competence):
            if level is not None:
                needs |= {lv for lv in _LEVELS[1:] if lv.rank <= level.rank}
    return needs


def shift_need(
    data: MunicipalityData,
    day: date,
    shift: ShiftKind,
    district_id: str,
    *,
    travel: TravelSource | None = None,
    params: SolveParams = DEFAULT_BUDGET,
    hint: ShiftNeed | None = None,
) -> ShiftNeed:
    """The caregivers ``district_id``'s ``shift`` on ``day`` needs (module docstring).

    ``hint`` (the same shift of the day before) is where the count search starts.
    """
    plan = build_day_plan(data, day, shift, district_id)
    s = _Shift(data, district_id, plan, _SameMatrix(travel or GreatCircleSource()), params)
    all_tasks = frozenset(t.task_id for v in plan.visits for t in v.tasks)
    if not plan.visits:
        return ShiftNeed(day, shift, 0)
    low = s.workload_bound()
    guess = hint.total if hint is not None and hint.total > 0 else low
    most = sum(v.staff_count for v in plan.visits)
    trials: dict[int, _Trial] = {}

    def run(n: int) -> _Trial:
        if n not in trials:
            trials[n] = s.full(n)
        return trials[n]

    # Placeable: every task of a visit some caregiver could serve at all (not prefiltered);
    # when even a generous crew misses some, what that crew places. The generous crew is
    # only tried when the search reaches it (it is the dearest trial).
    placeable = s.servable_tasks()
    high = min(most, 2 * max(guess, low) + 2)
    total = _fewest_from(lambda n: placeable <= run(n).placed_tasks, guess, low, high)
    if not placeable <= run(total).placed_tasks:  # the search ended at high, which misses some
        placeable = run(high).placed_tasks
        total = _fewest_from(lambda n: placeable <= run(n).placed_tasks, guess, low, high)
    share = 1.0
    if total > 1 and placeable:
        if total - 1 not in trials:
            trials[total - 1] = s.full(total - 1)
        share = len(trials[total - 1].placed_tasks & placeable) / len(placeable)
    by_level, by_skill = _qualifications(s, plan, total, placeable, trials[total])
    return ShiftNeed(
        day=day,
        shift=shift,
        total=total,
        by_competence=by_level,
        by_skill=by_skill,
        tasks=len(all_tasks),
        placeable=len(placeable),
        placed_share_one_fewer=round(share, 4),
        unplaceable=tuple(sorted(all_tasks - placeable)),
    )


def _qualifications(
    s: _Shift,
    plan: DayPlan,
    total: int,
    placeable: frozenset[str],
    full: _Trial,
) -> tuple[dict[CompetenceLevel, int], dict[Skill, int]]:
    """How many of the ``total`` caregivers must hold each level and skill.

    Graded crews put holders of each qualification q at ``low_q + α (total - low_q)``
    (``low_q`` its workload bound) and bisect α over ``GRADED_TRIALS`` trials; the counts are
    then read off the best crew that placed every placeable task: the number of its routes
    that serve a visit needing q. That plan is the proof that so many holders suffice.
    """
    wanted: dict[CompetenceLevel | Skill, list[Visit]] = {}
    for v in plan.visits:
        for q in _required(v):
            wanted.setdefault(q, []).append(v)
    if not wanted or total == 0:
        return {}, {}
    low = {q: min(total, s.workload_bound(visits)) for q, visits in wanted.items()}
    best = full  # alpha = 1: everyone holds everything, known to place all
    lo, hi = 0.0, 1.0
    for _ in range(GRADED_TRIALS):
        alpha = (lo + hi) / 2
        counts = {q: low[q] + math.ceil(alpha * (total - low[q])) for q in wanted}
        levels = {q: k for q, k in counts.items() if isinstance(q, CompetenceLevel)}
        skills = {q: k for q, k in counts.items() if not isinstance(q, CompetenceLevel)}
        trial = s.trial(s.crew(_graded_profiles(total, levels, skills)))
        if placeable <= trial.placed_tasks:
            best, hi = trial, alpha
        else:
            lo = alpha
    used = {q: sum(q in needs for needs in best.route_needs) for q in wanted}
    return (
        {q: k for q, k in used.items() if isinstance(q, CompetenceLevel)},
        {q: k for q, k in used.items() if not isinstance(q, CompetenceLevel)},
    )


def staffing_need(
    data: MunicipalityData,
    first: date,
    last: date,
    district_id: str,
    *,
    shifts: Sequence[ShiftKind] | None = None,
    travel: TravelSource | None = None,
    params: SolveParams = DEFAULT_BUDGET,
    on_need: Callable[[ShiftNeed], None] | None = None,
) -> list[ShiftNeed]:
    """The need of every shift from ``first`` to ``last`` inclusive, in time order: of
    ``shifts``, by default every shift the municipality defines."""
    if shifts is None:
        shifts = defined_shift_kinds(data)
    if last < first:
        raise dates_out_of_order(first, last)
    travel = travel or GreatCircleSource()
    needs: list[ShiftNeed] = []
    last_of: dict[ShiftKind, ShiftNeed] = {}
    day = first
    while day <= last:
        for shift in (k for k in SHIFT_ORDER if k in shifts):
            need = shift_need(
                data, day, shift, district_id, travel=travel, params=params, hint=last_of.get(shift)
            )
            last_of[shift] = need
            needs.append(need)
            if on_need is not None:
                on_need(need)
        day += timedelta(days=1)
    return needs
