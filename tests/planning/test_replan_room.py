"""A sick call on a day with room to spare: the re-plan's own search (no OR-Tools model)
places every one of her later visits with the others and never touches the frozen part."""

from __future__ import annotations

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from factories import DEMO
from hjemmetjeneste.domain import PlanResult, ShiftKind
from hjemmetjeneste.domain.events import StaffAbsence
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.pipeline import default_district, plan_day_plan, replan_day
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.tasks import build_day_plan

DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 10, 30, tzinfo=ZoneInfo("Europe/Oslo"))
QUICK = SolveParams(time_limit_s=5.0, iterations=300, seed=2)


@pytest.fixture(scope="module")
def light_day():
    """The demo day shift with every third single-staffed visit only (everyone has room),
    its plan (every visit placed), and the nurse with the most visits after 10:30."""
    data = read_export(DEMO)
    full = build_day_plan(data, DAY, ShiftKind.DAY, default_district(data))
    visits = tuple(v for v in full.visits if v.staff_count == 1)[::3]
    day = full.model_copy(update={"visits": visits})
    first = plan_day_plan(day, params=QUICK)
    assert first.violations == () and first.result.unplaced == ()
    sick = max(
        first.result.worklists,
        key=lambda w: (sum(v.start >= NOW for v in w.visits), w.staff_id),
    ).staff_id
    return day, first.result, sick


def _slots(result: PlanResult) -> dict[str, tuple[str, datetime]]:
    return {v.visit_id: (w.staff_id, v.start) for w in result.worklists for v in w.visits}


def test_every_later_visit_of_the_sick_nurse_is_placed_with_the_others(light_day, monkeypatch):
    """Her visits from 10:30 all go to other nurses, her earlier ones and everyone's
    earlier ones stay exactly as they were, nothing new starts before 10:30, the search
    is the warm ruin and recreate (OR-Tools never called) and the checker finds nothing."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the warm re-plan built an OR-Tools model")

    for name in ("hjemmetjeneste.solver.lns", "hjemmetjeneste.solver.solve"):
        monkeypatch.setattr(importlib.import_module(name), "solve_with_ortools", refuse)
    day, first, sick = light_day
    again = replan_day(
        day, first, NOW, {"sick": StaffAbsence(staff_id=sick, start=NOW)}, params=QUICK
    )
    assert again.outcome.warm_start == "used" and again.outcome.violations == ()
    assert "warm ruin and recreate" in again.result.solver_status
    before, after = _slots(first), _slots(again.result)
    hers_later = [v for v, (s, at) in before.items() if s == sick and at >= NOW]
    assert len(hers_later) >= 2, "the sick nurse has too little after 10:30 to move"
    assert again.result.unplaced == ()
    assert all(after[v][0] != sick for v in hers_later)
    earlier = {v: slot for v, slot in before.items() if slot[1] < NOW}
    assert earlier and all(after[v] == slot for v, slot in earlier.items())
    assert all(at >= NOW for v, (_, at) in after.items() if v not in earlier)
