"""The whole pipeline on a tiny hand-made district: tasks -> problem -> routes -> worklists."""

from __future__ import annotations

from datetime import date, time

import pytest

from hjemmetjeneste.domain import (
    Base,
    CarePlan,
    CompetenceLevel,
    District,
    GeoPoint,
    Intervention,
    Municipality,
    MunicipalityData,
    Patient,
    ProblemArea,
    Roster,
    RosterEntry,
    Schedule,
    ScheduleKind,
    ShiftKind,
    Skill,
    Staff,
    TimeWindow,
    UnplacedReason,
)
from hjemmetjeneste.pipeline import plan_shift
from hjemmetjeneste.solver import SolveParams

DAY = date(2026, 12, 1)
QUICK = SolveParams(time_limit_s=1.0, seed=0, iterations=2_000)


def _patient(i: int, lat: float, lon: float) -> Patient:
    return Patient(
        patient_id=f"p{i}",
        municipality_id="m",
        district_id="d",
        display_name=f"Test Patient {i}",
        address=f"Testveien {i}",
        location=GeoPoint(lat=lat, lon=lon),
        key_box_note="Nøkkelboks" if i == 1 else None,
    )


def _intervention(
    iid: str,
    patient: str,
    *,
    window: tuple[time, time] = (time(8, 0), time(10, 0)),
    minutes: int = 20,
    competence: CompetenceLevel = CompetenceLevel.ASSISTANT,
    skills: frozenset[Skill] = frozenset(),
    staff_count: int = 1,
    time_critical: bool = False,
) -> Intervention:
    return Intervention(
        intervention_id=iid,
        patient_id=patient,
        problem_area=ProblemArea.PERSONAL_HYGIENE,
        description=f"task {iid}",
        duration_min=minutes,
        schedule=Schedule(
            kind=ScheduleKind.WINDOW, windows=(TimeWindow(start=window[0], end=window[1]),)
        ),
        required_competence=competence,
        required_skills=skills,
        staff_count=staff_count,
        time_critical=time_critical,
        valid_from=date(2026, 1, 1),
    )


def _data(interventions: list[Intervention], staff: list[Staff]) -> MunicipalityData:
    patients = [_patient(i, 63.43 + 0.003 * i, 10.40 + 0.004 * i) for i in range(1, 5)]
    plans = [
        CarePlan(
            care_plan_id=f"cp-{p.patient_id}",
            patient_id=p.patient_id,
            interventions=tuple(i for i in interventions if i.patient_id == p.patient_id),
        )
        for p in patients
    ]
    return MunicipalityData(
        municipality=Municipality(municipality_id="m", name="Testkommune"),
        districts=(District(district_id="d", municipality_id="m", name="D", base_id="b"),),
        bases=(
            Base(
                base_id="b",
                name="Base",
                address="Baseveien 1",
                location=GeoPoint(lat=63.43, lon=10.40),
            ),
        ),
        patients=tuple(patients),
        care_plans=tuple(plans),
        staff=tuple(staff),
        roster=Roster(
            entries=tuple(
                RosterEntry(staff_id=s.staff_id, date=DAY, shift=ShiftKind.DAY, district_id="d")
                for s in staff
            )
        ),
    )


def _staff(sid: str, competence: CompetenceLevel, skills: frozenset[Skill] = frozenset()) -> Staff:
    return Staff(
        staff_id=sid,
        municipality_id="m",
        district_id="d",
        first_name=sid.upper(),
        competence=competence,
        skills=skills,
    )


def test_every_task_is_placed_inside_its_window_with_local_clock_times():
    """Feasible tasks all land on worklists, starting inside their windows, in Oslo time."""
    data = _data(
        [_intervention(f"i{k}", f"p{k}") for k in range(1, 5)],
        [_staff("s1", CompetenceLevel.NURSE), _staff("s2", CompetenceLevel.ASSISTANT)],
    )
    outcome = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK)
    result = outcome.result
    assert outcome.violations == ()
    assert result.unplaced == ()
    visits = [v for w in result.worklists for v in w.visits]
    assert len(visits) == 4
    for v in visits:
        assert v.window_start <= v.start <= v.window_end
        assert v.arrival <= v.start < v.end
        assert v.start.utcoffset().total_seconds() == 3600  # CET in December
    assert result.kpis.tasks_placed == result.kpis.tasks_total == 4
    assert 0 < result.kpis.patient_time_share < 1


