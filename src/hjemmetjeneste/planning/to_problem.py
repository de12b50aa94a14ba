"""Domain -> problem: turn a DayPlan and a travel source into a RoutingProblem.

Everything goes through :class:`~hjemmetjeneste.solver.model_builder.ProblemBuilder`. Visits
that no caregiver on shift could ever serve (nobody on shift, nobody qualified, every
qualified caregiver refused, a pin that cannot hold, a window that cannot be met inside the
shift, a gap to an earlier shift's dose that leaves no time) are not handed to the solver;
they come back as ``Prefiltered`` with the reason and the facts behind it
(``KeptOutFacts``), which :mod:`hjemmetjeneste.planning.explain` words per task.

The opt-in rules (docs/constraints.md) come from the day plan's data: the municipality's
``PlanningRules`` (breaks, overtime, weights), the interventions' gap groups, soft windows,
second-caregiver competence and alternative windows, the patients' refusals, preferences
and language, the planner's pins and the history of published shifts (gaps across shifts,
continuity of care).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np

from hjemmetjeneste.domain import (
    CompetenceLevel,
    DayPlan,
    GeoPoint,
    PlanningRules,
    Priority,
    ServedTask,
    Skill,
    Staff,
    TravelMode,
    UnplacedReason,
    Visit,
)
from hjemmetjeneste.planning.history import caregivers_by_patient, last_doses
from hjemmetjeneste.solver.model_builder import ProblemBuilder
from hjemmetjeneste.solver.problem import BreakSpec, RoutingProblem
from hjemmetjeneste.tasks import in_zone, local_datetime
from hjemmetjeneste.travel import UNREACHABLE, TravelMatrix, TravelSource, travel_matrices
from hjemmetjeneste.travel.locations import LocationIssue

# Cost of leaving a task undone, in the objective's unit (one second of travel). High enough
# that the solver drives many hours extra rather than drop one task; time-critical far higher.
DROP_PENALTY = {Priority.LOW: 30_000, Priority.NORMAL: 100_000, Priority.HIGH: 300_000}
TIME_CRITICAL_PENALTY = 3_000_000
GAP_FILL_SHARE = 4
"""A caregiver new to the patient costs continuity_weight, less up to 1/GAP_FILL_SHARE of it
by the share of the roster's coming days of this shift kind that she works and none of the
patient's recent caregivers do."""


@dataclass(frozen=True)
class KeptOutFacts:
    """The numbers behind keeping a visit out of the solve (seconds from the plan day's
    start); :func:`hjemmetjeneste.planning.explain.kept_out_why` states them per task."""

    qualified: int = 0
    """Qualified caregivers on shift (all refused, or fewer than a double-staffed visit needs)."""
    modes: tuple[str, ...] = ()
    """Travel modes without a route between the base and the patient."""
    pinned_staff: str = ""
    """The staff id a visit is pinned to."""
    pinned_why: str = ""
    """Why that caregiver cannot take it: "absent", "refused" or "not_qualified"."""
    windows: tuple[tuple[int, int], ...] = ()
    """The visit's start windows."""
    bounds: tuple[int, int] = (0, 0)
    """The earliest and latest start the shift (and gaps to earlier doses) allow."""
    reachable: tuple[int, int] = (0, 0)
    """Earliest arrival from the base; latest start that still gets back by the shift's end."""
    gap: tuple[str, int, int, int | None] | None = None
    """Gap group, last dose (s), minimum and maximum gap (s) when an earlier dose bounds it."""
    location: tuple[float, float] | None = None
    """The patient's implausible coordinates (lat, lon) and why they cannot be right (the
    patient's issue, or the base's when the base's location is the one that is wrong)."""
    location_issue: LocationIssue | None = None


@dataclass(frozen=True)
class Prefiltered:
    """A visit kept out of the solve, with the reason and the facts behind it."""

    visit: Visit
    reason: UnplacedReason
    facts: KeptOutFacts = KeptOutFacts()


