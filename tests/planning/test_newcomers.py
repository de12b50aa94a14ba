"""Continuity within a shift: one newcomer per patient rather than several."""

from __future__ import annotations

from datetime import timedelta

from factories import TINY_DAY, tiny_intervention, tiny_tables, write_tables
from hjemmetjeneste.domain import CareHistory, ServedTask, ShiftKind
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.planning.continuity import newcomers, with_newcomers
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.solver import Route, RouteStop, Solution
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource


def _plan(tmp_path, history: CareHistory | None = None):
    """The tiny export's day shift, Kari (P1) with a third visit (I6 at 10:00)."""
    tables = tiny_tables()
    tables["interventions"].append(tiny_intervention("I6", "P1", times="10:00"))
    data = read_export(write_tables(tables, tmp_path))
    plan = build_day_plan(data, TINY_DAY, ShiftKind.DAY, "D1", history=history)
    return plan, build_problem(plan, GreatCircleSource())


def _solution(built, served: dict[str, list[str]]) -> Solution:
    """Each caregiver (staff id) serving the jobs of the given visit-id prefixes."""
    routes = []
    for v, staff in enumerate(built.index.vehicle_staff):
        nodes = [
            n
            for n, visit in enumerate(built.index.job_visit)
            if visit and any(visit.startswith(f"visit:{p}") for p in served.get(staff, []))
        ]
        routes.append(Route(v, 0, tuple(RouteStop(n, 0, 0) for n in nodes), 0))
    return Solution(tuple(routes), (), 0, "test", 0.0)


def _served(staff: str, plan) -> ServedTask:
    return ServedTask(
        task_id="I1@before", intervention_id="I1", patient_id="P1", staff_ids=(staff,),
        start=plan.shift.start - timedelta(days=1),
    )  # fmt: skip


def test_the_newcomer_with_most_of_her_visits_becomes_hers(tmp_path):
    """Kari (P1) has three visits on the day shift (08:00, 10:00, 12:00), Anne (P3) one.
    Kari's going to S1 (one) and S2 (two), both new to her, make S2 hers; in a tie the
    first vehicle's caregiver; Anne's single newcomer is left alone."""
    plan, built = _plan(tmp_path / "a")
    solution = _solution(built, {"S1": ["I1@"], "S2": ["I2@", "I6@"], "S3": ["I4@"]})
    (served,) = newcomers(plan, built, solution)
    assert (served.patient_id, served.staff_ids, served.start) == ("P1", ("S2",), plan.shift.start)
    tie = _solution(built, {"S1": ["I1@"], "S3": ["I2@"], "S2": ["I4@"]})
    assert [s.staff_ids for s in newcomers(plan, built, tie)] == [("S1",)]
    again = with_newcomers(plan, (served,))
    assert again.history.served[-1] == served and again.visits == plan.visits


def test_a_caregiver_she_already_has_is_no_newcomer(tmp_path):
    """S2 visited Kari yesterday: only S1 is new to her on this shift, nothing to choose;
    with S1 on both her visits there is one newcomer, nothing to choose either."""
    plan, _ = _plan(tmp_path / "a")
    plan, built = _plan(tmp_path / "b", CareHistory(served=(_served("S2", plan),)))
    assert newcomers(plan, built, _solution(built, {"S1": ["I1@"], "S2": ["I2@"]})) == ()
    assert newcomers(plan, built, _solution(built, {"S1": ["I1@", "I2@"]})) == ()
