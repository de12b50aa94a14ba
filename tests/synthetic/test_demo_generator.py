"""Tests of the synthetic demo municipality and the committed data/demo export.

The workload checks use a small, self-contained estimate (below): expand schedules for one
date, assign occurrences to shifts, merge a patient's overlapping occurrences into visits
and dispatch the visits greedily to the rostered staff with a flat travel time. It is not
the project's task expansion (hjemmetjeneste.tasks) and is deliberately pessimistic: if
this greedy dispatcher places nearly everything, a routing solver can too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from hjemmetjeneste.domain import (
    CompetenceLevel,
    Intervention,
    MunicipalityData,
    ProblemArea,
    ScheduleKind,
    ShiftKind,
    Skill,
    Staff,
)
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.synthetic import generate_demo
from hjemmetjeneste.synthetic.demo import ROSTER_DAYS, ROSTER_START, main

DEMO_FOLDER = Path(__file__).resolve().parents[2] / "data" / "demo"
CHECK_DAY = date(2026, 12, 1)  # a Tuesday


@pytest.fixture(scope="module")
def demo() -> MunicipalityData:
    return generate_demo(2026)


def interventions(data: MunicipalityData) -> list[Intervention]:
    return [i for plan in data.care_plans for i in plan.interventions]


# --------------------------------------------------------------------------------------
# A rough workload estimate (test helper)
# --------------------------------------------------------------------------------------

TRAVEL_MIN = 5
BREAK_MIN = 30

# Shift start and length in minutes after midnight of the shift's date.
SHIFT_SPAN: dict[ShiftKind, tuple[int, int]] = {
    ShiftKind.DAY: (7 * 60 + 30, 15 * 60),
    ShiftKind.EVENING: (15 * 60, 22 * 60 + 30),
    ShiftKind.NIGHT: (22 * 60 + 30, 24 * 60 + 7 * 60 + 30),
}


@dataclass(frozen=True)
class Occurrence:
    """One task: window for its start in minutes after midnight of the shift's date."""

    patient_id: str
    intervention: Intervention
    earliest: int
    latest: int