@dataclass(frozen=True)
class IndexMap:
    """Converts between solver indices (``*_idx``) and domain ids (``*_id``).

    The depots come first, one per place a caregiver's day starts or ends (the district's
    base first when anyone starts or ends there, then other bases and homes); then the jobs.
    ``job_visit[node]`` is the visit id a job node belongs to (None at a depot);
    ``vehicle_staff[v]`` the staff id of vehicle v.
    """

    day_start: datetime
    zone: ZoneInfo
    job_visit: tuple[str | None, ...]
    vehicle_staff: tuple[str, ...]
    travel_modes: tuple[TravelMode, ...]
    vehicle_names: tuple[str, ...] = ()

    def to_seconds(self, instant: datetime) -> int:
        """Whole seconds from the start of the plan day (real elapsed time)."""
        return int((instant - self.day_start).total_seconds())

    def to_instant(self, seconds: int) -> datetime:
        """The instant ``seconds`` after the start of the plan day, in local time."""
        return in_zone(self.day_start + timedelta(seconds=int(seconds)), self.zone)

    def clock(self, seconds: int) -> str:
        """Local wall-clock time (HH:MM) ``seconds`` after the start of the plan day."""
        return self.to_instant(seconds).strftime("%H:%M")

    def staff_label(self, vehicle: int) -> str:
        """How a planner knows the caregiver: first name and staff id."""
        if vehicle < len(self.vehicle_names):
            return f"{self.vehicle_names[vehicle]} ({self.vehicle_staff[vehicle]})"
        return self.vehicle_staff[vehicle]


@dataclass(frozen=True)
class BuiltProblem:
    """The routing problem, its index map, and the visits left out before solving."""

    problem: RoutingProblem
    index: IndexMap
    prefiltered: tuple[Prefiltered, ...]


def break_specs(
    rules: PlanningRules, shift_start_s: int, shift_end_s: int
) -> tuple[BreakSpec, ...]:
    """The breaks a caregiver on this shift must take under the municipality's break rule.

    None when the municipality has no break rule or the shift is no longer than
    ``min_shift_h`` (5.5 h in the Working Environment Act).
    """
    rule = rules.breaks
    length_s = shift_end_s - shift_start_s
    if rule is None or length_s <= rule.min_shift_h * 3600:
        return ()
    duration = rule.duration_min
    if length_s >= rule.long_shift_h * 3600:
        duration = max(duration, rule.long_duration_min)
    duration_s = duration * 60
    earliest = shift_start_s + rule.earliest_after_start_min * 60
    latest = shift_end_s - rule.latest_end_before_end_min * 60 - duration_s
    if latest < earliest:  # the window is too narrow for this shift: anywhere inside it
        earliest, latest = shift_start_s, shift_end_s - duration_s
    return (BreakSpec(earliest, latest, duration_s),)


