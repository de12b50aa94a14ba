"""The day plan: one district's visits, staff and "as needed" items for one shift.

Shift membership (the midpoint rule): a task belongs to a shift when the midpoint of its
start window, measured in real elapsed time, lies in the half-open interval
``[shift.start, shift.end)``. A window that straddles a shift change therefore goes to the
shift that holds most of it; an exact tie goes to the later shift. Each task belongs to
exactly one of a date's consecutive shifts, so no task is planned twice or lost between them.

Windows are kept as they are, never clipped to the shift: every task of the shift becomes
part of a visit, and the planning stage reports a window it cannot meet inside the shift
(an unplaced task with its reason).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hjemmetjeneste.domain import (
    HOME,
    Base,
    CareHistory,
    DayPlan,
    Intervention,
    MunicipalityData,
    Patient,
    Pin,
    Place,
    RosterEntry,
    ScheduleKind,
    ShiftInstance,
    ShiftKind,
    Staff,
    StaffDay,
    Task,
)
from hjemmetjeneste.tasks.clock import local_datetime
from hjemmetjeneste.tasks.recurrence import expand_intervention
from hjemmetjeneste.tasks.shifts import require_shift, shift_instance, shift_instances_around
from hjemmetjeneste.tasks.visits import merge_into_visits


def window_midpoint(task: Task) -> datetime:
    """The instant halfway through the task's start window (real elapsed time), in UTC."""
    start = task.window_start.astimezone(UTC)
    end = task.window_end.astimezone(UTC)
    return start + (end - start) / 2


def belongs_to_shift(task: Task, shift: ShiftInstance) -> bool:
    """True when the task's window midpoint lies in ``[shift.start, shift.end)``."""
    midpoint = window_midpoint(task)
    return shift.start.astimezone(UTC) <= midpoint < shift.end.astimezone(UTC)


def build_day_plan(
    data: MunicipalityData,
    day: date,
    shift: ShiftKind,
    district_id: str,
    *,
    pins: tuple[Pin, ...] = (),
    history: CareHistory | None = None,
) -> DayPlan:
    """Everything one solve needs for ``district_id``'s ``shift`` starting on ``day``.

    Interventions of the district's patients are expanded for ``day − 1``, ``day`` and
    ``day + 1``; the tasks that belong to the shift by the midpoint rule (module docstring)
    are merged into visits. Patients of other districts are not looked at: their tasks belong
    to their own district's plan. ``pins`` and ``history`` (published earlier shifts) are
    passed through for the solver. Staff are those rostered on (``day``, ``shift``,
    ``district_id``), sorted by id; ``staff_days`` their own hours and places where the
    roster gives them. ``as_needed`` holds the district patients' AS_NEEDED
    interventions valid on ``day``. ``patients`` are those with a visit or an as-needed item,
    sorted by id. Raises KeyError for an unknown district and PlanRequestError (naming the
    shifts that exist) for a shift kind the municipality does not define.
    """
    try:
        district = data.district(district_id)
    except KeyError:
        known = ", ".join(sorted(d.district_id for d in data.districts)) or "none"
        raise KeyError(
            f"unknown district {district_id!r} in municipality "
            f"{data.municipality.municipality_id!r}; known districts: {known}"
        ) from None
    tz = ZoneInfo(data.municipality.timezone)
    require_shift(data.municipality, shift)
    instance = shift_instance(data.municipality, day, shift)

    patients = {p.patient_id: p for p in data.patients if p.district_id == district_id}
    interventions = [
        i for plan in data.care_plans if plan.patient_id in patients for i in plan.interventions
    ]

    tasks = [
        task
        for offset in (-1, 0, 1)
        for intervention in interventions
        for task in expand_intervention(intervention, day + timedelta(days=offset), tz)
        if belongs_to_shift(task, instance)
    ]
    visits = merge_into_visits(tasks)

    as_needed: tuple[Intervention, ...] = tuple(
        sorted(
            (
                i
                for i in interventions
                if i.schedule.kind == ScheduleKind.AS_NEEDED and i.is_valid_on(day)
            ),
            key=lambda i: (i.patient_id, i.intervention_id),
        )
    )

    involved = {v.patient_id for v in visits} | {i.patient_id for i in as_needed}
    plan_patients: tuple[Patient, ...] = tuple(patients[pid] for pid in sorted(involved))

    staff_by_id = {s.staff_id: s for s in data.staff}
    entries = data.roster.entries_on(day, shift, district_id)
    staff = tuple(staff_by_id[e.staff_id] for e in entries)
    base = data.base(district.base_id)
    staff_days = tuple(
        _staff_day(data, e, staff_by_id[e.staff_id], base, instance, tz)
        for e in entries
        if not e.is_plain
    )

    return DayPlan(
        municipality=data.municipality,
        district=district,
        base=base,
        shift=instance,
        patients=plan_patients,
        staff=staff,
        visits=visits,
        as_needed=as_needed,
        pins=pins,
        history=history or CareHistory(),
        staff_days=staff_days,
        rota_ahead=_rota_ahead(data, day, shift, district_id),
    )


