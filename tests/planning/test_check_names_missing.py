"""`check` of a hand-edited plan names the competence a caregiver lacks; reads the store."""

from __future__ import annotations

from typer.testing import CliRunner

from factories import TINY_DAY, tiny_tables, write_tables
from hjemmetjeneste.cli import app
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.pipeline import check_plans, plan_shift
from hjemmetjeneste.solver import SolveParams, ViolationKind


def _swapped_plan(tmp_path):
    export = write_tables(tiny_tables(), tmp_path / "export")
    data = read_export(export)
    result = plan_shift(data, TINY_DAY, "day", params=SolveParams(time_limit_s=0.5)).result
    # Hand the worklist with the morning medicine (helsefagarbeider) to the assistant S3.
    holder = next(
        w for w in result.worklists if any(v.patient_id == "P1" for v in w.visits)
    ).staff_id
    swap = {holder: "S3", "S3": holder}
    edited = result.model_copy(
        update={
            "worklists": tuple(
                w.model_copy(update={"staff_id": swap.get(w.staff_id, w.staff_id)})
                for w in result.worklists
            )
        }
    )
    return export, data, edited


def test_check_names_the_missing_competence(tmp_path):
    _, data, edited = _swapped_plan(tmp_path)
    ((_, violations),) = check_plans(data, [edited])
    missing = [v for v in violations if v.kind is ViolationKind.MISSING_COMPETENCE]
    assert missing
    assert any("lacks competence helsefagarbeider (has assistent)" in v.message for v in missing)


def test_check_reads_the_store_when_no_export_is_given(tmp_path, monkeypatch):
    export, _, edited = _swapped_plan(tmp_path)
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(export)]).exit_code == 0
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(edited.model_dump_json(), encoding="utf-8")
    checked = runner.invoke(app, ["check", str(plan_file)])
    assert checked.exit_code == 3, checked.output
    assert "helsefagarbeider" in checked.output