def build_problem(
    day_plan: DayPlan,
    travel: TravelSource,
    *,
    balance_weight: int | None = None,
    implausible: Mapping[str, LocationIssue] | None = None,
) -> BuiltProblem:
    """Build the routing problem of one district's shift.

    ``implausible`` maps patient ids to why their coordinates cannot be right
    (:func:`hjemmetjeneste.travel.locations.location_issues`): their visits are kept out
    as ``implausible_location``.

    Each caregiver leaves where their day starts (the base, another base, home) at their
    own start at the earliest and is back where it ends by their own end (plus the
    municipality's overtime maximum); both default to the shift at the district's base.
    A double-staffed visit becomes two jobs in one sync group. ``balance_weight`` overrides
    the municipality's rule when given.
    """
    rules = day_plan.municipality.rules
    zone = ZoneInfo(day_plan.municipality.timezone)
    day_start = local_datetime(day_plan.shift.date, time(0, 0), zone)
    staff = day_plan.staff
    modes = tuple(sorted({s.travel_mode for s in staff}, key=list(TravelMode).index))
    if not modes:
        modes = (TravelMode.CAR,)
    index = IndexMap(
        day_start,
        zone,
        (),
        tuple(s.staff_id for s in staff),
        modes,
        tuple(s.first_name for s in staff),
    )
    shift_start = index.to_seconds(day_plan.shift.start)
    shift_end = index.to_seconds(day_plan.shift.end)
    days = [day_plan.day_of(s.staff_id) for s in staff]
    # Locations: the base, the patients, then every other place a day starts or ends.
    points = [day_plan.base.location]
    points += [day_plan.patient(v.patient_id).location for v in day_plan.visits]
    place_loc: dict[tuple[str, float, float], int] = {
        (day_plan.base.base_id, day_plan.base.location.lat, day_plan.base.location.lon): 0
    }
    for d in days:
        for place in (d.start_place, d.end_place):
            key = (place.place_id, place.location.lat, place.location.lon)
            if key not in place_loc:
                place_loc[key] = len(points)
                points.append(place.location)
    matrices = travel_matrices(travel, points, modes)

    builder = ProblemBuilder(
        balance_weight=rules.balance_weight if balance_weight is None else balance_weight,
        waiting_cost=rules.idle_cost_per_min / 60,  # a travel second costs 1: exact, not rounded
    )
    overtime_s = rules.overtime_max_min * 60
    hours = [(index.to_seconds(d.start), index.to_seconds(d.end)) for d in days]
    earliest_start = min((a for a, _ in hours), default=shift_start)
    latest_end = max((b for _, b in hours), default=shift_end)
    # Unreachable pairs: a time longer than the whole working day, never the sentinel itself.
    never_s = max(shift_end, latest_end) + overtime_s - min(shift_start, earliest_start) + 1
    for mode in modes:
        builder.add_travel_class(*_without_sentinel(matrices[mode], never_s))
    ends = [  # per vehicle: the locations its day starts and ends at
        (
            place_loc[(d.start_place.place_id, *_latlon(d.start_place.location))],
            place_loc[(d.end_place.place_id, *_latlon(d.end_place.location))],
        )
        for d in days
    ]
    # One depot node per place some day starts or ends at (a depot no vehicle uses would be
    # a stop the routing model must visit); the district's base keeps its shift window.
    depot_of = {
        loc: builder.add_depot(
            loc, (shift_start, shift_end) if loc == 0 else (earliest_start, latest_end + overtime_s)
        )
        for loc in sorted({loc for pair in ends for loc in pair} or {0})
    }
    for s, (start_s, end_s), (start_loc, end_loc) in zip(staff, hours, ends, strict=True):
        builder.add_vehicle(
            start_depot=depot_of[start_loc],
            end_depot=depot_of[end_loc],
            travel_class=modes.index(s.travel_mode),
            window=(start_s, end_s + overtime_s),
            soft_end_s=end_s if overtime_s else None,
            overtime_cost=_per_second(rules.overtime_cost_per_min) if overtime_s else 0,
            breaks=break_specs(rules, start_s, end_s),
        )

    context = _Context(
        day_plan,
        index,
        matrices,
        min(shift_start, earliest_start),
        max(shift_end, latest_end),
        rules,
        dict(implausible or {}),
        tuple(ends),
        tuple(hours),
    )
    prefiltered: list[Prefiltered] = []
    job_visit: list[str | None] = [None] * len(depot_of)
    group_jobs: dict[tuple[str, str], list[tuple[int, int, int, int | None]]] = defaultdict(list)
    for loc, visit in enumerate(day_plan.visits, start=1):
        plan = context.plan_visit(visit, loc)
        if isinstance(plan, Prefiltered):
            prefiltered.append(plan)
            continue
        first = None
        for k in range(visit.staff_count):
            node = builder.add_job(
                loc,
                service_s=visit.duration_min * 60,
                windows=plan.windows,
                penalty=plan.penalty,
                allowed=plan.allowed[k],
                refused=plan.refused,
                soft_end_s=plan.soft_end_s,
                lateness_cost=plan.lateness_cost,
                pinned_vehicle=plan.pinned_vehicle if k == 0 else None,
                pinned_start_s=plan.pinned_start_s,
                preference_cost=plan.preference,
            )
            job_visit.append(visit.visit_id)
            if first is None:
                first = node
            else:
                builder.add_sync(first, node)
        assert first is not None
        for group, min_s, max_s in plan.gap_groups:
            group_jobs[(visit.patient_id, group)].append((plan.windows[0][0], first, min_s, max_s))

    for jobs in group_jobs.values():
        jobs.sort()
        for (_, a, _, _), (_, b, min_s, max_s) in itertools.pairwise(jobs):
            builder.add_precedence(a, b, min_s, max_s)

    problem = builder.build()
    index = IndexMap(
        day_start, zone, tuple(job_visit), index.vehicle_staff, modes, index.vehicle_names
    )
    return BuiltProblem(problem, index, tuple(prefiltered))


