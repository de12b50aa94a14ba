"""The one module that chains the stages: export -> tasks -> problem -> solve -> worklists.

The CLI, the API's job runner and the benchmarks all call :func:`plan_shift`;
:func:`plan_range` plans a date range shift by shift, each seeing the ones before it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from hjemmetjeneste.domain import (
    CareHistory,
    DayPlan,
    MunicipalityData,
    Patient,
    Pin,
    PlanResult,
    ServedTask,
    ShiftKind,
    UnplacedTask,
)
from hjemmetjeneste.domain.events import Event, VisitChange
from hjemmetjeneste.errors import Phrase, PlanRequestError, dates_out_of_order
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.planning import assemble
from hjemmetjeneste.planning.assemble import outside_every_shift_tasks
from hjemmetjeneste.planning.day_events import (
    apply_events,
    cancelled_tasks,
    carried_cancellations,
)
from hjemmetjeneste.planning.history import served_tasks
from hjemmetjeneste.planning.replan import (
    HOLD_MIN,
    TOLERANCE_MIN,
    CancelledTask,
    apply_discharges,
    by_nurse,
    by_patient,
    freeze,
    kept_solution,
    prepare,
    visit_changes,
)
from hjemmetjeneste.planning.to_problem import BuiltProblem, build_problem
from hjemmetjeneste.planning.verify import PlanViolation, verify_plan
from hjemmetjeneste.planning.warmstart import STABILITY_WEIGHT, initial_routes, with_stability
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.solver import (
    SolveParams,
    Violation,
    check_solution,
    solve,
    solve_from_routes,
)
from hjemmetjeneste.tasks import build_day_plan, outside_every_shift
from hjemmetjeneste.travel import GreatCircleSource, TravelSource
from hjemmetjeneste.travel.locations import DEFAULT_MAX_KM, LocationIssue, location_issues

ProgressCallback = Callable[[int, float], None]
Adjust = Callable[[BuiltProblem], tuple[BuiltProblem, list[list[int]]]]

MIN_SEARCH_S = 0.5
"""The least search a deadline leaves (OR-Tools' first plan needs a moment)."""


@dataclass(frozen=True)
class PlanOutcome:
    """A planned shift, the checker's verdict on it, and how long each stage took."""

    result: PlanResult
    violations: tuple[Violation, ...]
    stage_seconds: dict[str, float] = field(default_factory=dict)
    warm_start: str = "none"  # "used", "rejected" or "none" (see plan_shift's ``previous``)
    stage_cpu_seconds: dict[str, float] = field(default_factory=dict)
    """CPU seconds of this process per stage: on a loaded machine, the better estimate."""


@dataclass
class _Stopwatch:
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 4)
            self.cpu_seconds[name] = round(time.process_time() - cpu, 4)


def load_export(path: Path, settings: Settings | None = None) -> MunicipalityData:
    """Read a municipality export in any format ``import`` accepts (CSV in any accepted
    encoding and separator, Parquet, Excel, FHIR); ``settings`` give the geocoder."""
    return read_export(path, settings=settings)


def load_from_store(database_url: str, municipality_id: str | None = None) -> MunicipalityData:
    """The municipality's current data from the store (the only one when no id is given)."""
    from hjemmetjeneste.store import open_store

    store = open_store(database_url)
    try:
        return store.load_municipality(municipality_id)
    finally:
        store.close()


def stored_pins(
    database_url: str, municipality_id: str, shifts: Iterable[tuple[str, date, ShiftKind]]
) -> tuple[Pin, ...]:
    """The planner's pins kept in the store for the given (district, date, shift) triples."""
    from hjemmetjeneste.store import open_store
    from hjemmetjeneste.store.runs import list_pins

    store = open_store(database_url)
    try:
        return tuple(
            Pin(task_id=p.task_id, staff_id=p.staff_id, start=p.start)
            for district_id, day, shift in dict.fromkeys(shifts)
            for p in list_pins(
                store.engine,
                municipality_id,
                district_id=district_id,
                plan_date=day,
                shift=shift.value,
            )
        )
    finally:
        store.close()


