"""Minimal-change re-plans of the demo day shift after each kind of event, from 10:30."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from factories import DEMO
from hjemmetjeneste.domain import PlanResult, Schedule, ScheduleKind, ShiftKind
from hjemmetjeneste.domain.events import (
    ChangeType,
    EmergencyVisit,
    HospitalAdmission,
    HospitalDischarge,
    InterventionChange,
    PatientAbsence,
    StaffAbsence,
)
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.pipeline import ReplanOutcome, plan_shift, replan_shift
from hjemmetjeneste.planning.replan import HOLD_MIN, apply_discharges
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.tasks import build_day_plan

DAY = date(2026, 12, 1)
OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 12, 1, 10, 30, tzinfo=OSLO)
QUICK = SolveParams(time_limit_s=1.0, iterations=300, seed=1)


@pytest.fixture(scope="module")
def published():
    """The demo export and its day shift's plan (the published version re-planned here)."""
    data = read_export(DEMO)
    return data, plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result


def _slots(result: PlanResult) -> dict[tuple[str, str], datetime]:
    return {(v.visit_id, w.staff_id): v.start for w in result.worklists for v in w.visits}


def _task_ids(result: PlanResult) -> set[str]:
    on_lists = {t.task_id for w in result.worklists for v in w.visits for t in v.tasks}
    return on_lists | {u.task_id for u in result.unplaced}


def _assert_minimal(first: PlanResult, again: ReplanOutcome, absent: str = "") -> None:
    """Nothing that started before now moved; the other visits kept on the same caregiver
    moved by at most HOLD_MIN; every task is placed, unplaced or cancelled."""
    assert again.outcome.violations == ()
    before, after = _slots(first), _slots(again.result)
    early = {k: at for k, at in before.items() if at < NOW}
    moved = {k: (at, after.get(k)) for k, at in early.items() if after.get(k) != at}
    assert early and not moved, (again.outcome.warm_start, moved)
    assert not any(at < NOW for k, at in after.items() if k not in early)
    hold = timedelta(minutes=HOLD_MIN)
    kept = [(at, after[k]) for k, at in before.items() if k in after and k[1] != absent]
    assert kept and all(abs(b - a) <= hold for a, b in kept)
    cancelled = {c.task_id for c in again.cancelled}
    assert not cancelled & _task_ids(again.result)
    added = set(again.added)  # an emergency's visit and task share their id
    assert _task_ids(first) | added == _task_ids(again.result) | cancelled


def _nurse_with_work_after_now(first: PlanResult) -> str:
    return max(
        (w for w in first.worklists if any(v.start < NOW for v in w.visits)),
        key=lambda w: sum(v.start >= NOW for v in w.visits),
    ).staff_id


def test_sick_call_moves_only_the_absent_nurses_later_visits(published):
    """Sick at 10:30: her later visits go to others or are explained, her earlier ones stay."""
    data, first = published
    sick = _nurse_with_work_after_now(first)
    events = {"ev-1": StaffAbsence(staff_id=sick, start=NOW)}
    again = replan_shift(data, first, NOW, events, params=QUICK)
    _assert_minimal(first, again, absent=sick)
    hers = next(w for w in again.result.worklists if w.staff_id == sick)
    assert hers.visits and all(v.start < NOW for v in hers.visits)
    later = {v.visit_id for w in first.worklists if w.staff_id == sick for v in w.visits}
    later = {v for v in later if _slots(first)[(v, sick)] >= NOW}
    changed = {c.visit_id for c in again.by_nurse()[sick]}
    assert later <= changed
    unplaced = {u.visit_id for u in again.result.unplaced}
    placed = {v.visit_id for w in again.result.worklists for v in w.visits}
    assert later <= placed | unplaced
    assert all(u.explanation for u in again.result.unplaced)


def test_started_visits_stay_even_when_planned_after_now(published):
    """A visit the nurse marked started is frozen even though it was planned after now."""
    data, first = published
    sick = _nurse_with_work_after_now(first)
    hers = next(w for w in first.worklists if w.staff_id == sick)
    started = next(v for v in hers.visits if v.start >= NOW)
    events = {"ev-1": StaffAbsence(staff_id=sick, start=NOW)}
    again = replan_shift(data, first, NOW, events, params=QUICK, started={started.visit_id})
    assert _slots(again.result)[(started.visit_id, sick)] == started.start


def test_patient_absence_cancels_later_visits_and_reports_them(published):
    """A patient away from 10:30: her later visits are cancelled with the event, not dropped."""
    data, first = published
    later = [v for w in first.worklists for v in w.visits if v.start >= NOW]
    patient = later[0].patient_id
    events = {"ev-2": PatientAbsence(patient_id=patient, start=NOW, end=NOW + timedelta(days=2))}
    again = replan_shift(data, first, NOW, events, params=QUICK)
    _assert_minimal(first, again)
    hers = {v.visit_id for v in later if v.patient_id == patient}
    assert hers == {c.visit_id for c in again.cancelled}
    assert {c.event_id for c in again.cancelled} == {"ev-2"}
    placed = {v.visit_id for w in again.result.worklists for v in w.visits}
    assert not hers & placed
    kinds = {c.type for c in again.by_patient()[patient]}
    assert kinds == {ChangeType.CANCELLED}


def test_hospital_admission_pauses_visits_until_discharge(published):
    """Admitted at 10:30: later visits cancelled; discharged tomorrow: tomorrow is planned."""
    data, first = published
    later = [v for w in first.worklists for v in w.visits if v.start >= NOW]
    patient = later[-1].patient_id
    events = {
        "adm": HospitalAdmission(patient_id=patient, admitted_at=NOW),
        "dis": HospitalDischarge(patient_id=patient, discharged_on=DAY + timedelta(days=1)),
    }
    again = replan_shift(data, first, NOW, events, params=QUICK)
    _assert_minimal(first, again)
    assert {c.event_id for c in again.cancelled} == {"adm"}
    assert {c.patient_id for c in again.cancelled} == {patient}


