"""Events reach first plans too: a shift planned after an admission, an absence or a sick
call has them in its day plan, and every task of the shift is on a worklist, unplaced,
outside every shift or cancelled with its event."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from factories import DEMO
from hjemmetjeneste.domain import (
    CompetenceLevel,
    MunicipalityData,
    PlanResult,
    ProblemArea,
    Schedule,
    ScheduleKind,
    ShiftKind,
    Task,
    Visit,
)
from hjemmetjeneste.domain.events import (
    EmergencyVisit,
    HospitalAdmission,
    HospitalDischarge,
    InterventionChange,
    PatientAbsence,
    StaffAbsence,
)
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.pipeline import default_district, plan_shift
from hjemmetjeneste.planning.day_events import _outside_pause, apply_events
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.tasks import build_day_plan, outside_every_shift

OSLO = ZoneInfo("Europe/Oslo")
TUESDAY = date(2026, 12, 1)
WEDNESDAY = date(2026, 12, 2)
QUICK = SolveParams(time_limit_s=1.0, iterations=200, seed=1)


@pytest.fixture(scope="module")
def data() -> MunicipalityData:
    return read_export(DEMO)


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=OSLO)


def _day_tasks(data: MunicipalityData, day: date, shift: ShiftKind) -> set[str]:
    """Every task of the shift with no events: its visits' and those outside every shift."""
    district = default_district(data)
    plan = build_day_plan(data, day, shift, district)
    return {t.task_id for v in plan.visits for t in v.tasks} | {
        t.task_id for t in outside_every_shift(data, day, district)
    }


def _accounted(result: PlanResult) -> list[str]:
    """Task ids on worklists (once per task), unplaced, outside every shift, cancelled."""
    placed = {t.task_id for w in result.worklists for v in w.visits for t in v.tasks}
    return [
        *placed,
        *(u.task_id for u in result.unplaced),
        *(u.task_id for u in result.outside_every_shift),
        *(c.task_id for c in result.cancelled),
    ]


def _a_patient(data: MunicipalityData, day: date, shift: ShiftKind) -> str:
    """A patient with at least two visits on the shift."""
    plan = build_day_plan(data, day, shift, default_district(data))
    counts: dict[str, int] = {}
    for v in plan.visits:
        counts[v.patient_id] = counts.get(v.patient_id, 0) + 1
    return next(p for p, n in sorted(counts.items()) if n >= 2)


def test_an_admission_yesterday_cancels_todays_visits_with_its_id(data):
    """Admitted Tuesday 14:00, Wednesday planned for the first time: none of her visits is
    on a worklist or unplaced; each of her tasks is cancelled with the admission's id; the
    count of the day's tasks holds."""
    patient = _a_patient(data, WEDNESDAY, ShiftKind.DAY)
    events = {"adm-1": HospitalAdmission(patient_id=patient, admitted_at=_at(TUESDAY, 14))}
    result = plan_shift(data, WEDNESDAY, ShiftKind.DAY, params=QUICK, events=events).result
    hers = {
        t.task_id
        for v in build_day_plan(data, WEDNESDAY, ShiftKind.DAY, default_district(data)).visits
        if v.patient_id == patient
        for t in v.tasks
    }
    assert hers and {c.task_id for c in result.cancelled} == hers
    assert {c.event_id for c in result.cancelled} == {"adm-1"}
    assert not any(v.patient_id == patient for w in result.worklists for v in w.visits)
    assert not any(u.patient_id == patient for u in result.unplaced)
    accounted = _accounted(result)
    assert len(accounted) == len(set(accounted))
    assert set(accounted) == _day_tasks(data, WEDNESDAY, ShiftKind.DAY)


def test_without_events_nothing_is_cancelled(data):
    """The same day with no event (or an admission after the shift): nothing cancelled."""
    patient = _a_patient(data, WEDNESDAY, ShiftKind.DAY)
    later = {"adm-2": HospitalAdmission(patient_id=patient, admitted_at=_at(WEDNESDAY, 23))}
    plan = build_day_plan(data, WEDNESDAY, ShiftKind.DAY, default_district(data))
    applied = apply_events(plan, later)
    assert applied.cancelled == () and applied.day_plan.visits == plan.visits
    assert apply_events(plan, {}).day_plan == plan


