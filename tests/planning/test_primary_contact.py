"""The primary contact (primærkontakt): an optional export column and a preference."""

from __future__ import annotations

from datetime import timedelta

from factories import TINY_DAY as DAY
from factories import tiny_tables as base_tables
from factories import write_tables
from hjemmetjeneste.domain import PlanningRules
from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.pipeline import plan_shift
from hjemmetjeneste.solver import SolveParams

# A work budget, not a 0.5 s wall-clock limit: whether the preference is honoured must not
# depend on how loaded the machine is.
BUDGET = SolveParams(time_limit_s=30, iterations=500, seed=0)


def test_column_round_trips_and_the_search_prefers_her(tmp_path):
    tables = base_tables()
    # Two caregivers who could both do Ola's shower; Ola's primary contact is Nora (S3).
    for row in tables["patients"]:
        row["primary_contact_id"] = "S3" if row["patient_id"] == "P2" else ""
    data = read_export(write_tables(tables, tmp_path / "in"))
    assert {p.patient_id: p.primary_contact_id for p in data.patients}["P2"] == "S3"
    write_export(data, tmp_path / "out")
    again = read_export(tmp_path / "out")
    assert {p.patient_id: p.primary_contact_id for p in again.patients}["P2"] == "S3"

    rules = PlanningRules(primary_contact_weight=50_000)
    data = data.model_copy(
        update={"municipality": data.municipality.model_copy(update={"rules": rules})}
    )
    result = plan_shift(data, DAY, "day", params=BUDGET).result
    ola = [w.staff_id for w in result.worklists for v in w.visits if v.patient_id == "P2"]
    assert ola == ["S3"]


def test_an_unknown_primary_contact_is_an_input_error(tmp_path):
    import pytest

    from hjemmetjeneste.errors import PlanInputError

    tables = base_tables()
    for row in tables["patients"]:
        row["primary_contact_id"] = "S99"
    with pytest.raises(PlanInputError, match="primary_contact_id"):
        read_export(write_tables(tables, tmp_path))


def _shower_caregivers(tables, tmp_path, rules: PlanningRules | None = None) -> list[str]:
    """Who showers Ola (P2) on the tiny export's day shift."""
    data = read_export(write_tables(tables, tmp_path))
    if rules is not None:
        data = data.model_copy(
            update={"municipality": data.municipality.model_copy(update={"rules": rules})}
        )
    result = plan_shift(data, DAY, "day", params=BUDGET).result
    return [w.staff_id for w in result.worklists for v in w.visits if v.patient_id == "P2"]


def test_the_care_team_round_trips_and_is_preferred_on_a_first_visit(tmp_path):
    """Nobody has visited Ola yet: without a team the search takes whoever fits the routes;
    with a care team, a team member (continuity weight on), not when the weight is 0."""
    (free,) = _shower_caregivers(base_tables(), tmp_path / "free")
    member = next(s for s in ("S1", "S2", "S3") if s != free)
    tables = base_tables()
    for row in tables["patients"]:
        row["care_team_ids"] = member if row["patient_id"] == "P2" else ""
    data = read_export(write_tables(tables, tmp_path / "in"))
    assert {p.patient_id: p.care_team_ids for p in data.patients}["P2"] == {member}
    write_export(data, tmp_path / "out")
    assert read_export(tmp_path / "out") == data

    assert _shower_caregivers(tables, tmp_path / "team") == [member]
    off = PlanningRules(continuity_weight=0)
    assert _shower_caregivers(tables, tmp_path / "off", off) == [free]


def test_an_unknown_or_refused_team_member_is_an_input_error(tmp_path):
    import pytest

    from hjemmetjeneste.errors import PlanInputError

    tables = base_tables()
    for row in tables["patients"]:
        row["care_team_ids"] = "S1|S99"
    with pytest.raises(PlanInputError, match="care_team_ids"):
        read_export(write_tables(tables, tmp_path / "unknown"))
    tables = base_tables()
    for row in tables["patients"]:
        row["care_team_ids"] = "S1|S2"
        row["refused_staff_ids"] = "S2"
    with pytest.raises(PlanInputError, match="refused by the patient"):
        read_export(write_tables(tables, tmp_path / "refused"))