def stored_events(database_url: str, municipality_id: str) -> dict[str, Event]:
    """The municipality's applied events in the store (id -> event): what a plan from the
    store takes into account, as the API's plan runs do."""
    from hjemmetjeneste.store import open_store
    from hjemmetjeneste.store.events import applied_events

    store = open_store(database_url)
    try:
        return applied_events(store.engine, municipality_id)
    finally:
        store.close()


def default_district(data: MunicipalityData) -> str:
    """The only district of ``data``; ValueError when there are several to choose from."""
    if len(data.districts) != 1:
        ids = ", ".join(d.district_id for d in data.districts)
        raise PlanRequestError(
            Phrase.of(N_("the export has several districts ({ids}); name one"), ids=ids)
        )
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
    pins: tuple[Pin, ...] = (),
    history: CareHistory | None = None,
    previous: PlanResult | None = None,
    stability_weight: int = STABILITY_WEIGHT,
    location_max_km: float | None = DEFAULT_MAX_KM,
    deadline: float | None = None,
    events: Mapping[str, Event] | None = None,
) -> PlanOutcome:
    """Plan one district's shift end to end and re-check the plan without OR-Tools.

    ``pins`` are the planner's locked visits; ``history`` what published earlier shifts did
    (gaps across shifts, continuity of care; see :func:`plan_range`). ``previous`` is an
    earlier plan of the same shift (re-planning after a sick call): the search starts from
    its worklists, matched by staff and visit ids, and inserts what is missing; moving one of
    its visits to another caregiver costs ``stability_weight`` (0: only a starting point).
    A patient whose coordinates cannot be right (outside Norway, swapped, farther than
    ``location_max_km`` from the base) is unplaced as ``implausible_location``; None turns
    the check off (a district on a foreign test map).
    ``deadline`` (a ``time.monotonic()`` instant) shortens the search so that the plan is
    ready by then: reading and building count against the caller's time limit.
    ``events`` (id -> event, the applied ones) reach this plan as they would a re-plan:
    discharges change the care plans, a paused patient's visits are listed in
    ``PlanResult.cancelled`` with the event's id, an absent caregiver is off the shift or
    her hours cut, an emergency of the shift is added (:mod:`hjemmetjeneste.planning.day_events`).
    """
    watch = _Stopwatch()
    district_id = district_id or default_district(data)
    applied = None
    with watch.stage("tasks"):
        if events:
            data = apply_discharges(data, events)
        day_plan = build_day_plan(data, day, shift, district_id, pins=pins, history=history)
        if events:
            district = [p for p in data.patients if p.district_id == district_id]
            applied = apply_events(day_plan, events, patients=district)
            day_plan = applied.day_plan
        outside = outside_every_shift(data, day, district_id)
    implausible = (
        {} if location_max_km is None else _implausible_patients(data, district_id, location_max_km)
    )
    outcome = plan_day_plan(
        day_plan,
        travel=travel,
        params=params,
        on_progress=on_progress,
        previous=previous,
        stability_weight=stability_weight,
        implausible=implausible,
        outside=outside_every_shift_tasks(data.municipality, data.patients, outside),
        deadline=deadline,
        _watch=watch,
    )
    if applied is None or not applied.cancelled:
        return outcome
    result = outcome.result.model_copy(update={"cancelled": applied.cancelled})
    return replace(outcome, result=result)