def test_a_discharge_ends_the_pause_and_its_new_intervention_is_planned(data):
    """Admitted Tuesday, discharged Wednesday with a new insulin intervention: Wednesday's
    first plan cancels nothing of hers and holds the new task."""
    patient = _a_patient(data, WEDNESDAY, ShiftKind.DAY)
    insulin = InterventionChange(
        action="add",
        intervention_id="INS-new",
        problem_area=ProblemArea.MEDICATION,
        description="Insulin etter utskrivning",
        duration_min=10,
        schedule=Schedule(kind=ScheduleKind.FIXED, times=(time(9, 0),), tolerance_min=30),
        required_competence=CompetenceLevel.NURSE,
        time_critical=True,
    )
    events = {
        "adm-3": HospitalAdmission(patient_id=patient, admitted_at=_at(TUESDAY, 14)),
        "dis-3": HospitalDischarge(
            patient_id=patient, discharged_on=WEDNESDAY, interventions=(insulin,)
        ),
    }
    result = plan_shift(data, WEDNESDAY, ShiftKind.DAY, params=QUICK, events=events).result
    assert result.cancelled == ()
    tasks = {t.intervention_id for w in result.worklists for v in w.visits for t in v.tasks}
    tasks |= {u.intervention_id for u in result.unplaced}
    assert "INS-new" in tasks


def test_a_caregiver_absent_all_day_is_off_and_one_absent_from_noon_has_her_hours_cut(data):
    """Sick the whole Wednesday: not on the shift; sick from 11:00: her day ends at 11:00."""
    district = default_district(data)
    plan = build_day_plan(data, WEDNESDAY, ShiftKind.DAY, district)
    first, second = plan.staff[0].staff_id, plan.staff[1].staff_id
    events = {
        "sick-1": StaffAbsence(staff_id=first, start=_at(TUESDAY, 22)),
        "sick-2": StaffAbsence(staff_id=second, start=_at(WEDNESDAY, 11), end=_at(WEDNESDAY, 20)),
    }
    applied = apply_events(plan, events)
    assert first not in {s.staff_id for s in applied.day_plan.staff}
    assert applied.off_shift == ((first, "sick-1"),)
    assert applied.hours_cut == ((second, "sick-2"),)
    day = applied.day_plan.day_of(second)
    assert day.start == plan.day_of(second).start and day.end == _at(WEDNESDAY, 11)
    result = plan_shift(data, WEDNESDAY, ShiftKind.DAY, params=QUICK, events=events).result
    staff = {w.staff_id: w for w in result.worklists}
    assert first not in staff
    assert staff[second].return_base <= _at(WEDNESDAY, 11)
    assert all(v.end <= _at(WEDNESDAY, 11) for v in staff[second].visits)
    accounted = _accounted(result)
    assert len(accounted) == len(set(accounted))
    assert set(accounted) == _day_tasks(data, WEDNESDAY, ShiftKind.DAY)


def test_an_absence_that_ends_in_the_morning_moves_the_start_of_her_day(data):
    """Sick until 10:00 on Wednesday: her day starts at 10:00 (the longer part is kept)."""
    plan = build_day_plan(data, WEDNESDAY, ShiftKind.DAY, default_district(data))
    staff_id = plan.staff[0].staff_id
    events = {"s": StaffAbsence(staff_id=staff_id, start=_at(TUESDAY, 8), end=_at(WEDNESDAY, 10))}
    day = apply_events(plan, events).day_plan.day_of(staff_id)
    assert day.start == _at(WEDNESDAY, 10) and day.end == plan.day_of(staff_id).end


def _task(tid: str, start: datetime, end: datetime, minutes: int = 30) -> Task:
    return Task(
        task_id=tid,
        intervention_id=tid,
        patient_id="P1",
        date=start.date(),
        window_start=start,
        window_end=end,
        duration_min=minutes,
        description="stell",
        problem_area=ProblemArea.PERSONAL_HYGIENE,
        required_competence=CompetenceLevel.ASSISTANT,
    )


