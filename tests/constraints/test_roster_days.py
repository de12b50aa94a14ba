"""The roster as it is: own hours, start and end places, and two roles of a double visit."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from constraint_helpers import DAY, QUICK, district, intervention, staff

from hjemmetjeneste.domain import (
    HOME,
    Base,
    CompetenceLevel,
    GeoPoint,
    MunicipalityData,
    RosterEntry,
    ShiftKind,
    Skill,
    TravelMode,
    UnplacedReason,
)
from hjemmetjeneste.pipeline import plan_shift
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.planning.verify import verify_plan
from hjemmetjeneste.solver import ViolationKind
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource

OSLO = ZoneInfo("Europe/Oslo")
N, H = CompetenceLevel.NURSE, CompetenceLevel.HEALTH_WORKER


def _with_entries(data, **changes_by_staff):
    """``data`` with the roster entries of the named staff changed."""
    entries = tuple(
        e.model_copy(update=changes_by_staff[e.staff_id]) if e.staff_id in changes_by_staff else e
        for e in data.roster.entries
    )
    return data.model_copy(update={"roster": data.roster.model_copy(update={"entries": entries})})


def _plan(data):
    outcome = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK)
    assert outcome.violations == ()
    return outcome.result


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=OSLO)


def test_own_hours_become_the_caregivers_working_window():
    """A part-day caregiver (10:00-13:00) works inside those hours only; a staggered start
    (06:30) opens the day earlier; a morning visit nobody works at is not planned."""
    morning = intervention("morning", "p1", window=(time(8, 0), time(8, 30)))
    late = intervention("late", "p2", window=(time(11, 0), time(12, 0)))
    data = _with_entries(
        district([morning, late], [staff("s1"), staff("s2")]),
        s1={"start": time(6, 30)},
        s2={"start": time(10, 0), "end": time(13, 0)},
    )
    day = build_day_plan(data, DAY, ShiftKind.DAY, "d")
    problem = build_problem(day, GreatCircleSource()).problem
    hours = list(zip(problem.vehicle_start_s.tolist(), problem.vehicle_end_s.tolist(), strict=True))
    assert hours == [(6 * 3600 + 1800, 15 * 3600), (10 * 3600, 13 * 3600)]
    result = _plan(data)
    assert result.unplaced == ()
    by_staff = {w.staff_id: w for w in result.worklists}
    assert [t.intervention_id for v in by_staff["s1"].visits for t in v.tasks][:1] == ["morning"]
    s2 = by_staff["s2"]
    assert all(_at(10) <= v.arrival and v.end <= _at(13) for v in s2.visits)
    # Binding: with s1 from 09:00 nobody works at 08:00-08:30.
    result = _plan(_with_entries(data, s1={"start": time(9, 0)}))
    assert [(u.intervention_id, u.reason) for u in result.unplaced] == [
        ("morning", UnplacedReason.WINDOW_OUTSIDE_SHIFT)
    ]


def test_a_day_that_starts_at_home_leaves_from_home_and_says_so():
    """A caregiver whose day starts and ends at home travels from the home, and the
    worklist names the place (kind only: no address); the base is not a stop."""
    home = GeoPoint(lat=63.445, lon=10.425)  # next to p4, far from the base
    visit = intervention("v", "p4", window=(time(8, 0), time(8, 30)))
    data = district([visit], [staff("s1").model_copy(update={"home": home})])
    data = _with_entries(data, s1={"start_place": HOME, "end_place": HOME})
    day = build_day_plan(data, DAY, ShiftKind.DAY, "d")
    built = build_problem(day, GreatCircleSource())
    # The home is the only depot (the base is no node: nobody starts or ends there).
    assert built.problem.n_nodes == 2
    assert int(built.problem.vehicle_start_node[0]) == int(built.problem.vehicle_end_node[0])
    p4 = day.patient("p4").location
    leg = GreatCircleSource().matrix([home, day.base.location, p4], TravelMode.CAR).duration_s
    from_home, from_base = int(leg[0, 2]), int(leg[1, 2])
    assert from_home < from_base
    result = _plan(data)
    (w,) = result.worklists
    assert w.start_place is not None and w.start_place.place_id == HOME
    assert w.start_place.name == ""
    assert w.visits[0].travel_s == from_home


def test_a_day_that_starts_at_another_base_uses_that_base():
    """Another base as start place: the vehicle starts there and the worklist names it."""
    data = district([intervention("v", "p1")], [staff("s1")])
    other = Base(base_id="b2", name="Sentrum", address="X", location=GeoPoint(lat=63.44, lon=10.41))
    data = data.model_copy(update={"bases": (*data.bases, other)})
    data = _with_entries(data, s1={"start_place": "b2"})
    result = _plan(data)
    (w,) = result.worklists
    assert w.start_place is not None and (w.start_place.place_id, w.start_place.name) == (
        "b2",
        "Sentrum",
    )
    assert w.end_place is None  # back at the district's base


def test_unknown_places_and_homeless_home_starts_are_refused():
    """A start place that names no base, or home for a caregiver without one, is an error."""
    data = district([intervention("v", "p1")], [staff("s1")])
    bad = _with_entries(data, s1={"start_place": "nowhere"})
    with pytest.raises(ValueError, match="neither a base nor 'home'"):
        MunicipalityData.model_validate(bad.model_dump())
    homeless = _with_entries(data, s1={"end_place": HOME})
    with pytest.raises(ValueError, match="has no home"):
        MunicipalityData.model_validate(homeless.model_dump())


def test_own_hours_reach_across_the_shift_and_must_make_a_day():
    """06:00 on a 07:30 day shift is that morning; 23:00-07:00 on a night shift ends the next
    day; 14:00-08:00 on a day shift makes no working day."""
    from hjemmetjeneste.domain import DEFAULT_SHIFTS

    day_shift, _, night = DEFAULT_SHIFTS
    entry = RosterEntry(staff_id="s", date=DAY, shift=ShiftKind.DAY, district_id="d")
    assert entry.model_copy(update={"start": time(6), "end": time(16)}).hour_days(day_shift) == (
        (0, time(6)),
        (0, time(16)),
    )
    night_entry = entry.model_copy(
        update={"shift": ShiftKind.NIGHT, "start": time(23), "end": time(7)}
    )
    assert night_entry.hour_days(night) == ((0, time(23)), (1, time(7)))
    bad = entry.model_copy(update={"start": time(14), "end": time(8)})
    assert "ends before it starts" in str(bad.hours_problem(day_shift) or "")
    assert entry.hours_problem(day_shift) is None


def _roles_district():
    wound = frozenset({Skill.WOUND_CARE})
    catheter = frozenset({Skill.CATHETER})
    pair = intervention(
        "pair",
        "p1",
        competence=N,
        skills=wound,
        staff_count=2,
        second_staff_competence=H,
        second_staff_skills=catheter,
    )
    team = [staff("s1", N, wound), staff("s2", H, catheter), staff("s3", H)]
    return district([pair], team)


def test_the_second_role_needs_its_own_skills():
    """'A sykepleier with sårstell and a helsefagarbeider with kateter': the helper without
    the catheter skill is never the second caregiver; without a qualified helper on shift
    the visit is not planned."""
    data = _roles_district()
    result = _plan(data)
    (visit,) = {v.visit_id for w in result.worklists for v in w.visits}
    who = sorted(w.staff_id for w in result.worklists if w.visits)
    assert visit and who == ["s1", "s2"]
    data = data.model_copy(update={"staff": tuple(s for s in data.staff if s.staff_id != "s2")})
    data = data.model_copy(
        update={
            "roster": data.roster.model_copy(
                update={"entries": tuple(e for e in data.roster.entries if e.staff_id != "s2")}
            )
        }
    )
    result = _plan(data)
    assert [u.reason for u in result.unplaced] == [UnplacedReason.NOT_ENOUGH_QUALIFIED_STAFF]


def test_the_checker_names_a_second_caregiver_without_the_roles_skills():
    """A hand-edited plan that gives the second role to the helper without the catheter
    skill is a violation naming that caregiver, the visit and the missing skill."""
    data = _roles_district()
    result = _plan(data)
    edited = result.model_copy(
        update={
            "worklists": tuple(
                w.model_copy(update={"staff_id": "s3", "first_name": "S3"})
                if w.staff_id == "s2"
                else (
                    w.model_copy(update={"staff_id": "s2", "first_name": "S2"})
                    if w.staff_id == "s3"
                    else w
                )
                for w in result.worklists
            )
        }
    )
    day = build_day_plan(data, DAY, ShiftKind.DAY, "d")
    built = build_problem(day, GreatCircleSource())
    found = verify_plan(day, built, edited)
    missing = [f for f in found if f.kind is ViolationKind.MISSING_COMPETENCE]
    assert len(missing) == 1 and missing[0].staff_id == "s3"
    assert missing[0].visit_id is not None
    assert "catheter" in missing[0].message


def test_the_checker_names_a_caregiver_who_leaves_before_their_own_start():
    """A worklist that leaves at 07:30 for a caregiver whose day starts at 10:00 is a
    violation naming the caregiver."""
    data = _with_entries(
        district([intervention("v", "p1", window=(time(10, 0), time(12, 0)))], [staff("s1")]),
        s1={"start": time(10, 0)},
    )
    result = _plan(data)
    (w,) = result.worklists
    early = result.model_copy(
        update={"worklists": (w.model_copy(update={"leave_base": _at(7, 30)}),)}
    )
    day = build_day_plan(data, DAY, ShiftKind.DAY, "d")
    found = verify_plan(day, build_problem(day, GreatCircleSource()), early)
    leaves = [f for f in found if f.kind is ViolationKind.LEAVES_BEFORE_SHIFT]
    assert [f.staff_id for f in leaves] == ["s1"]
    assert "10:00" in leaves[0].message


def test_the_worklist_leaves_late_for_a_late_first_visit():
    """Departing as late as the plan allows, end to end: the only visit opens at 11:00, so
    the worklist leaves shortly before 11:00 (not at 07:30) and shows no wait at the door."""
    data = district([intervention("v", "p1", window=(time(11, 0), time(11, 30)))], [staff("s1")])
    result = _plan(data)
    (w,) = result.worklists
    (visit,) = w.visits
    assert w.leave_base > _at(10, 30)
    assert visit.arrival == visit.start == _at(11, 0)
    assert w.wait_s == 0