def _rota_ahead(
    data: MunicipalityData, day: date, shift: ShiftKind, district_id: str
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Per caregiver: the days of the next ``continuity_days`` she works this shift kind."""
    horizon = data.municipality.rules.continuity_days
    ahead: dict[str, list[int]] = defaultdict(list)
    for e in data.roster.entries:
        offset = (e.date - day).days
        if e.shift == shift and e.district_id == district_id and 0 < offset <= horizon:
            ahead[e.staff_id].append(offset)
    return tuple((sid, tuple(sorted(days))) for sid, days in sorted(ahead.items()))


def _staff_day(
    data: MunicipalityData,
    entry: RosterEntry,
    staff: Staff,
    base: Base,
    shift: ShiftInstance,
    tz: ZoneInfo,
) -> StaffDay:
    """The caregiver's own day: hours placed on the calendar, places resolved."""
    (start_day, start), (end_day, end) = entry.hour_days(data.municipality.shift(entry.shift))

    def place(place_id: str | None) -> Place:
        if place_id is None or place_id == base.base_id:
            return Place(place_id=base.base_id, name=base.name, location=base.location)
        if place_id == HOME and staff.home is not None:
            return Place(place_id=HOME, name="", location=staff.home)
        other = data.base(place_id)
        return Place(place_id=other.base_id, name=other.name, location=other.location)

    return StaffDay(
        staff_id=entry.staff_id,
        start=shift.start
        if entry.start is None
        else local_datetime(entry.date + timedelta(days=start_day), start, tz),
        end=shift.end
        if entry.end is None
        else local_datetime(entry.date + timedelta(days=end_day), end, tz),
        start_place=place(entry.start_place),
        end_place=place(entry.end_place),
    )


def outside_every_shift(
    data: MunicipalityData, day: date, district_id: str | None = None
) -> tuple[Task, ...]:
    """Tasks dated ``day`` whose window midpoint lies in no shift the municipality defines.

    These belong to no plan by the midpoint rule; they are listed with every plan of ``day``
    (and warned about at import) so that no task disappears without a word. ``district_id``
    None: every district's patients.
    """
    tz = ZoneInfo(data.municipality.timezone)
    shifts = shift_instances_around(data.municipality, day)
    patients = {
        p.patient_id for p in data.patients if district_id is None or p.district_id == district_id
    }
    return tuple(
        sorted(
            (
                task
                for plan in data.care_plans
                if plan.patient_id in patients
                for intervention in plan.interventions
                for task in expand_intervention(intervention, day, tz)
                if not any(belongs_to_shift(task, shift) for shift in shifts)
            ),
            key=lambda t: (t.window_start, t.task_id),
        )
    )
