"""`hjemmetjeneste plan --absent S… --now 10:30`: a sick call re-planned with minimal change,
the changes printed per nurse in bokmål (English on request)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import PlanResult

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
PLAN = ["plan", str(DEMO), "--date", "2026-12-01", "--shift", "day", "--time-limit", "1"]
runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_sick_call_from_a_written_plan_prints_changes_per_nurse(tmp_path: Path):
    """--from a plan, --absent its busiest nurse at 10:30: her later visits are listed under
    her name as going to another nurse (or unplaced); her earlier visits stay."""
    # The first plan gets 10 s: OR-Tools' first plan of the demo day can take over the 1 s
    # the re-plan needs on a loaded machine (seen at load 8: nothing placed, no nurse to fall
    # sick); the work budget keeps it short where the machine is quiet.
    cold = [*PLAN[:-1], "10", "--iterations", "100", "--out", str(tmp_path / "a")]
    first = runner.invoke(app, cold)
    assert first.exit_code in (0, 4), first.output
    (path,) = (tmp_path / "a").glob("plan-*.json")
    before = PlanResult.model_validate_json(path.read_bytes())
    assert before.kpis.visits_placed > 0
    sick = max(before.worklists, key=lambda w: len(w.visits))
    run = runner.invoke(
        app,
        [*PLAN, "--iterations", "100", "--from", str(path), "--absent", sick.staff_id,
         "--now", "10:30", "--out", str(tmp_path / "b")],
    )  # fmt: skip
    assert run.exit_code in (0, 4), run.output
    text = _flat(run.output)
    assert f"Endringer for {sick.staff_id}" in text
    assert "til en annen ansatt" in text or "tatt ut" in text
    (path_b,) = (tmp_path / "b").glob("plan-*.json")
    after = PlanResult.model_validate_json(path_b.read_bytes())
    hers = next(w for w in after.worklists if w.staff_id == sick.staff_id)
    assert all(v.start.strftime("%H:%M") < "10:30" for v in hers.visits)


def test_events_need_now_and_wellformed_emergencies(tmp_path: Path):
    """--absent without --now, or a malformed --emergency, is an input error (exit 2)."""
    assert runner.invoke(app, [*PLAN, "--absent", "S025"]).exit_code == 2
    bad = runner.invoke(
        app, [*PLAN, "--now", "10:30", "--emergency", "P0001:twenty:120", "--lang", "en"]
    )
    assert bad.exit_code == 2 and "PATIENT:MINUTES:WITHIN" in _flat(bad.output)


def test_plan_from_the_store_takes_its_applied_events(tmp_path: Path, monkeypatch):
    """`plan` from the store after an admission (applied) and a sick call (applied) there:
    Wednesday's first plan lists the patient's tasks as cancelled with the event's id and
    has no worklist for the absent caregiver; a requested (not accepted) absence does
    nothing; an export folder plan sees no store events."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from hjemmetjeneste.domain import ShiftKind
    from hjemmetjeneste.formats import read_export
    from hjemmetjeneste.pipeline import default_district
    from hjemmetjeneste.store import events as store_events
    from hjemmetjeneste.store import open_store
    from hjemmetjeneste.tasks import build_day_plan

    oslo = ZoneInfo("Europe/Oslo")
    wednesday = date(2026, 12, 2)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", url)
    data = read_export(DEMO)
    plan = build_day_plan(data, wednesday, ShiftKind.DAY, default_district(data))
    patient, other = sorted({v.patient_id for v in plan.visits})[:2]
    sick = plan.staff[0].staff_id
    store = open_store(url)
    try:
        store.save_export(data, source="demo")
        made = {}
        for kind, status, subject, payload in (
            ("hospital_admission", "applied", patient,
             {"admitted_at": datetime(2026, 12, 1, 14, tzinfo=oslo).isoformat()}),
            ("patient_absence", "requested", other,
             {"start": datetime(2026, 12, 2, 0, tzinfo=oslo).isoformat(),
              "end": datetime(2026, 12, 3, 0, tzinfo=oslo).isoformat()}),
            ("staff_absence", "applied", None,
             {"staff_id": sick, "start": datetime(2026, 12, 2, 0, tzinfo=oslo).isoformat()}),
        ):  # fmt: skip
            body = {"kind": kind, **payload}
            if subject is not None:
                body["patient_id"] = subject
            made[kind] = store_events.create_event(
                store.engine, municipality_id=data.municipality.municipality_id, kind=kind,
                status=status, patient_id=subject, staff_id=None if subject else sick,
                event_date=wednesday, payload=body, created_by="planner-1",
                created_role="planner",
            ).event_id  # fmt: skip
    finally:
        store.close()
    args = ["plan", "--date", "2026-12-02", "--shift", "day", "--time-limit", "2"]
    run = runner.invoke(app, [*args, "--iterations", "100", "--out", str(tmp_path / "s")])
    assert run.exit_code in (0, 4), run.output
    (path,) = (tmp_path / "s").glob("plan-*.json")
    result = PlanResult.model_validate_json(path.read_bytes())
    assert result.cancelled and {c.patient_id for c in result.cancelled} == {patient}
    assert {c.event_id for c in result.cancelled} == {made["hospital_admission"]}
    assert sick not in {w.staff_id for w in result.worklists}
    assert any(v.patient_id == other for w in result.worklists for v in w.visits) or any(
        u.patient_id == other for u in result.unplaced
    )
    assert "Avlyst av hendelser" in _flat(run.output)
    from_folder = runner.invoke(
        app, [*args[:1], str(DEMO), *args[1:], "--iterations", "100", "--out", str(tmp_path / "f")]
    )
    assert from_folder.exit_code in (0, 4), from_folder.output
    (path_f,) = (tmp_path / "f").glob("plan-*.json")
    assert PlanResult.model_validate_json(path_f.read_bytes()).cancelled == ()