def _latlon(point: GeoPoint) -> tuple[float, float]:
    return point.lat, point.lon


def _without_sentinel(matrix: TravelMatrix, never_s: int) -> tuple[np.ndarray, np.ndarray]:
    """Travel and distance with every UNREACHABLE pair set to ``never_s`` (infeasible): the
    matrices themselves when no pair is (no copy of a 1,650-place day's matrices), else
    copies (the source's matrices may be cached)."""
    unreachable = matrix.duration_s >= UNREACHABLE
    if not unreachable.any():
        return matrix.duration_s, matrix.distance_m
    travel = np.where(unreachable, never_s, matrix.duration_s)
    distance = np.where(unreachable, never_s, matrix.distance_m)
    return travel, distance


def _per_second(cost_per_min: int) -> int:
    """A cost per minute as a whole cost per second (at least 1 when the cost is on)."""
    return max(1, round(cost_per_min / 60)) if cost_per_min > 0 else 0


@dataclass(frozen=True)
class _VisitPlan:
    """How one visit enters the builder."""

    windows: tuple[tuple[int, int], ...]
    penalty: int
    allowed: tuple[tuple[int, ...], ...]  # per caregiver slot
    refused: tuple[int, ...]
    soft_end_s: int | None
    lateness_cost: int
    pinned_vehicle: int | None
    pinned_start_s: int | None
    preference: dict[int, int]
    gap_groups: tuple[tuple[str, int, int | None], ...]