def test_a_visit_is_kept_outside_a_pause_when_it_can_be_and_cancelled_when_not():
    """Pause 09:00–12:00: a visit 08:00–10:00 (30 min) must start by 08:30; one 10:00–11:00
    is cancelled; one 11:00–13:00 starts from 12:00; one 07:00–08:00 is untouched; a pause
    with no end cancels everything from its start."""
    day = WEDNESDAY
    start, until = _at(day, 9), _at(day, 12)

    def visit(a: int, b: int) -> Visit:
        return Visit(
            visit_id=f"v{a}", patient_id="P1", tasks=(_task(f"t{a}", _at(day, a), _at(day, b)),)
        )

    before = _outside_pause(visit(8, 10), start, until)
    assert before is not None and (before.window_start, before.window_end) == (
        _at(day, 8),
        _at(day, 8, 30),
    )
    assert _outside_pause(visit(10, 11), start, until) is None
    after = _outside_pause(visit(11, 13), start, until)
    assert after is not None and (after.window_start, after.window_end) == (
        _at(day, 12),
        _at(day, 13),
    )
    untouched = visit(7, 8)
    assert _outside_pause(untouched, start, until) is untouched
    assert _outside_pause(visit(11, 13), start, None) is None
    long = Visit(
        visit_id="v",
        patient_id="P1",
        tasks=(_task("a", _at(day, 7), _at(day, 14)),),
    )
    longer = _outside_pause(long, start, until)
    assert longer is not None and longer.window_start == _at(day, 12)  # 12–14 beats 7–8:30
    # only the alternative windows outside the pause are kept
    alt = _task("alt", _at(day, 9, 30), _at(day, 13)).model_copy(
        update={
            "alternative_windows": (
                (_at(day, 9, 30), _at(day, 10)),
                (_at(day, 12, 30), _at(day, 13)),
            )
        }
    )
    clipped = _outside_pause(Visit(visit_id="w", patient_id="P1", tasks=(alt,)), start, until)
    assert clipped is not None
    assert clipped.tasks[0].alternative_windows == ((_at(day, 12, 30), _at(day, 13)),)
    assert clipped.window_start == _at(day, 12, 30)


def test_a_patient_absence_of_part_of_the_day_and_an_emergency_of_the_shift(data):
    """A patient away 07:00–23:00 Wednesday has every day-shift visit cancelled with the
    absence's id; an emergency of the shift is added as a time-critical visit."""
    plan = build_day_plan(data, WEDNESDAY, ShiftKind.DAY, default_district(data))
    patient = _a_patient(data, WEDNESDAY, ShiftKind.DAY)
    other = next(p.patient_id for p in data.patients if p.patient_id != patient)
    events = {
        "away": PatientAbsence(patient_id=patient, start=_at(WEDNESDAY, 7), end=_at(WEDNESDAY, 23)),
        "em": EmergencyVisit(
            patient_id=other,
            date=WEDNESDAY,
            shift=ShiftKind.DAY,
            duration_min=20,
            within_min=120,
            requested_at=_at(WEDNESDAY, 9),
        ),
    }
    applied = apply_events(plan, events, patients=data.patients)
    assert {c.event_id for c in applied.cancelled} == {"away"}
    assert {c.patient_id for c in applied.cancelled} == {patient}
    assert applied.added == ("emergency-em",)
    emergency = next(v for v in applied.day_plan.visits if v.visit_id == "emergency-em")
    assert emergency.tasks[0].time_critical
    assert emergency.window_end == _at(WEDNESDAY, 11)
    assert other in {p.patient_id for p in applied.day_plan.patients}
    with pytest.raises(ValueError, match="no patient"):
        apply_events(plan, {"em": events["em"].model_copy(update={"patient_id": "nobody"})})


def test_a_re_plan_lists_its_cancelled_tasks_in_the_plan_too(data):
    """A published Wednesday (its first plan already without the admitted patient), then a
    patient absence from 10:30: the re-planned plan lists both patients' tasks as cancelled,
    each with its own event, and every task of the shift is in exactly one place."""
    from hjemmetjeneste.pipeline import listing_cancelled, replan_shift

    admitted = _a_patient(data, WEDNESDAY, ShiftKind.DAY)
    events = {"adm": HospitalAdmission(patient_id=admitted, admitted_at=_at(TUESDAY, 14))}
    first = plan_shift(data, WEDNESDAY, ShiftKind.DAY, params=QUICK, events=events).result
    later = next(
        v.patient_id
        for w in first.worklists
        for v in w.visits
        if v.start >= _at(WEDNESDAY, 11) and v.patient_id != admitted
    )
    away = PatientAbsence(patient_id=later, start=_at(WEDNESDAY, 10, 30), end=_at(WEDNESDAY, 23))
    events = {**events, "away": away}
    again = replan_shift(data, first, _at(WEDNESDAY, 10, 30), events, params=QUICK)
    listed = listing_cancelled(again, data, events).result
    assert {c.patient_id for c in listed.cancelled if c.event_id == "adm"} == {admitted}
    assert {c.patient_id for c in listed.cancelled if c.event_id == "away"} == {later}
    assert {c.task_id for c in listed.cancelled} == {c.task_id for c in again.cancelled}
    hers = next(c for c in listed.cancelled if c.patient_id == later)
    assert hers.description and hers.window_start <= hers.window_end
    accounted = _accounted(listed)
    assert len(accounted) == len(set(accounted))
    assert set(accounted) == _day_tasks(data, WEDNESDAY, ShiftKind.DAY)