def test_a_period_run_takes_the_days_events(tmp_path: Path, monkeypatch):
    """`plan --date D --to D2` from the store, with a patient away all Wednesday and a
    caregiver off sick that day (both applied): Tuesday plans them as usual; Wednesday's plan
    has none of the patient's visits on a worklist or unplaced (each cancelled with the
    event's id) and no worklist for the sick caregiver."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from factories import tiny_tables, write_tables
    from hjemmetjeneste.formats import read_export
    from hjemmetjeneste.store import events as store_events
    from hjemmetjeneste.store import open_store

    oslo = ZoneInfo("Europe/Oslo")
    tuesday, wednesday = date(2026, 12, 1), date(2026, 12, 2)
    export = write_tables(tiny_tables(), tmp_path / "export")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", url)
    data = read_export(export)
    patient, sick = "P2", "S2"
    store = open_store(url)
    try:
        store.save_export(data, source="tiny")
        whole_day = {
            "start": datetime(2026, 12, 2, 0, tzinfo=oslo).isoformat(),
            "end": datetime(2026, 12, 3, 0, tzinfo=oslo).isoformat(),
        }
        made = {}
        for kind, patient_id, staff_id in (
            ("patient_absence", patient, None),
            ("staff_absence", None, sick),
        ):
            subject = {"patient_id": patient_id} if patient_id else {"staff_id": staff_id}
            made[kind] = store_events.create_event(
                store.engine, municipality_id=data.municipality.municipality_id, kind=kind,
                status="applied", patient_id=patient_id, staff_id=staff_id,
                event_date=wednesday, created_by="planner-1", created_role="planner",
                payload={"kind": kind, **subject, **whole_day},
            ).event_id  # fmt: skip
        away = made["patient_absence"]
    finally:
        store.close()
    run = runner.invoke(
        app,
        ["plan", "--date", str(tuesday), "--to", str(wednesday), "--shift", "day",
         "--time-limit", "1", "--iterations", "100", "--out", str(tmp_path / "plans")],
    )  # fmt: skip
    assert run.exit_code in (0, 4), run.output
    plans = {
        p.date: p
        for p in (
            PlanResult.model_validate_json(path.read_bytes())
            for path in (tmp_path / "plans").glob("plan-*.json")
        )
    }
    assert set(plans) == {tuesday, wednesday}

    def visited(plan: PlanResult) -> set[str]:
        return {v.patient_id for w in plan.worklists for v in w.visits}

    before, after = plans[tuesday], plans[wednesday]
    assert patient in visited(before) and before.cancelled == ()
    assert sick in {w.staff_id for w in before.worklists}
    assert patient not in visited(after)
    assert not any(u.patient_id == patient for u in after.unplaced)
    assert after.cancelled and {c.patient_id for c in after.cancelled} == {patient}
    assert {c.event_id for c in after.cancelled} == {away}
    assert sick not in {w.staff_id for w in after.worklists}
