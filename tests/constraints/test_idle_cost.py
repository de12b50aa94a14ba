"""The municipality's idle-time weight reaches the problem; by default waiting stays free."""

from __future__ import annotations

from pathlib import Path

from constraint_helpers import DAY, district, intervention, staff

from hjemmetjeneste.domain import PlanningRules, ShiftKind
from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource


def _idle_cost(data) -> int:
    day = build_day_plan(data, DAY, ShiftKind.DAY, "d")
    return build_problem(day, GreatCircleSource()).problem.waiting_cost


def test_idle_cost_per_minute_becomes_a_cost_per_second_and_defaults_to_30(tmp_path: Path):
    """60 per minute is 1 per second in the problem; the default is 30 (half a travel
    second per second of waiting), 0 turns it off; the weight is written to and read from
    municipality.csv (idle_cost_per_min)."""
    plain = district([intervention("v", "p1")], [staff("s1")])
    assert _idle_cost(plain) == 0.5
    off = district(
        [intervention("v", "p1")], [staff("s1")], rules=PlanningRules(idle_cost_per_min=0)
    )
    assert _idle_cost(off) == 0
    weighted = district(
        [intervention("v", "p1")], [staff("s1")], rules=PlanningRules(idle_cost_per_min=60)
    )
    assert _idle_cost(weighted) == 1
    write_export(weighted, tmp_path)
    assert "idle_cost_per_min" in (tmp_path / "municipality.csv").read_text(encoding="utf-8")
    assert read_export(tmp_path).municipality.rules.idle_cost_per_min == 60