def test_tasks_of_one_patient_in_overlapping_windows_form_one_visit():
    """Two tasks of one patient with overlapping windows are done in one stop."""
    data = _data(
        [
            _intervention("a", "p1", window=(time(8, 0), time(9, 0))),
            _intervention("b", "p1", window=(time(8, 30), time(10, 0))),
        ],
        [_staff("s1", CompetenceLevel.NURSE)],
    )
    result = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result
    (visit,) = [v for w in result.worklists for v in w.visits]
    assert {t.intervention_id for t in visit.tasks} == {"a", "b"}


def test_competence_and_skills_decide_who_does_the_visit():
    """Insulin needs a nurse with the insulin skill; the assistant never gets it."""
    data = _data(
        [
            _intervention(
                "ins", "p1", competence=CompetenceLevel.NURSE, skills=frozenset({Skill.INSULIN})
            )
        ],
        [
            _staff("s1", CompetenceLevel.ASSISTANT),
            _staff("s2", CompetenceLevel.NURSE, frozenset({Skill.INSULIN})),
        ],
    )
    result = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result
    owner = [w.staff_id for w in result.worklists if w.visits]
    assert owner == ["s2"]


def test_unqualified_time_critical_task_is_reported_with_reason():
    """A time-critical task nobody on shift may do is listed as unplaced, flagged and explained."""
    data = _data(
        [_intervention("ins", "p1", competence=CompetenceLevel.NURSE, time_critical=True)],
        [_staff("s1", CompetenceLevel.ASSISTANT)],
    )
    result = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result
    (unplaced,) = result.unplaced
    assert unplaced.reason == UnplacedReason.NO_QUALIFIED_STAFF
    assert unplaced.time_critical
    assert "sykepleier" in unplaced.explanation
    assert result.kpis.time_critical_unplaced == 1


def test_window_outside_shift_is_explained():
    """A day-shift task whose window ends before the first caregiver can arrive is explained."""
    data = _data(
        [_intervention("early", "p4", window=(time(7, 30), time(7, 34)))],
        [_staff("s1", CompetenceLevel.NURSE)],
    )
    result = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result
    (unplaced,) = result.unplaced
    assert unplaced.reason == UnplacedReason.WINDOW_OUTSIDE_SHIFT
    assert "07:34" in unplaced.explanation


def test_too_much_work_drops_with_no_time_left():
    """More work than one caregiver's shift holds: some visits come back as no time left."""
    data = _data(
        [
            _intervention(f"i{k}", f"p{k}", minutes=120, window=(time(8, 0), time(9, 0)))
            for k in range(1, 5)
        ],
        [_staff("s1", CompetenceLevel.NURSE)],
    )
    result = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result
    reasons = {u.reason for u in result.unplaced}
    assert reasons == {UnplacedReason.NO_TIME_LEFT}
    assert len(result.unplaced) == 3


def test_double_staffed_visit_has_two_caregivers_starting_together():
    """A double-staffed task appears on two worklists with the same start, naming the partner."""
    data = _data(
        [_intervention("lift", "p2", staff_count=2), _intervention("x", "p3")],
        [_staff("s1", CompetenceLevel.NURSE), _staff("s2", CompetenceLevel.HEALTH_WORKER)],
    )
    outcome = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK)
    assert outcome.violations == ()
    lifts = [
        (w.staff_id, v)
        for w in outcome.result.worklists
        for v in w.visits
        if v.tasks[0].intervention_id == "lift"
    ]
    assert len(lifts) == 2
    (s_a, v_a), (s_b, v_b) = lifts
    assert v_a.start == v_b.start
    assert v_a.partner_staff_ids == (s_b,)
    assert v_b.partner_staff_ids == (s_a,)


def test_no_staff_on_shift_reports_every_task():
    """With nobody rostered, every task is unplaced with reason no_staff_on_shift."""
    data = _data([_intervention("a", "p1")], [])
    result = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result
    assert [u.reason for u in result.unplaced] == [UnplacedReason.NO_STAFF_ON_SHIFT]


@pytest.mark.parametrize("shift", [ShiftKind.EVENING, ShiftKind.NIGHT])
def test_other_shifts_do_not_see_day_tasks(shift):
    """A morning task is not part of the evening or night shift's plan."""
    data = _data([_intervention("a", "p1")], [_staff("s1", CompetenceLevel.NURSE)])
    result = plan_shift(data, DAY, shift, params=QUICK).result
    assert result.kpis.tasks_total == 0