def test_emergency_visit_is_placed_within_its_deadline(published):
    """An emergency "within 2 hours" at 10:30 starts between 10:30 and 12:30."""
    data, first = published
    patient = next(v.patient_id for w in first.worklists for v in w.visits)
    events = {
        "em": EmergencyVisit(
            patient_id=patient, date=DAY, shift=ShiftKind.DAY, duration_min=20, within_min=120
        )
    }
    again = replan_shift(data, first, NOW, events, params=QUICK)
    _assert_minimal(first, again)
    starts = [
        v.start for w in again.result.worklists for v in w.visits if v.visit_id == "emergency-em"
    ]
    assert len(starts) == 1 and NOW <= starts[0] <= NOW + timedelta(hours=2)
    assert any(c.type == ChangeType.ADDED for c in again.by_patient()[patient])


INSULIN = InterventionChange(
    action="add",
    problem_area="Legemiddelhåndtering",
    description="Sette insulin",
    duration_min=10,
    schedule=Schedule(kind=ScheduleKind.FIXED, times=(time(8, 0),), tolerance_min=30),
    required_competence="sykepleier",
    required_skills=frozenset({"insulin"}),
    time_critical=True,
)


def test_discharge_adds_insulin_to_the_next_plan_not_before(published):
    """A discharge tomorrow with a new insulin intervention: on tomorrow's plan, not today's."""
    data, _ = published
    patient = data.patients[0]
    tomorrow = DAY + timedelta(days=1)
    events = {
        "dis": HospitalDischarge(
            patient_id=patient.patient_id, discharged_on=tomorrow, interventions=(INSULIN,)
        )
    }
    changed = apply_discharges(data, events)

    def insulin(day: date) -> list[str]:
        plan = build_day_plan(changed, day, ShiftKind.DAY, patient.district_id)
        return [
            t.task_id
            for v in plan.visits
            for t in v.tasks
            if t.patient_id == patient.patient_id and t.intervention_id == "dis-1"
        ]

    assert insulin(DAY) == [] and len(insulin(tomorrow)) == 1
    result = plan_shift(changed, tomorrow, ShiftKind.DAY, params=QUICK).result
    placed = [
        t
        for w in result.worklists
        for v in w.visits
        for t in v.tasks
        if t.intervention_id == "dis-1"
    ]
    assert len(placed) == 1 and placed[0].time_critical


def test_discharge_changes_and_stops_interventions_from_the_date(published):
    """``change`` continues an intervention changed from the date; ``stop`` ends it before."""
    data, _ = published
    plan = next(p for p in data.care_plans if len(p.interventions) >= 2)
    first, second = plan.interventions[:2]
    tomorrow = DAY + timedelta(days=1)
    events = {
        "dis": HospitalDischarge(
            patient_id=plan.patient_id,
            discharged_on=tomorrow,
            interventions=(
                InterventionChange(
                    action="change", intervention_id=first.intervention_id, duration_min=45
                ),
                InterventionChange(action="stop", intervention_id=second.intervention_id),
            ),
        )
    }
    changed = apply_discharges(data, events)
    now = {
        i.intervention_id: i
        for p in changed.care_plans
        if p.patient_id == plan.patient_id
        for i in p.interventions
    }
    continued = now[f"{first.intervention_id}@{tomorrow.isoformat()}"]
    assert continued.duration_min == 45 and continued.valid_from == tomorrow
    if first.valid_from < tomorrow:
        assert now[first.intervention_id].valid_to == DAY
    assert second.intervention_id not in now or now[second.intervention_id].valid_to == DAY
    with pytest.raises(ValueError, match="no intervention"):
        apply_discharges(
            data,
            {
                "x": HospitalDischarge(
                    patient_id=plan.patient_id,
                    discharged_on=tomorrow,
                    interventions=(InterventionChange(action="stop", intervention_id="NOPE"),),
                )
            },
        )


def test_a_search_without_a_plan_keeps_the_previous_worklists(published, monkeypatch):
    """When the search returns nothing from the routes (out of time on a loaded machine),
    the re-plan keeps every other visit exactly and reports the absent nurse's later visits
    unplaced, checker-clean, instead of a cold plan that places nothing."""
    import hjemmetjeneste.pipeline as pipeline
    from hjemmetjeneste.solver import Solution

    def timed_out(problem, *_args, **_kwargs):
        empty = Solution.nothing_served(problem, "fail_timeout", 1.0)
        return empty.__class__(**{**empty.__dict__, "warm_start": "rejected"})

    monkeypatch.setattr(pipeline, "solve", timed_out)
    monkeypatch.setattr(pipeline, "solve_from_routes", timed_out)
    data, first = published
    sick = _nurse_with_work_after_now(first)
    again = replan_shift(data, first, NOW, {"ev": StaffAbsence(staff_id=sick, start=NOW)})
    assert again.outcome.warm_start == "kept" and again.outcome.violations == ()
    before, after = _slots(first), _slots(again.result)
    with_her = {v for (v, s) in before if s == sick}  # her partners' halves go too
    assert all(after[k] == at for k, at in before.items() if k[0] not in with_her)
    later = {v for (v, s), at in before.items() if s == sick and at >= NOW}
    assert later and later <= {u.visit_id for u in again.result.unplaced}
    assert all(at < NOW for (v, s), at in after.items() if s == sick)