@dataclass(frozen=True)
class _Context:
    day_plan: DayPlan
    index: IndexMap
    matrices: dict[TravelMode, TravelMatrix]
    shift_start: int
    shift_end: int
    rules: PlanningRules
    implausible: dict[str, LocationIssue]
    places: tuple[tuple[int, int], ...]
    """Per vehicle: the locations its day starts and ends at."""
    hours: tuple[tuple[int, int], ...]
    """Per vehicle: its own start and end (seconds of the plan day)."""

    @cached_property
    def _last_dose(self) -> dict[tuple[str, str], ServedTask]:
        """The latest served task per (patient, gap group) in the history."""
        return last_doses(self.day_plan.history)

    @cached_property
    def _ahead(self) -> dict[str, frozenset[int]]:
        """Per caregiver: the days ahead she works this shift kind (see DayPlan.rota_ahead)."""
        return {sid: frozenset(days) for sid, days in self.day_plan.rota_ahead}

    @cached_property
    def _days_ahead(self) -> frozenset[int]:
        """The days ahead on which anyone works this shift kind (the roster's known days)."""
        return frozenset().union(*self._ahead.values())

    @cached_property
    def _caregivers(self) -> dict[str, list[tuple[datetime, tuple[str, ...]]]]:
        """Per patient: (start, staff ids) of every served task in the history."""
        return caregivers_by_patient(self.day_plan.history)

    def plan_visit(self, visit: Visit, loc: int) -> _VisitPlan | Prefiltered:
        """The visit's jobs' data, or why it is left out."""
        dp, index, staff = self.day_plan, self.index, self.day_plan.staff
        patient = dp.patient(visit.patient_id)
        if visit.patient_id in self.implausible:
            loc_ = patient.location
            return Prefiltered(
                visit,
                UnplacedReason.IMPLAUSIBLE_LOCATION,
                KeptOutFacts(
                    location=(loc_.lat, loc_.lon),
                    location_issue=self.implausible[visit.patient_id],
                ),
            )
        if not staff:
            return Prefiltered(visit, UnplacedReason.NO_STAFF_ON_SHIFT)
        # Pins.
        task_ids = {t.task_id for t in visit.tasks}
        pins = [p for p in dp.pins if p.task_id in task_ids]
        pinned_vehicle = pinned_start = None
        for pin in pins:
            if pin.staff_id is not None:
                if pin.staff_id not in index.vehicle_staff:
                    return Prefiltered(
                        visit,
                        UnplacedReason.PIN_CONFLICT,
                        KeptOutFacts(pinned_staff=pin.staff_id, pinned_why="absent"),
                    )
                pinned_vehicle = index.vehicle_staff.index(pin.staff_id)
            if pin.start is not None:
                pinned_start = index.to_seconds(pin.start)
        # Competence: first caregiver meets the tasks' competence and skills; the second
        # either the same or, when the plan names a second role, that role's.
        first_ok = self._qualified(visit.required_competence, visit.required_skills)
        second_role = second_staff_role(visit)
        second_ok = first_ok if second_role is None else self._qualified(*second_role)
        refused = tuple(v for v, s in enumerate(staff) if s.staff_id in patient.refused_staff_ids)
        if not first_ok:
            return Prefiltered(visit, UnplacedReason.NO_QUALIFIED_STAFF)
        usable_first, usable_second = first_ok, second_ok
        if refused:
            usable_first = tuple(v for v in first_ok if v not in refused)
            usable_second = tuple(v for v in second_ok if v not in refused)
        if not usable_first:
            return Prefiltered(
                visit, UnplacedReason.ALL_REFUSED, KeptOutFacts(qualified=len(first_ok))
            )
        # Roads: only caregivers whose travel mode gets from the base to the patient and back.
        connected = self._roads[0][loc]
        if not all(connected):
            usable_first = tuple(v for v in usable_first if connected[v])
            usable_second = tuple(v for v in usable_second if connected[v])
        if not usable_first:
            modes = sorted({staff[v].travel_mode.value for v in first_ok if v not in refused})
            return Prefiltered(visit, UnplacedReason.UNREACHABLE, KeptOutFacts(modes=tuple(modes)))
        if visit.staff_count == 2 and len(set(usable_first) | set(usable_second)) < 2:
            return Prefiltered(
                visit,
                UnplacedReason.NOT_ENOUGH_QUALIFIED_STAFF,
                KeptOutFacts(qualified=len(set(usable_first) | set(usable_second))),
            )
        if pinned_vehicle is not None and pinned_vehicle not in usable_first:
            why = "refused" if pinned_vehicle in refused else "not_qualified"
            return Prefiltered(
                visit,
                UnplacedReason.PIN_CONFLICT,
                KeptOutFacts(pinned_staff=index.vehicle_staff[pinned_vehicle], pinned_why=why),
            )
        # Windows, soft end, gaps to earlier shifts.
        windows = _visit_windows(visit, index)
        hard_end = max(b for _, b in windows)
        allowance_s = min(t.late_allowance_min for t in visit.tasks) * 60
        soft_end = None
        if allowance_s:
            soft_end = hard_end
            windows = (*windows[:-1], (windows[-1][0], windows[-1][1] + allowance_s))
        gap_groups, earliest, latest, gap = self._gaps(visit)
        if pinned_start is not None:
            windows = ((pinned_start, pinned_start),)
        bounds = (max(self.shift_start, earliest), min(self.shift_end, latest))
        clipped = _clip(windows, *bounds)
        reachable = self._reachable(visit, loc, usable_first)
        feasible = _clip(clipped, reachable[0], reachable[1])
        if not feasible:
            facts = KeptOutFacts(windows=windows, bounds=bounds, reachable=reachable, gap=gap)
            if gap is not None and _clip(windows, self.shift_start, self.shift_end):
                return Prefiltered(visit, UnplacedReason.GAP_RULE, facts)
            return Prefiltered(visit, UnplacedReason.WINDOW_OUTSIDE_SHIFT, facts)
        penalty = (
            TIME_CRITICAL_PENALTY if visit.time_critical or pins else DROP_PENALTY[visit.priority]
        ) * len(visit.tasks)
        return _VisitPlan(
            windows=feasible,
            penalty=penalty,
            allowed=(usable_first, usable_second),
            refused=refused,
            soft_end_s=soft_end,
            lateness_cost=_per_second(self.rules.lateness_cost_per_min) if soft_end else 0,
            pinned_vehicle=pinned_vehicle,
            pinned_start_s=pinned_start,
            preference=self._preference(visit),
            gap_groups=gap_groups,
        )

    def _gaps(
        self, visit: Visit
    ) -> tuple[
        tuple[tuple[str, int, int | None], ...], int, int, tuple[str, int, int, int | None] | None
    ]:
        """Gap groups of the visit, and the bounds earlier shifts' doses put on its start."""
        groups: dict[str, tuple[int, int | None]] = {}
        for t in visit.tasks:
            if t.gap_group is None:
                continue
            lo, hi = groups.get(t.gap_group, (0, None))
            lo = max(lo, t.min_gap_min * 60)
            if t.max_gap_min is not None:
                hi = t.max_gap_min * 60 if hi is None else min(hi, t.max_gap_min * 60)
            groups[t.gap_group] = (lo, hi)
        earliest, latest = -(10**9), 10**9
        gap: tuple[str, int, int, int | None] | None = None
        for group, (lo, hi) in groups.items():
            last = self._last_dose.get((visit.patient_id, group))
            if last is None:
                continue
            at = self.index.to_seconds(last.start)
            earliest = max(earliest, at + lo)
            if hi is not None:
                latest = min(latest, at + hi)
            gap = (group, at, lo, hi)
        return tuple((g, lo, hi) for g, (lo, hi) in groups.items()), earliest, latest, gap

    @cached_property
    def _roads(self) -> tuple[list[list[bool]], np.ndarray, np.ndarray]:
        """Per location and vehicle, computed once for all visits: whether the caregiver's
        travel mode gets from where her day starts to the location and on to where it ends
        (a list per location), her earliest arrival there and her latest departure from
        there that gets her back in time (arrays vehicle × location)."""
        staff = self.day_plan.staff
        overtime_s = self.rules.overtime_max_min * 60
        size = next(iter(self.matrices.values())).duration_s.shape[0]
        connected = np.zeros((len(staff), size), dtype=np.bool_)
        out = np.zeros((len(staff), size), dtype=np.int64)
        back = np.zeros((len(staff), size), dtype=np.int64)
        for v, s in enumerate(staff):
            matrix = self.matrices[s.travel_mode].duration_s
            start, end = self.places[v]
            connected[v] = (matrix[start, :] < UNREACHABLE) & (matrix[:, end] < UNREACHABLE)
            out[v] = self.hours[v][0] + matrix[start, :].astype(np.int64)
            back[v] = self.hours[v][1] + overtime_s - matrix[:, end].astype(np.int64)
        return connected.T.tolist(), out, back

    def _reachable(self, visit: Visit, loc: int, candidates: tuple[int, ...]) -> tuple[int, int]:
        """Earliest arrival and latest start that still gets a caregiver back in time."""
        _, out, back = self._roads
        chosen = list(candidates)
        earliest = int(out[chosen, loc].min())
        return earliest, int(back[chosen, loc].max()) - visit.duration_min * 60

    def _qualified(self, competence: CompetenceLevel, skills: frozenset) -> tuple[int, ...]:
        """The vehicles whose caregivers meet ``competence`` and ``skills`` (one answer per
        requirement: most visits of a day share a few)."""
        key = (competence, skills)
        if key not in self._qualified_memo:
            self._qualified_memo[key] = _qualified(self.day_plan.staff, competence, skills)
        return self._qualified_memo[key]

    @cached_property
    def _qualified_memo(self) -> dict[tuple[CompetenceLevel, frozenset], tuple[int, ...]]:
        return {}

    def _preference(self, visit: Visit) -> dict[int, int]:
        """Cost per caregiver: new to the patient, not preferred, without the language.

        Continuity of care: the patient's caregivers of the last ``continuity_days`` are
        free. Before she has any, her care team and primary contact are free too and anyone
        else costs ``continuity_weight`` (a first visit comes from the team; nothing while
        she has neither a team nor a history). Once she has, every caregiver new to her
        costs the weight, team member or not — each is one more distinct caregiver — less
        up to a quarter of it for one who works the coming days of this shift kind that her
        recent caregivers do not (the roster ahead, ``DayPlan.rota_ahead``): the new
        caregiver she will see again when hers are off.
        """
        dp, rules = self.day_plan, self.rules
        patient = dp.patient(visit.patient_id)
        since = dp.shift.start - timedelta(days=rules.continuity_days)
        recent = frozenset(
            sid
            for start, staff_ids in self._caregivers.get(patient.patient_id, ())
            if start >= since
            for sid in staff_ids
        )
        team = patient.care_team_ids | frozenset(filter(None, (patient.primary_contact_id,)))
        known = (recent or team) if rules.continuity_weight else frozenset()
        uncovered = self._days_ahead.difference(*(self._ahead.get(sid, ()) for sid in recent))
        cost: dict[int, int] = {}
        on_shift = {s.staff_id for s in dp.staff}
        for v, s in enumerate(dp.staff):
            c = 0
            if known and s.staff_id not in known:
                c += rules.continuity_weight
                if recent and uncovered:
                    fills = len(self._ahead.get(s.staff_id, frozenset()) & uncovered)
                    c -= rules.continuity_weight * fills // (GAP_FILL_SHARE * len(uncovered))
            if patient.preferred_staff_ids and s.staff_id not in patient.preferred_staff_ids:
                c += rules.preference_weight
            if patient.language is not None and patient.language not in s.skills:
                c += rules.language_weight
            if patient.primary_contact_id in on_shift and s.staff_id != patient.primary_contact_id:
                c += rules.primary_contact_weight
            if c:
                cost[v] = c
        return cost