@dataclass
class LoadVisit:
    """Occurrences of one patient done together."""

    patient_id: str
    tasks: list[Occurrence] = field(default_factory=list)

    @property
    def earliest(self) -> int:
        return max(t.earliest for t in self.tasks)

    @property
    def latest(self) -> int:
        return min(t.latest for t in self.tasks)

    @property
    def duration(self) -> int:
        return sum(t.intervention.duration_min for t in self.tasks)

    @property
    def staff_count(self) -> int:
        return max(t.intervention.staff_count for t in self.tasks)

    @property
    def competence(self) -> CompetenceLevel:
        return max((t.intervention.required_competence for t in self.tasks), key=lambda c: c.rank)

    @property
    def skills(self) -> frozenset[Skill]:
        return frozenset().union(*(t.intervention.required_skills for t in self.tasks))


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _recurs_on(item: Intervention, day: date) -> bool:
    schedule = item.schedule
    if schedule.kind == ScheduleKind.AS_NEEDED or not item.is_valid_on(day):
        return False
    if schedule.weekdays and day.isoweekday() not in schedule.weekdays:
        return False
    if schedule.every_n_weeks > 1:
        assert schedule.week_anchor is not None
        anchor_monday = schedule.week_anchor - timedelta(days=schedule.week_anchor.weekday())
        monday = day - timedelta(days=day.weekday())
        if ((monday - anchor_monday).days // 7) % schedule.every_n_weeks:
            return False
    return True


def _day_occurrences(item: Intervention, day: date) -> list[tuple[int, int, int]]:
    """(nominal, earliest, latest) start minutes of the item's tasks on ``day``."""
    if not _recurs_on(item, day):
        return []
    schedule = item.schedule
    if schedule.kind == ScheduleKind.FIXED:
        tol = schedule.tolerance_min
        return [(_minutes(t), _minutes(t) - tol, _minutes(t) + tol) for t in schedule.times]
    return [(_minutes(w.start), _minutes(w.start), _minutes(w.end)) for w in schedule.windows]


def shift_occurrences(data: MunicipalityData, day: date, shift: ShiftKind) -> list[Occurrence]:
    """Tasks of one shift starting on ``day``; night includes the next morning's."""
    start, end = SHIFT_SPAN[shift]
    found: list[Occurrence] = []
    for plan in data.care_plans:
        for item in plan.interventions:
            for offset, when in ((0, day), (24 * 60, day + timedelta(days=1))):
                for nominal, earliest, latest in _day_occurrences(item, when):
                    if start <= nominal + offset < end:
                        found.append(
                            Occurrence(plan.patient_id, item, earliest + offset, latest + offset)
                        )
    return found


def merge_visits(tasks: list[Occurrence]) -> list[LoadVisit]:
    """Per patient, occurrences whose windows overlap form one visit."""
    visits: list[LoadVisit] = []
    by_patient: dict[str, list[Occurrence]] = {}
    for task in tasks:
        by_patient.setdefault(task.patient_id, []).append(task)
    for patient_id, items in sorted(by_patient.items()):
        current: LoadVisit | None = None
        for task in sorted(items, key=lambda t: (t.earliest, t.latest)):
            if current is not None and max(current.earliest, task.earliest) <= min(
                current.latest, task.latest
            ):
                current.tasks.append(task)
            else:
                current = LoadVisit(patient_id, [task])
                visits.append(current)
    return visits


@dataclass
class ShiftLoad:
    """Figures for one shift."""

    tasks: int
    visits: int
    staff: int
    staff_minutes: int  # service + travel, times staff count
    paid_minutes: int
    placed_visits: int
    placed_tasks: int
    unplaced_critical: int

    @property
    def utilisation(self) -> float:
        return self.staff_minutes / self.paid_minutes if self.paid_minutes else 0.0


def shift_load(data: MunicipalityData, day: date, shift: ShiftKind) -> ShiftLoad:
    """Estimate one shift's load and how much a greedy dispatcher manages to place."""
    tasks = shift_occurrences(data, day, shift)
    visits = merge_visits(tasks)
    staff_by_id = {s.staff_id: s for s in data.staff}
    on_shift = [
        staff_by_id[e.staff_id] for e in data.roster.entries if e.date == day and e.shift == shift
    ]
    start, end = SHIFT_SPAN[shift]
    staff_minutes = sum((v.duration + TRAVEL_MIN) * v.staff_count for v in visits)
    placed = _dispatch(visits, on_shift, start, end)
    return ShiftLoad(
        tasks=len(tasks),
        visits=len(visits),
        staff=len(on_shift),
        staff_minutes=staff_minutes,
        paid_minutes=len(on_shift) * (end - start),
        placed_visits=len(placed),
        placed_tasks=sum(len(v.tasks) for v in placed),
        unplaced_critical=sum(
            1 for v in visits if v not in placed for t in v.tasks if t.intervention.time_critical
        ),
    )


def _qualified(member: Staff, visit: LoadVisit) -> bool:
    return member.qualifies_for(visit.competence, visit.skills)


def _dispatch(visits: list[LoadVisit], staff: list[Staff], start: int, end: int) -> list[LoadVisit]:
    """Greedy list scheduling: the earliest-free caregiver takes the most urgent visit."""
    free = {s.staff_id: start + TRAVEL_MIN for s in staff}
    had_break = {s.staff_id: False for s in staff}
    break_after = start + (end - start) // 2
    open_visits = sorted(visits, key=lambda v: (v.latest, v.earliest))
    done: list[LoadVisit] = []
    idle = set(free)
    while open_visits and idle:
        sid = min(idle, key=lambda k: (free[k], k))
        me = next(s for s in staff if s.staff_id == sid)
        now = free[sid]
        if not had_break[sid] and now >= break_after:
            had_break[sid] = True
            free[sid] = now + BREAK_MIN
            continue
        best: LoadVisit | None = None
        best_key: tuple[int, int, int, int] | None = None
        for visit in open_visits:
            if not _qualified(me, visit):
                continue
            begin = max(now + TRAVEL_MIN, visit.earliest)
            if begin > visit.latest or begin + visit.duration + TRAVEL_MIN > end:
                continue
            wait = begin - now - TRAVEL_MIN
            # Prefer visits that can start (almost) now; then work that needs scarce
            # qualifications; then the least slack.
            scarce = visit.competence.rank >= 3 or bool(visit.skills)
            key = (wait > 10, wait if wait > 10 else 0, not scarce, visit.latest)
            if best_key is None or key < best_key:
                best, best_key = visit, key
        if best is None:
            idle.discard(sid)
            continue
        if best.staff_count == 2:
            partners = [
                s for s in staff if s.staff_id != sid and s.staff_id in idle and _qualified(s, best)
            ]
            partners = [
                s for s in partners if max(free[s.staff_id], now) + TRAVEL_MIN <= best.latest
            ]
            if not partners:
                # Nobody can join: skip this visit for this caregiver by trying later.
                open_visits.remove(best)
                continue
            partner = min(partners, key=lambda s: free[s.staff_id])
            begin = max(now, free[partner.staff_id]) + TRAVEL_MIN
            begin = max(begin, best.earliest)
            if begin + best.duration + TRAVEL_MIN > end:
                open_visits.remove(best)
                continue
            free[partner.staff_id] = begin + best.duration
        else:
            begin = max(now + TRAVEL_MIN, best.earliest)
        free[sid] = begin + best.duration
        open_visits.remove(best)
        done.append(best)
    return done


def shift_days() -> list[date]:
    return [ROSTER_START + timedelta(days=k) for k in range(ROSTER_DAYS)]


# --------------------------------------------------------------------------------------
# The committed data and determinism
# --------------------------------------------------------------------------------------


def test_committed_demo_data_matches_the_generator(demo: MunicipalityData) -> None:
    """data/demo reads without issues and equals generate_demo(2026) exactly (no drift)."""
    assert read_export(DEMO_FOLDER) == demo


def test_same_seed_same_data_other_seed_other_data() -> None:
    """generate_demo is deterministic for a seed and varies with the seed."""
    assert generate_demo(7) == generate_demo(7)
    assert generate_demo(7) != generate_demo(8)


def test_main_writes_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The module's main() writes a readable export and prints a summary line."""
    assert main(["--seed", "3", "--out", str(tmp_path / "out")]) == 0
    assert read_export(tmp_path / "out") == generate_demo(3)
    assert "patients" in capsys.readouterr().out


# --------------------------------------------------------------------------------------
# Size, variety and realism floors
# --------------------------------------------------------------------------------------


def test_size_floors(demo: MunicipalityData) -> None:
    """At least 150 patients and 450 interventions, every patient with a care plan."""
    assert len(demo.patients) >= 150
    assert len(interventions(demo)) >= 450
    assert {p.patient_id for p in demo.patients} == {c.patient_id for c in demo.care_plans}
    assert all(c.interventions for c in demo.care_plans)


def test_every_problem_area_and_schedule_form_is_present(demo: MunicipalityData) -> None:
    """Twelve standard problem areas, all schedule kinds and the recurrence variants appear."""
    items = interventions(demo)
    areas = {i.problem_area for i in items}
    assert len(areas) == 12 and all(isinstance(a, ProblemArea) for a in areas)
    assert {i.schedule.kind for i in items} == set(ScheduleKind)
    assert any(i.schedule.weekdays for i in items)
    assert any(i.schedule.every_n_weeks == 2 and i.schedule.week_anchor for i in items)
    assert any(len(i.schedule.windows) == 3 for i in items)
    assert any(i.valid_to is not None and i.valid_to < ROSTER_START for i in items)
    assert any(i.valid_from > ROSTER_START for i in items)


def test_double_staffed_share(demo: MunicipalityData) -> None:
    """Between 5 % and 15 % of interventions need two caregivers."""
    items = interventions(demo)
    share = sum(i.staff_count == 2 for i in items) / len(items)
    assert 0.05 <= share <= 0.15


def test_durations_and_competence_rules(demo: MunicipalityData) -> None:
    """Durations are 5-60 min; medication needs authorised staff; insulin the insulin skill."""
    for item in interventions(demo):
        assert 5 <= item.duration_min <= 60
        if item.problem_area == ProblemArea.MEDICATION:
            assert item.required_competence.satisfies(CompetenceLevel.SOCIAL_EDUCATOR)
        if "insulin" in item.description.lower():
            assert Skill.INSULIN in item.required_skills
            assert item.time_critical
            assert item.schedule.tolerance_min == 15
        if item.problem_area == ProblemArea.ADVANCED_TREATMENT:
            assert item.required_competence.satisfies(CompetenceLevel.NURSE)


def test_patients_live_in_eastern_trondheim(demo: MunicipalityData) -> None:
    """Coordinates fall in the eastern/central Trondheim box (all but the one patient entered
    with latitude and longitude swapped, the demo's impossible task); ids are unique."""
    slips = [p for p in demo.patients if not 63.41 <= p.location.lat <= 63.45]
    assert [(p.location.lon, p.location.lat) for p in slips] == [(63.4301, 10.4312)]
    for patient in demo.patients:
        if patient in slips:
            continue
        assert 63.41 <= patient.location.lat <= 63.45
        assert 10.39 <= patient.location.lon <= 10.52
    assert len({p.patient_id for p in demo.patients}) == len(demo.patients)
    assert sum(p.key_box_note is not None for p in demo.patients) >= 30


def test_competence_mix(demo: MunicipalityData) -> None:
    """Staff follow roughly 15/35/10/35/5 % assistent/hfa/vernepleier/sykepleier/spesial."""
    counts = Counter(s.competence for s in demo.staff)
    expected = {
        CompetenceLevel.ASSISTANT: 0.15,
        CompetenceLevel.HEALTH_WORKER: 0.35,
        CompetenceLevel.SOCIAL_EDUCATOR: 0.10,
        CompetenceLevel.NURSE: 0.35,
        CompetenceLevel.SPECIALIST_NURSE: 0.05,
    }
    for level, share in expected.items():
        assert abs(counts[level] / len(demo.staff) - share) <= 0.03


# --------------------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------------------


def test_roster_floors_per_day_and_shift(demo: MunicipalityData) -> None:
    """Weekdays have ≥20/12/3 day/evening/night staff, weekends ≥14/10/3, for 14 days."""
    counts = Counter((e.date, e.shift) for e in demo.roster.entries)
    assert {e.date for e in demo.roster.entries} == set(shift_days())
    for day in shift_days():
        weekend = day.isoweekday() >= 6
        floors = (14, 10, 3) if weekend else (20, 12, 3)
        for kind, floor in zip(
            (ShiftKind.DAY, ShiftKind.EVENING, ShiftKind.NIGHT), floors, strict=True
        ):
            assert counts[(day, kind)] >= floor, (day, kind)


def test_at_most_one_shift_a_day_and_rest_after_evening(demo: MunicipalityData) -> None:
    """Nobody works twice on a date, nor a day shift straight after an evening or night."""
    shifts = {(e.staff_id, e.date): e.shift for e in demo.roster.entries}
    assert len(shifts) == len(demo.roster.entries)
    for (staff_id, day), kind in shifts.items():
        before = shifts.get((staff_id, day - timedelta(days=1)))
        if kind == ShiftKind.DAY:
            assert before not in (ShiftKind.EVENING, ShiftKind.NIGHT)


def test_rota_runs_in_blocks_of_one_shift_kind(demo: MunicipalityData) -> None:
    """Staff work runs of consecutive days of one shift kind, not single days scattered over
    the weeks (continuity of care depends on it), and few work both weekends."""
    shifts = {(e.staff_id, e.date): e.shift for e in demo.roster.entries}
    runs: list[int] = []
    for staff_id in {e.staff_id for e in demo.roster.entries}:
        length = 0
        for day in [*shift_days(), ROSTER_START + timedelta(days=ROSTER_DAYS)]:
            kind = shifts.get((staff_id, day))
            if kind is not None and kind == shifts.get((staff_id, day - timedelta(days=1))):
                length += 1
                continue
            if length:
                runs.append(length)
            length = 1 if kind is not None else 0
    days_in_long_runs = sum(n for n in runs if n >= 3)
    assert days_in_long_runs >= 0.75 * sum(runs), Counter(runs)
    weekends = Counter(
        (staff_id, (day - ROSTER_START).days // 7)
        for staff_id, day in shifts
        if day.isoweekday() >= 6
    )
    both = Counter(staff_id for staff_id, _ in weekends)
    assert sum(1 for n in both.values() if n == 2) <= 0.1 * len(demo.staff), both


def test_every_task_has_qualified_staff_on_its_shift(demo: MunicipalityData) -> None:
    """On every date and shift, each visit's competence and skills are held by enough staff."""
    staff = {s.staff_id: s for s in demo.staff}
    for day in shift_days():
        for kind in ShiftKind:
            on_shift = [
                staff[e.staff_id] for e in demo.roster.entries if e.date == day and e.shift == kind
            ]
            for visit in merge_visits(shift_occurrences(demo, day, kind)):
                qualified = sum(1 for s in on_shift if _qualified(s, visit))
                assert qualified >= visit.staff_count, (day, kind, visit.patient_id)


# --------------------------------------------------------------------------------------
# Workload calibration on a weekday
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "tasks", "utilisation"),
    [
        (ShiftKind.DAY, (200, 300), (0.65, 0.80)),
        (ShiftKind.EVENING, (120, 180), (0.35, 0.80)),
        (ShiftKind.NIGHT, (15, 30), (0.0, 0.80)),
    ],
)
def test_weekday_workload_is_calibrated(
    demo: MunicipalityData,
    kind: ShiftKind,
    tasks: tuple[int, int],
    utilisation: tuple[float, float],
) -> None:
    """On 2026-12-01 each shift's task count and paid-time utilisation are in the target band."""
    load = shift_load(demo, CHECK_DAY, kind)
    assert tasks[0] <= load.tasks <= tasks[1]
    assert utilisation[0] <= load.utilisation <= utilisation[1]


@pytest.mark.parametrize("day", shift_days(), ids=str)
def test_greedy_dispatch_places_nearly_everything(demo: MunicipalityData, day: date) -> None:
    """A naive greedy dispatcher already places ≥95 % of tasks on every shift of the day."""
    for kind in ShiftKind:
        load = shift_load(demo, day, kind)
        assert load.placed_tasks >= 0.95 * load.tasks, (day, kind, load)
        assert load.unplaced_critical <= 2, (day, kind, load)


def test_task_windows_stay_inside_their_shift(demo: MunicipalityData) -> None:
    """Every task's start window lies within one shift, so no task straddles a handover."""
    for day in (CHECK_DAY, date(2026, 12, 6)):
        for kind in ShiftKind:
            start, end = SHIFT_SPAN[kind]
            tasks = shift_occurrences(demo, day, kind)
            assert all(start <= t.earliest <= t.latest < end for t in tasks), (day, kind)
            visits = merge_visits(tasks)
            assert sum(len(v.tasks) for v in visits) == len(tasks)
            assert all(v.latest - v.earliest >= 20 or len(v.tasks) == 1 for v in visits)
