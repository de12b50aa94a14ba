"""Domain -> problem: turn a DayPlan and a travel source into a RoutingProblem.

Visits that no caregiver on shift could ever serve (nobody on shift, nobody qualified, or a
window that cannot be met inside the shift) are not handed to the solver; they come back as
``Prefiltered`` with the reason, so that every unplaced task is explained.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from hjemmetjeneste.domain import DayPlan, Priority, TravelMode, UnplacedReason, Visit
from hjemmetjeneste.solver.problem import RoutingProblem
from hjemmetjeneste.tasks import in_zone, local_datetime
from hjemmetjeneste.travel import TravelMatrix, TravelSource

# Cost of leaving a task undone, in the objective's unit (one second of travel). High enough
# that the solver drives many hours extra rather than drop one task; time-critical far higher.
DROP_PENALTY = {Priority.LOW: 30_000, Priority.NORMAL: 100_000, Priority.HIGH: 300_000}
TIME_CRITICAL_PENALTY = 3_000_000


@dataclass(frozen=True)
class Prefiltered:
    """A visit kept out of the solve, with the reason and a sentence for the planner."""

    visit: Visit
    reason: UnplacedReason
    explanation: str


@dataclass(frozen=True)
class IndexMap:
    """Converts between solver indices (``*_idx``) and domain ids (``*_id``).

    Node 0 is the base. ``job_visit[node]`` is the visit id a job node belongs to (None at the
    base); ``vehicle_staff[v]`` the staff id of vehicle v.
    """

    day_start: datetime
    zone: ZoneInfo
    job_visit: tuple[str | None, ...]
    vehicle_staff: tuple[str, ...]
    travel_modes: tuple[TravelMode, ...]

    def to_seconds(self, instant: datetime) -> int:
        """Whole seconds from the start of the plan day (real elapsed time)."""
        return int((instant - self.day_start).total_seconds())

    def to_instant(self, seconds: int) -> datetime:
        """The instant ``seconds`` after the start of the plan day, in local time."""
        return in_zone(self.day_start + timedelta(seconds=int(seconds)), self.zone)

    def clock(self, seconds: int) -> str:
        """Local wall-clock time (HH:MM) ``seconds`` after the start of the plan day."""
        return self.to_instant(seconds).strftime("%H:%M")


@dataclass(frozen=True)
class BuiltProblem:
    """The routing problem, its index map, and the visits left out before solving."""

    problem: RoutingProblem
    index: IndexMap
    prefiltered: tuple[Prefiltered, ...]


def build_problem(
    day_plan: DayPlan, travel: TravelSource, *, balance_weight: int = 0
) -> BuiltProblem:
    """Build the routing problem of one district's shift.

    Each caregiver leaves the base at shift start at the earliest and is back by shift end.
    A double-staffed visit becomes two jobs in one sync group.
    """
    zone = ZoneInfo(day_plan.municipality.timezone)
    day_start = local_datetime(day_plan.shift.date, time(0, 0), zone)
    staff = day_plan.staff
    modes = tuple(sorted({s.travel_mode for s in staff}, key=list(TravelMode).index))
    if not modes:
        modes = (TravelMode.CAR,)
    index = IndexMap(day_start, zone, (), tuple(s.staff_id for s in staff), modes)
    shift_start = index.to_seconds(day_plan.shift.start)
    shift_end = index.to_seconds(day_plan.shift.end)
    points = [day_plan.base.location]
    points += [day_plan.patient(v.patient_id).location for v in day_plan.visits]
    matrices = {mode: travel.matrix(points, mode) for mode in modes}

    prefiltered: list[Prefiltered] = []
    job_location: list[int] = [0]  # location index per node; node 0 is the base
    job_visit: list[str | None] = [None]
    service, win_start, win_end, penalty = [0], [shift_start], [shift_end], [-1]
    allowed: list[tuple[int, ...]] = [()]
    sync: list[tuple[int, int]] = []
    for loc, visit in enumerate(day_plan.visits, start=1):
        qualified = tuple(
            v
            for v, s in enumerate(staff)
            if s.qualifies_for(visit.required_competence, visit.required_skills)
        )
        service_s = visit.duration_min * 60
        start_s, end_s = index.to_seconds(visit.window_start), index.to_seconds(visit.window_end)
        reason = _reason_to_leave_out(
            index, day_plan, visit, qualified, matrices, (start_s, end_s), loc
        )
        if reason is not None:
            prefiltered.append(Prefiltered(visit, *reason))
            continue
        base_penalty = (
            TIME_CRITICAL_PENALTY if visit.time_critical else DROP_PENALTY[visit.priority]
        )
        first = len(service)
        for _ in range(visit.staff_count):
            job_location.append(loc)
            job_visit.append(visit.visit_id)
            service.append(service_s)
            win_start.append(max(start_s, shift_start))
            win_end.append(min(end_s, shift_end))
            penalty.append(base_penalty * len(visit.tasks))
            allowed.append(qualified)
        if visit.staff_count == 2:
            sync.append((first, first + 1))

    loc_idx = np.asarray(job_location, dtype=np.intp)
    pick = np.ix_(loc_idx, loc_idx)
    travel_s = tuple(matrices[m].duration_s[pick].astype(np.int64) for m in modes)
    distance_m = tuple(matrices[m].distance_m[pick].astype(np.int64) for m in modes)
    # A second caregiver at the same patient neither travels nor parks again.
    for t, d in zip(travel_s, distance_m, strict=True):
        same = loc_idx[:, None] == loc_idx[None, :]
        t[same] = 0
        d[same] = 0
    n_vehicles = len(staff)
    problem = RoutingProblem(
        travel_s=travel_s,
        distance_m=distance_m,
        service_s=np.asarray(service, dtype=np.int64),
        window_start_s=np.asarray(win_start, dtype=np.int64),
        window_end_s=np.asarray(win_end, dtype=np.int64),
        drop_penalty=np.asarray(penalty, dtype=np.int64),
        allowed_vehicles=tuple(allowed),
        vehicle_class=np.asarray([modes.index(s.travel_mode) for s in staff], dtype=np.int64),
        vehicle_start_node=np.zeros(n_vehicles, dtype=np.int64),
        vehicle_end_node=np.zeros(n_vehicles, dtype=np.int64),
        vehicle_start_s=np.full(n_vehicles, shift_start, dtype=np.int64),
        vehicle_end_s=np.full(n_vehicles, shift_end, dtype=np.int64),
        sync_groups=tuple(sync),
        balance_weight=balance_weight,
    )
    index = replace(index, job_visit=tuple(job_visit))
    return BuiltProblem(problem, index, tuple(prefiltered))


def _reason_to_leave_out(
    index: IndexMap,
    day_plan: DayPlan,
    visit: Visit,
    qualified: tuple[int, ...],
    matrices: dict[TravelMode, TravelMatrix],
    window_s: tuple[int, int],
    loc: int,
) -> tuple[UnplacedReason, str] | None:
    """Why no caregiver on shift could ever do this visit, or None when one might."""
    staff = day_plan.staff
    if not staff:
        return UnplacedReason.NO_STAFF_ON_SHIFT, "Nobody is rostered on this shift."
    if not qualified:
        skills = ", ".join(sorted(visit.required_skills)) or "no extra skills"
        return (
            UnplacedReason.NO_QUALIFIED_STAFF,
            f"No caregiver on shift has competence {visit.required_competence.value} "
            f"with {skills}.",
        )
    if len(qualified) < visit.staff_count:
        return (
            UnplacedReason.NOT_ENOUGH_QUALIFIED_STAFF,
            f"The visit needs {visit.staff_count} qualified caregivers at once; "
            f"only {len(qualified)} on shift.",
        )
    # Best case over the qualified caregivers' travel modes: straight from the base and back.
    out = min(int(matrices[staff[v].travel_mode].duration_s[0, loc]) for v in qualified)
    back = min(int(matrices[staff[v].travel_mode].duration_s[loc, 0]) for v in qualified)
    shift_start = index.to_seconds(day_plan.shift.start)
    shift_end = index.to_seconds(day_plan.shift.end)
    service_s = visit.duration_min * 60
    first_possible = shift_start + out
    last_possible = shift_end - back - service_s
    if max(window_s[0], first_possible) > min(window_s[1], last_possible):
        return (
            UnplacedReason.WINDOW_OUTSIDE_SHIFT,
            f"The window cannot be met inside the shift: the {visit.duration_min} min visit "
            f"must start between {index.clock(window_s[0])} and {index.clock(window_s[1])}, "
            f"but a caregiver can be there from {index.clock(first_possible)} at the "
            f"earliest and must start by {index.clock(last_possible)} to be back in time.",
        )
    return None