def _costs(data, history, weight: int = 1800) -> dict[str, int]:
    """Per caregiver, the cost of Ola's shower (I3) in the tiny day shift's routing problem."""
    from hjemmetjeneste.domain import ShiftKind
    from hjemmetjeneste.planning.to_problem import build_problem
    from hjemmetjeneste.tasks import build_day_plan
    from hjemmetjeneste.travel import GreatCircleSource

    rules = PlanningRules(continuity_weight=weight)
    ruled = data.model_copy(
        update={"municipality": data.municipality.model_copy(update={"rules": rules})}
    )
    plan = build_day_plan(ruled, DAY, ShiftKind.DAY, "D1", history=history)
    built = build_problem(plan, GreatCircleSource())
    (node,) = [n for n, v in enumerate(built.index.job_visit) if v and "I3@" in v]
    return {
        staff: int(built.problem.preference_cost[node, v])
        for v, staff in enumerate(built.index.vehicle_staff)
    }


def _served_by_s1_yesterday():
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from hjemmetjeneste.domain import CareHistory, ServedTask

    yesterday = datetime.combine(DAY - timedelta(days=1), datetime.min.time()).replace(
        hour=10, tzinfo=ZoneInfo("Europe/Oslo")
    )
    served = ServedTask(
        task_id="I3@yesterday", intervention_id="I3", patient_id="P2", staff_ids=("S1",),
        start=yesterday,
    )  # fmt: skip
    return CareHistory(served=(served,))


def test_continuity_costs_recent_caregivers_nothing_and_every_new_one_the_weight(tmp_path):
    """Per caregiver, the cost of Ola's shower in the routing problem: with no history the
    team is free and others cost continuity_weight; once S1 has showered her, S1 is free
    and every other caregiver — team member S2 too — is one more distinct caregiver and
    costs the whole weight (all three work tomorrow too: nobody fills a gap); weight 0
    costs nothing."""
    from hjemmetjeneste.domain import CareHistory

    tables = base_tables()
    for row in tables["patients"]:
        row["care_team_ids"] = "S2" if row["patient_id"] == "P2" else ""
    data = read_export(write_tables(tables, tmp_path))
    history = _served_by_s1_yesterday()
    assert _costs(data, CareHistory()) == {"S1": 1800, "S2": 0, "S3": 1800}
    assert _costs(data, history) == {"S1": 0, "S2": 1800, "S3": 1800}
    assert _costs(data, history, weight=0) == {"S1": 0, "S2": 0, "S3": 0}


def test_a_new_caregiver_who_works_the_days_hers_do_not_costs_less(tmp_path):
    """S1 showered Ola yesterday but is off tomorrow; S2 works tomorrow's day shift, S3 does
    not: S2 fills the patient's only uncovered day ahead and costs a quarter less than the
    weight, S3 the whole. The day plan carries the roster ahead of this shift kind, per
    caregiver."""
    from hjemmetjeneste.domain import ShiftKind
    from hjemmetjeneste.tasks import build_day_plan

    tables = base_tables()
    tomorrow = str(DAY + timedelta(days=1))
    tables["roster"] = [
        r for r in tables["roster"]
        if not (r["date"] == tomorrow and r["staff_id"] in ("S1", "S3"))
    ]  # fmt: skip
    data = read_export(write_tables(tables, tmp_path))
    plan = build_day_plan(data, DAY, ShiftKind.DAY, "D1")
    assert plan.rota_ahead == (("S2", (1,)),)
    assert _costs(data, _served_by_s1_yesterday()) == {"S1": 0, "S2": 1350, "S3": 1800}
    evening = build_day_plan(data, DAY, ShiftKind.EVENING, "D1")
    assert evening.rota_ahead == (("S4", (1,)),)