def plan_day_plan(
    day_plan: DayPlan,
    *,
    travel: TravelSource | None = None,
    params: SolveParams | None = None,
    on_progress: ProgressCallback | None = None,
    previous: PlanResult | None = None,
    stability_weight: int = STABILITY_WEIGHT,
    implausible: dict[str, LocationIssue] | None = None,
    outside: tuple[UnplacedTask, ...] = (),
    deadline: float | None = None,
    adjust: Adjust | None = None,
    _watch: _Stopwatch | None = None,
) -> PlanOutcome:
    """Plan an already built day plan: the stages of :func:`plan_shift` after ``tasks``.

    For callers that change the day plan first (staff lending adds a neighbour's visits).
    ``implausible`` (patient id -> why) and ``outside`` (tasks no defined shift covers) are
    what :func:`plan_shift` found in the municipality's data around the day plan.
    ``adjust`` (instead of ``previous``) edits the built problem and gives the initial
    routes: the minimal-change re-plan's freezing (:func:`replan_day`); the search then
    starts from those routes without a first plan (:func:`~hjemmetjeneste.solver.solve.
    solve_from_routes`).
    """
    watch = _watch or _Stopwatch()
    with watch.stage("build"):
        built = build_problem(
            day_plan, travel or GreatCircleSource(), implausible=implausible or {}
        )
    problem, routes = built.problem, None
    if previous is not None:
        with watch.stage("start"):
            routes = initial_routes(day_plan, built, previous)
            problem = with_stability(problem, routes, stability_weight)
            built = replace(built, problem=problem)
    elif adjust is not None:
        with watch.stage("start"):
            built, routes = adjust(built)
            problem = built.problem
    if deadline is not None:
        params = params or SolveParams()
        left = max(MIN_SEARCH_S, deadline - time.monotonic())
        params = params.model_copy(update={"time_limit_s": min(params.time_limit_s, left)})
    with watch.stage("solve"):
        if adjust is not None and routes is not None:
            # A re-plan: the adjusted previous plan is feasible, no first plan is needed.
            solution = solve_from_routes(problem, routes, params, on_progress)
        else:
            solution = solve(problem, params, on_progress, routes)
    with watch.stage("check"):
        violations = tuple(check_solution(built.problem, solution))
    with watch.stage("worklists"):
        result = assemble(day_plan, built, solution)
        if outside:
            result = result.model_copy(update={"outside_every_shift": outside})
    return PlanOutcome(
        result=result,
        violations=violations,
        stage_seconds=watch.seconds,
        warm_start=solution.warm_start,
        stage_cpu_seconds=watch.cpu_seconds,
    )


@dataclass(frozen=True)
class ReplanOutcome:
    """A minimal-change re-plan: the new plan, the changes per visit, what events cancelled."""

    outcome: PlanOutcome
    previous: PlanResult
    changes: tuple[VisitChange, ...]
    cancelled: tuple[CancelledTask, ...]
    frozen: frozenset[str]
    added: tuple[str, ...]

    @property
    def result(self) -> PlanResult:
        """The new plan."""
        return self.outcome.result

    def by_nurse(self) -> dict[str, list[VisitChange]]:
        """The changes per caregiver (before and after)."""
        return by_nurse(self.changes)

    def by_patient(self) -> dict[str, list[VisitChange]]:
        """The changes per patient."""
        return by_patient(self.changes)


def replan_day(
    day_plan: DayPlan,
    previous: PlanResult,
    now: datetime,
    events: Mapping[str, Event],
    *,
    started: Collection[str] = (),
    patients: Iterable[Patient] = (),
    travel: TravelSource | None = None,
    params: SolveParams | None = None,
    stability_weight: int = STABILITY_WEIGHT,
    tolerance_min: int = TOLERANCE_MIN,
    hold_min: int | None = HOLD_MIN,
    implausible: dict[str, LocationIssue] | None = None,
    outside: tuple[UnplacedTask, ...] = (),
    deadline: float | None = None,
) -> ReplanOutcome:
    """Re-plan ``day_plan``'s shift from ``now`` after ``events`` (id -> event), warm from
    the published ``previous`` plan, changing as little as it can.

    Started, done (``started``: visit ids) and earlier visits stay as they were; paused
    patients' visits are cancelled (listed with the event), emergencies added, absent
    caregivers get nothing more; moving a visit to another caregiver costs
    ``stability_weight`` and the other visits start within ``hold_min`` of their planned
    start (see :mod:`hjemmetjeneste.planning.replan`).
    """
    watch = _Stopwatch()
    with watch.stage("prepare"):
        prepared = prepare(day_plan, previous, now, events, started=started, patients=patients)
    made: list[tuple[BuiltProblem, list[list[int]]]] = []

    def adjust(built: BuiltProblem) -> tuple[BuiltProblem, list[list[int]]]:
        made.append(freeze(prepared, previous, built, stability_weight, hold_min))
        return made[-1]

    outcome = plan_day_plan(
        prepared.day_plan,
        travel=travel,
        params=params,
        implausible=implausible,
        outside=outside,
        deadline=deadline,
        adjust=adjust,
        _watch=watch,
    )
    if outcome.warm_start != "used" and made:
        # The search never started from the routes (out of time, on a loaded machine): keep
        # them as they were rather than a cold plan that moves everything or places nothing.
        built, routes = made[-1]
        kept = kept_solution(built, routes, previous, f"kept: {outcome.result.solver_status}")
        result = assemble(prepared.day_plan, built, kept)
        if outcome.result.outside_every_shift:
            result = result.model_copy(
                update={"outside_every_shift": outcome.result.outside_every_shift}
            )
        outcome = PlanOutcome(
            result,
            tuple(check_solution(built.problem, kept)),
            outcome.stage_seconds,
            "kept",
            outcome.stage_cpu_seconds,
        )
    with watch.stage("changes"):  # the outcome's stage dicts are the watch's own
        changes = visit_changes(previous, outcome.result, prepared.cancelled, tolerance_min)
    return ReplanOutcome(
        outcome, previous, changes, prepared.cancelled, prepared.frozen, prepared.added
    )


