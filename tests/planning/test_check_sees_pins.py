"""`check` sees the planner's pins: a pinned visit on another caregiver or at another start
is a violation, from a --pins file or from the store."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from factories import TINY_DAY, tiny_tables, write_tables
from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import Pin, PlanResult
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.formats.pins import read_pins
from hjemmetjeneste.pipeline import check_plans, plan_shift
from hjemmetjeneste.solver import SolveParams, ViolationKind

SHOWER = f"I3@{TINY_DAY.isoformat()}#1"  # P2's shower, window 09:00-11:00
QUICK = SolveParams(time_limit_s=0.5, iterations=200)


def _swap(result: PlanResult, a: str, b: str) -> PlanResult:
    """The plan with the worklists of caregivers ``a`` and ``b`` exchanged (both qualify for
    every task of the tiny export's day shift)."""
    swap = {a: b, b: a}
    return result.model_copy(
        update={
            "worklists": tuple(
                w.model_copy(update={"staff_id": swap.get(w.staff_id, w.staff_id)})
                for w in result.worklists
            )
        }
    )


def _holder(result: PlanResult, task_id: str) -> tuple[str, object]:
    """Who does the task, and when the visit starts."""
    return next(
        (w.staff_id, v.start)
        for w in result.worklists
        for v in w.visits
        for t in v.tasks
        if t.task_id == task_id
    )


@pytest.fixture(scope="module")
def pinned(tmp_path_factory):
    """The tiny export and its day plan with the shower pinned to S2 (helsefagarbeider)."""
    export = write_tables(tiny_tables(), tmp_path_factory.mktemp("pins") / "export")
    data = read_export(export)
    pins = (Pin(task_id=SHOWER, staff_id="S2"),)
    result = plan_shift(data, TINY_DAY, "day", params=QUICK, pins=pins).result
    assert _holder(result, SHOWER)[0] == "S2"
    return export, data, pins, result


def test_a_kept_pin_is_no_violation_and_a_moved_one_is(pinned):
    _, data, pins, result = pinned
    ((_, kept),) = check_plans(data, [result], pins=pins)
    assert kept == []
    moved = _swap(result, "S1", "S2")
    ((_, violations),) = check_plans(data, [moved], pins=pins)
    assert [(v.kind, v.staff_id) for v in violations] == [(ViolationKind.PIN_IGNORED, "S1")]
    assert "pinned to" in violations[0].message and "S2" in violations[0].message
    # Without the pins the same plan breaks no rule: the violation comes from the pin.
    ((_, unpinned),) = check_plans(data, [moved])
    assert unpinned == []


def test_a_pinned_start_the_plan_does_not_keep_is_a_violation(pinned):
    _, data, _, result = pinned
    staff_id, start = _holder(result, SHOWER)
    other = (Pin(task_id=SHOWER, start=start + timedelta(minutes=7)),)  # type: ignore[operator]
    ((_, violations),) = check_plans(data, [result], pins=other)
    ignored = [v for v in violations if v.kind is ViolationKind.PIN_IGNORED]
    assert [(v.staff_id, v.visit_id is not None) for v in ignored] == [(staff_id, True)]
    assert "pinned to start at" in ignored[0].message


def test_check_reads_pins_from_a_file(pinned, tmp_path):
    export, _, _, result = pinned
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(_swap(result, "S1", "S2").model_dump_json(), encoding="utf-8")
    # What GET /v1/pins returns: extra fields are read past.
    pins_file = tmp_path / "pins.json"
    pins_file.write_text(
        json.dumps([{"pin_id": 1, "task_id": SHOWER, "staff_id": "S2", "start": None}]),
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["check", str(plan_file), "--data", str(export)]
    assert runner.invoke(app, args).exit_code == 0
    checked = runner.invoke(app, [*args, "--pins", str(pins_file)])
    assert checked.exit_code == 3, checked.output
    assert "låsing ikke fulgt" in checked.output  # pin_ignored, in words


def test_a_bad_pins_file_names_file_entry_and_field(tmp_path):
    bad = tmp_path / "pins.json"
    bad.write_text(json.dumps([{"task_id": SHOWER, "staff_id": "S2"}, {"staff_id": "S1"}]))
    with pytest.raises(PlanInputError) as caught:
        read_pins(bad)
    ((issue),) = caught.value.issues
    assert (issue.file, issue.row, issue.field) == (str(bad), 2, "task_id")
    bad.write_text(json.dumps([{"task_id": SHOWER}]))
    with pytest.raises(PlanInputError, match="names neither a caregiver nor a start"):
        read_pins(bad)
    bad.write_text("{not json")
    result = CliRunner().invoke(app, ["check", str(bad), "--pins", str(bad)])
    assert result.exit_code == 2


def test_check_and_plan_use_the_stores_pins(pinned, tmp_path, monkeypatch):
    from hjemmetjeneste.store import open_store
    from hjemmetjeneste.store.runs import add_pins

    export, _, _, result = pinned
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(export)]).exit_code == 0
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(_swap(result, "S1", "S2").model_dump_json(), encoding="utf-8")
    assert runner.invoke(app, ["check", str(plan_file)]).exit_code == 0  # no pins yet
    store = open_store(url)
    try:
        add_pins(
            store.engine,
            municipality_id="5001",
            district_id="D1",
            plan_date=TINY_DAY,
            shift="day",
            visit_id=f"visit:{SHOWER}",
            task_ids=[SHOWER],
            staff_id="S1",
            start=None,
            created_by="planner",
        )
    finally:
        store.close()
    # The swapped plan has the shower on S1, as the store's pin says ...
    assert _holder(_swap(result, "S1", "S2"), SHOWER)[0] == "S1"
    checked = runner.invoke(app, ["check", str(plan_file)])
    assert checked.exit_code == 0, checked.output
    # ... the original plan, with the shower on S2, breaks it.
    plan_file.write_text(result.model_dump_json(), encoding="utf-8")
    checked = runner.invoke(app, ["check", str(plan_file)])
    assert checked.exit_code == 3, checked.output
    assert "låsing ikke fulgt" in checked.output  # pin_ignored, in words
    # `plan` from the store keeps the stored pin.
    out = tmp_path / "out"
    planned = runner.invoke(
        app, ["plan", "--date", str(TINY_DAY), "--time-limit", "2", "--out", str(out)]
    )
    assert planned.exit_code == 0, planned.output
    (written,) = out.glob("plan-*.json")
    again = PlanResult.model_validate_json(written.read_text(encoding="utf-8"))
    assert _holder(again, SHOWER)[0] == "S1"