def _qualified(
    staff: tuple[Staff, ...], competence: CompetenceLevel, skills: frozenset
) -> tuple[int, ...]:
    return tuple(v for v, s in enumerate(staff) if s.qualifies_for(competence, skills))


def second_staff_role(visit: Visit) -> tuple[CompetenceLevel, frozenset[Skill]] | None:
    """The second caregiver's role (level and skills) when every task of a double-staffed
    visit names one; None when both caregivers need the visit's full competence."""
    levels = [t.second_staff_competence for t in visit.tasks]
    if visit.staff_count != 2 or any(level is None for level in levels):
        return None
    level = max((lv for lv in levels if lv is not None), key=lambda c: c.rank)
    return level, frozenset().union(*(t.second_staff_skills for t in visit.tasks))


def _visit_windows(visit: Visit, index: IndexMap) -> tuple[tuple[int, int], ...]:
    """The visit's start windows in seconds: its tasks' alternative windows, intersected."""
    start, end = index.to_seconds(visit.window_start), index.to_seconds(visit.window_end)
    windows = [(start, end)]
    for t in visit.tasks:
        if t.alternative_windows:
            alts = [(index.to_seconds(a), index.to_seconds(b)) for a, b in t.alternative_windows]
            windows = [
                (max(a, c), min(b, d))
                for a, b in windows
                for c, d in alts
                if max(a, c) <= min(b, d)
            ]
    return tuple(sorted(windows)) or ((start, end),)


def _clip(windows: tuple[tuple[int, int], ...], lo: int, hi: int) -> tuple[tuple[int, int], ...]:
    """The windows cut to [lo, hi]; empty ones dropped."""
    return tuple((max(a, lo), min(b, hi)) for a, b in windows if max(a, lo) <= min(b, hi))