def replan_shift(
    data: MunicipalityData,
    previous: PlanResult,
    now: datetime,
    events: Mapping[str, Event],
    *,
    started: Collection[str] = (),
    travel: TravelSource | None = None,
    params: SolveParams | None = None,
    pins: tuple[Pin, ...] = (),
    history: CareHistory | None = None,
    stability_weight: int = STABILITY_WEIGHT,
    tolerance_min: int = TOLERANCE_MIN,
    hold_min: int | None = HOLD_MIN,
    location_max_km: float | None = DEFAULT_MAX_KM,
    deadline: float | None = None,
) -> ReplanOutcome:
    """:func:`replan_day` of ``previous``'s shift built from ``data``, with the discharges
    among ``events`` applied to the care plans first (their interventions reach the shift
    through the normal task generation)."""
    data = apply_discharges(data, events)
    district_id, day = previous.district_id, previous.date
    day_plan = build_day_plan(data, day, previous.shift, district_id, pins=pins, history=history)
    outside = outside_every_shift(data, day, district_id)
    return replan_day(
        day_plan,
        previous,
        now,
        events,
        started=started,
        patients=[p for p in data.patients if p.district_id == district_id],
        travel=travel,
        params=params,
        stability_weight=stability_weight,
        tolerance_min=tolerance_min,
        hold_min=hold_min,
        implausible=(
            {}
            if location_max_km is None
            else _implausible_patients(data, district_id, location_max_km)
        ),
        outside=outside_every_shift_tasks(data.municipality, data.patients, outside),
        deadline=deadline,
    )


def listing_cancelled(
    again: ReplanOutcome, data: MunicipalityData, events: Mapping[str, Event]
) -> ReplanOutcome:
    """``again`` with its cancelled tasks listed in the new plan (``PlanResult.cancelled``,
    as a first plan lists them): details from the previous plan, or (a task it did not hold)
    from the shift's day plan with the discharges applied."""
    found, missing = carried_cancellations(again.previous, again.cancelled)
    if missing:
        previous = again.previous
        day_plan = build_day_plan(
            apply_discharges(data, events),
            previous.date,
            previous.shift,
            previous.district_id,
        )
        visits = {v.visit_id: v for v in day_plan.visits}
        for c in missing:
            tasks = cancelled_tasks(visits[c.visit_id], c.event_id) if c.visit_id in visits else ()
            found += tuple(t for t in tasks if t.task_id == c.task_id)
    if not found:
        return again
    result = again.outcome.result.model_copy(update={"cancelled": found})
    return replace(again, outcome=replace(again.outcome, result=result))


def _implausible_patients(
    data: MunicipalityData, district_id: str, max_km: float
) -> dict[str, LocationIssue]:
    """Patient id -> why their location cannot be right; every patient of the district gets
    the base's issue when its base's location cannot be right (no travel time from there
    would be true)."""
    issues = [i for i in location_issues(data, max_km) if i.district_id == district_id]
    base = next((i for i in issues if i.kind == "base"), None)
    if base is not None:
        return {p.patient_id: base for p in data.patients if p.district_id == district_id}
    return {i.record_id: i for i in issues}


