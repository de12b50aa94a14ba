"""The plan command on the demo export, re-checked from its JSON without OR-Tools or the solver.

Everything is recomputed from the export itself: task windows from the interventions'
schedules, competence from the staff file, shift bounds from the municipality, so a bug in
task expansion, the model or the extraction shows up here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hjemmetjeneste.domain import CompetenceLevel, ScheduleKind, ShiftKind
from hjemmetjeneste.formats import read_export

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan")
    cmd = [
        sys.executable, "-m", "hjemmetjeneste.cli", "plan", str(DEMO),
        "--date", "2026-12-01", "--shift", "day", "--seed", "1", "--iterations", "20000",
        "--out", str(out),
        "--no-details",
    ]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    (path,) = out.glob("plan-*.json")
    return json.loads(path.read_text(encoding="utf-8")), read_export(DEMO), run.stdout


def _at(day: date, clock) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=OSLO)


def _window(export, task_id: str) -> tuple[datetime, datetime]:
    """The task's start window, recomputed from the intervention's schedule."""
    intervention_id, rest = task_id.split("@")
    day_text, k = rest.split("#")
    day, k = date.fromisoformat(day_text), int(k)
    intervention = next(
        i
        for c in export.care_plans
        for i in c.interventions
        if i.intervention_id == intervention_id
    )
    schedule = intervention.schedule
    if schedule.kind == ScheduleKind.FIXED:
        centre = _at(day, schedule.times[k - 1])
        tolerance = timedelta(minutes=schedule.tolerance_min)
        return centre - tolerance, centre + tolerance
    assert schedule.kind == ScheduleKind.WINDOW
    window = schedule.windows[k - 1]
    return _at(day, window.start), _at(day, window.end)


def test_cli_prints_worklists_and_key_figures(planned):
    """The command prints the worklist table and the key figures line, in bokmål by default."""
    _, _, stdout = planned
    assert "Arbeidslister" in stdout
    assert "Oppdrag planlagt" in stdout
    assert "Ventetid" in stdout  # waiting per worklist


def test_every_visit_starts_inside_every_task_window(planned):
    """Each planned visit starts inside the recomputed window of each of its tasks."""
    plan, export, _ = planned
    for worklist in plan["worklists"]:
        for visit in worklist["visits"]:
            start = datetime.fromisoformat(visit["start"])
            for task in visit["tasks"]:
                lo, hi = _window(export, task["task_id"])
                assert lo <= start <= hi, (task["task_id"], start, lo, hi)


def test_caregivers_are_rostered_and_qualified(planned):
    """Each worklist's caregiver is on that shift's roster and has competence and skills
    (for a visit with two roles, those of one of its roles)."""
    plan, export, _ = planned
    staff = {s.staff_id: s for s in export.staff}
    rostered = {
        e.staff_id
        for e in export.roster.entries
        if e.date == date(2026, 12, 1) and e.shift == "day"
    }
    interventions = {i.intervention_id: i for c in export.care_plans for i in c.interventions}
    for worklist in plan["worklists"]:
        person = staff[worklist["staff_id"]]
        assert person.staff_id in rostered
        for visit in worklist["visits"]:
            for task in visit["tasks"]:
                need = interventions[task["intervention_id"]]
                roles = [(need.required_competence, need.required_skills)]
                if need.second_staff_competence is not None:
                    roles.append((need.second_staff_competence, need.second_staff_skills))
                assert any(
                    CompetenceLevel(person.competence).rank >= level.rank
                    and skills <= person.skills
                    for level, skills in roles
                ), (person.staff_id, need.intervention_id)


def test_routes_respect_shift_bounds_and_their_own_clock(planned):
    """Out after 07:30, back by 15:00 (or the caregiver's own hours from the roster);
    arrivals, starts and ends follow each other in order, a break taken on the way delaying
    the arrival by exactly its length."""
    plan, export, _ = planned
    day = date(2026, 12, 1)
    hours = {
        e.staff_id: (e.start or datetime.strptime("07:30", "%H:%M").time(), e.end)
        for e in export.roster.entries
        if e.date == day and e.shift == "day"
    }
    for worklist in plan["worklists"]:
        own_start, own_end = hours[worklist["staff_id"]]
        shift_start = _at(day, own_start)
        shift_end = _at(day, own_end or datetime.strptime("15:00", "%H:%M").time())
        ready = datetime.fromisoformat(worklist["leave_base"])
        assert ready >= shift_start
        breaks = [
            (datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]))
            for b in worklist["breaks"]
        ]
        for visit in worklist["visits"]:
            arrival = datetime.fromisoformat(visit["arrival"])
            start = datetime.fromisoformat(visit["start"])
            end = datetime.fromisoformat(visit["end"])
            paused = sum((b - a for a, b in breaks if ready <= a and b <= arrival), timedelta())
            assert arrival == ready + timedelta(seconds=visit["travel_s"]) + paused
            assert arrival <= start < end
            minutes = sum(t["duration_min"] for t in visit["tasks"])
            assert end - start == timedelta(minutes=minutes)
            ready = end
        assert datetime.fromisoformat(worklist["return_base"]) <= shift_end


def test_double_staffed_visits_have_two_caregivers_starting_together(planned):
    """Every double-staffed visit on a worklist appears on exactly two, with the same start."""
    plan, export, _ = planned
    double = {
        i.intervention_id for c in export.care_plans for i in c.interventions if i.staff_count == 2
    }
    seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for worklist in plan["worklists"]:
        for visit in worklist["visits"]:
            if any(t["intervention_id"] in double for t in visit["tasks"]):
                seen[visit["visit_id"]].append((worklist["staff_id"], visit["start"]))
    assert seen, "the demo day shift has double-staffed visits"
    for visit_id, staff_starts in seen.items():
        assert len(staff_starts) == 2, visit_id
        (s1, t1), (s2, t2) = staff_starts
        assert s1 != s2
        assert t1 == t2


def test_every_task_is_either_planned_once_or_explained(planned):
    """Planned plus unplaced covers every task of the shift once; each unplaced has a reason."""
    plan, _, _ = planned
    planned_ids = [t["task_id"] for w in plan["worklists"] for v in w["visits"] for t in v["tasks"]]
    double = {
        v["visit_id"] for w in plan["worklists"] for v in w["visits"] if v["partner_staff_ids"]
    }
    single_ids = [
        t["task_id"]
        for w in plan["worklists"]
        for v in w["visits"]
        if v["visit_id"] not in double
        for t in v["tasks"]
    ]
    assert len(single_ids) == len(set(single_ids))
    unplaced = {u["task_id"]: u for u in plan["unplaced"]}
    assert not set(planned_ids) & set(unplaced)
    assert len(set(planned_ids)) + len(unplaced) == plan["kpis"]["tasks_total"]
    assert all(u["reason"] and u["explanation"] for u in unplaced.values())
    assert plan["shift"] == ShiftKind.DAY.value