SHIFT_ORDER = (ShiftKind.DAY, ShiftKind.EVENING, ShiftKind.NIGHT)


def defined_shift_kinds(data: MunicipalityData) -> tuple[ShiftKind, ...]:
    """The shift kinds the municipality defines, in time order."""
    kinds = {d.kind for d in data.municipality.shifts}
    return tuple(s for s in SHIFT_ORDER if s in kinds)


def roster_dates(data: MunicipalityData) -> tuple[date, date] | None:
    """First and last date of the roster (None when it is empty)."""
    dates = [e.date for e in data.roster.entries]
    return (min(dates), max(dates)) if dates else None


def plan_range(
    data: MunicipalityData,
    first: date,
    last: date,
    shifts: tuple[ShiftKind, ...] | None = None,
    district_id: str | None = None,
    *,
    travel: TravelSource | None = None,
    params: SolveParams | None = None,
    history: CareHistory | None = None,
    on_shift: Callable[[PlanOutcome], None] | None = None,
    location_max_km: float | None = DEFAULT_MAX_KM,
    events: Mapping[str, Event] | None = None,
) -> list[PlanOutcome]:
    """Plan every shift from ``first`` to ``last`` (inclusive) in time order.

    Each shift sees the published results of the shifts before it as its ``CareHistory``:
    a dose given in the day shift bounds the evening's (gap rules across shifts), and the
    caregivers a patient had in the last ``continuity_days`` are preferred (continuity of
    care, when the municipality's ``continuity_weight`` is above 0). ``on_shift`` is called
    with each outcome as soon as it is ready. ``shifts`` None: every shift the municipality
    defines; a kind it does not define is a PlanRequestError naming those it does.
    ``events`` reach every shift as in :func:`plan_shift`.
    """
    if last < first:
        raise dates_out_of_order(first, last)
    district_id = district_id or default_district(data)
    travel = travel or GreatCircleSource()
    keep_days = data.municipality.rules.continuity_days + 2
    # The care plans as the shifts see them (a discharge's interventions), for the history.
    discharged = apply_discharges(data, events) if events else data
    served = list(history.served) if history else []
    outcomes: list[PlanOutcome] = []
    day = first
    order = [s for s in SHIFT_ORDER if s in (shifts or defined_shift_kinds(data))]
    while day <= last:
        for shift in order:
            horizon = day - timedelta(days=keep_days)
            served = [t for t in served if t.start.date() >= horizon]
            outcome = plan_shift(
                data,
                day,
                shift,
                district_id,
                travel=travel,
                params=params,
                history=CareHistory(served=tuple(served)),
                location_max_km=location_max_km,
                events=events,
            )
            served += served_tasks(discharged, outcome.result)
            outcomes.append(outcome)
            if on_shift is not None:
                on_shift(outcome)
        day += timedelta(days=1)
    return outcomes


def check_plans(
    data: MunicipalityData,
    results: list[PlanResult],
    *,
    travel: TravelSource | None = None,
    pins: tuple[Pin, ...] = (),
) -> list[tuple[PlanResult, list[PlanViolation]]]:
    """Re-validate written plans against the export, without OR-Tools.

    Plans are taken in time order; each is checked against the problem the pipeline builds
    for its district, date and shift, with the earlier plans given as history (so gaps across
    shifts are checked too) and with the planner's ``pins`` (each applies to the plan whose
    shift holds its task): a pinned visit on another caregiver or at another start is a
    ``pin_ignored`` violation. Returns each plan with its violations (empty when feasible).
    """
    travel = travel or GreatCircleSource()
    served: list[ServedTask] = []
    checked: list[tuple[PlanResult, list[PlanViolation]]] = []
    for result in sorted(results, key=lambda r: r.shift_start):
        day_plan = build_day_plan(
            data,
            result.date,
            result.shift,
            result.district_id,
            pins=pins,
            history=CareHistory(served=tuple(served)),
        )
        built = build_problem(day_plan, travel)
        checked.append((result, verify_plan(day_plan, built, result)))
        served += served_tasks(data, result)
    return checked
