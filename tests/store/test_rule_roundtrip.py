"""Planning rules in the store on SQLite and PostgreSQL: saved, loaded, hashed, migrated."""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import select
from tests_store_helpers import downgrade_and_migrate, plain, small_data, with_intervention
from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import (
    BreakRule,
    CompetenceLevel,
    MunicipalityData,
    PlanningRules,
    ShiftKind,
    Skill,
)
from hjemmetjeneste.formats import write_export
from hjemmetjeneste.pipeline import load_from_store
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.store import Store, database_digest
from hjemmetjeneste.store.models import PatientRow
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource

AS_OF = date(2026, 12, 1)
runner = CliRunner()


def ruled(data: MunicipalityData) -> MunicipalityData:
    """``data`` with every kind of planning rule set on some record."""
    staff = [s.staff_id for s in data.staff]
    first, second = data.patients[0], data.patients[1]
    patients = (
        first.model_copy(
            update={
                "refused_staff_ids": frozenset(staff[:2]),
                "preferred_staff_ids": frozenset(staff[2:3]),
                "language": Skill.LANGUAGE_PL,
            }
        ),
        second.model_copy(
            update={
                "preferred_staff_ids": frozenset(staff[:1]),
                "primary_contact_id": staff[1],
                "care_team_ids": frozenset(staff[1:4]),
            }
        ),
        *data.patients[2:],
    )
    item = data.care_plans[0].interventions[0]
    item = item.model_copy(
        update={
            "gap_group": "medisin",
            "min_gap_min": 180,
            "max_gap_min": 420,
            "late_allowance_min": 15,
            "separate_visit": True,
        }
    )
    rules = PlanningRules(
        breaks=BreakRule(duration_min=20), continuity_weight=900, overtime_max_min=30
    )
    changed = with_intervention(data, item)
    return changed.model_copy(
        update={
            "municipality": data.municipality.model_copy(update={"rules": rules}),
            "patients": patients,
        }
    )


def without_breaks(data: MunicipalityData) -> MunicipalityData:
    """``data`` without the demo's break rule (a store from before the rule columns cannot
    hold it)."""
    rules = data.municipality.rules.model_copy(update={"breaks": None})
    municipality = data.municipality.model_copy(update={"rules": rules})
    return data.model_copy(update={"municipality": municipality})


def with_refusal(data: MunicipalityData, index: int, refused: frozenset[str]) -> MunicipalityData:
    """``data`` with patient ``index``'s refusals replaced."""
    patients = list(data.patients)
    patients[index] = patients[index].model_copy(update={"refused_staff_ids": refused})
    return data.model_copy(update={"patients": tuple(patients)})


def test_rules_load_back_equal(store: Store):
    """Every planning rule saved with an import comes back from the store unchanged."""
    data = ruled(small_data())
    store.save_export(data, as_of=AS_OF)
    assert store.load_municipality() == data


def test_double_staffing_pair_and_alternative_windows_survive_the_store(store: Store):
    """second_staff_competence and alternative windows are stored and loaded back."""
    data = small_data()
    item = next(i for c in data.care_plans for i in c.interventions if i.schedule.windows)
    item = item.model_copy(
        update={
            "staff_count": 2,
            "second_staff_competence": CompetenceLevel.HEALTH_WORKER,
            "schedule": item.schedule.model_copy(update={"windows_are_alternatives": True}),
        }
    )
    changed = with_intervention(data, item)
    store.save_export(changed, as_of=AS_OF)
    assert store.load_municipality() == changed


def test_unchanged_reimport_is_a_no_op_and_a_changed_refusal_one_changed_patient(store: Store):
    """Same export: nothing written. A new, then a removed, refusal: one changed patient each."""
    data = ruled(small_data())
    store.save_export(data, as_of=AS_OF)
    before = database_digest(store.engine)
    again = store.save_export(data, as_of=AS_OF)
    assert again.changes == 0 and again.batch_id is None
    assert database_digest(store.engine) == before

    other_staff = frozenset({data.staff[-1].staff_id})
    refused = with_refusal(data, 2, other_staff)
    summary = store.save_export(refused, as_of=AS_OF)
    assert summary.counts["patients"].changed == 1
    assert summary.changes == 1
    assert store.load_municipality().patients[2].refused_staff_ids == other_staff

    lifted = with_refusal(refused, 0, frozenset())
    summary = store.save_export(lifted, as_of=AS_OF)
    assert summary.counts["patients"].changed == 1 and summary.changes == 1
    assert store.load_municipality() == lifted


def test_changed_municipality_rule_counts_the_municipality_changed(store: Store):
    """Changing one weight changes the municipality record and nothing else."""
    data = ruled(small_data())
    store.save_export(data, as_of=AS_OF)
    rules = data.municipality.rules.model_copy(update={"continuity_weight": 1200})
    changed = data.model_copy(
        update={"municipality": data.municipality.model_copy(update={"rules": rules})}
    )
    summary = store.save_export(changed, as_of=AS_OF)
    assert summary.counts["municipality"].changed == 1 and summary.changes == 1
    assert store.load_municipality().municipality.rules.continuity_weight == 1200


def test_records_without_rules_keep_the_hash_of_before_the_rule_columns(store: Store):
    """A patient without rules hashes as before migration 0002: old stores re-import as no-op."""
    data = plain(small_data())
    store.save_export(data, as_of=AS_OF)
    patient = data.patients[0]
    old_values = (
        patient.patient_id,
        patient.district_id,
        patient.display_name,
        patient.address,
        patient.location.lat,
        patient.location.lon,
        patient.key_box_note,
    )
    with store.engine.connect() as conn:
        row = conn.execute(
            select(PatientRow).where(PatientRow.patient_id == patient.patient_id)
        ).one()
    assert row.refused_staff_ids is None and row.language is None
    assert row.primary_contact_id is None and row.care_team_ids is None
    assert row.content_hash == hashlib.sha256(repr(old_values).encode("utf-8")).hexdigest()


def test_a_store_from_before_the_rule_columns_upgrades_and_takes_rules(store: Store):
    """Down to the previous revision and up again: old rows load unchanged and accept rules."""
    data = without_breaks(plain(small_data()))
    store.save_export(data, as_of=AS_OF)
    downgrade_and_migrate(store, "api_0001")
    assert store.load_municipality() == data
    assert store.save_export(data, as_of=AS_OF).changes == 0
    summary = store.save_export(ruled(data), as_of=AS_OF)
    assert summary.counts["patients"].changed == 2
    assert store.load_municipality() == ruled(data)


def _add_column(folder: Path, file: str, column: str, values: dict[int, str]) -> None:
    """Add ``column`` to a CSV file with a value in the given data rows (from 1)."""
    path = folder / file
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0].append(column)
    for number, row in enumerate(rows[1:], start=1):
        row.append(values.get(number, ""))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_refusal_imported_from_csv_reaches_the_problem_built_from_the_store(
    store: Store, database_url: str, tmp_path: Path
):
    """CSV refusal → import → store → problem: the refused caregiver may not serve the patient."""
    data = small_data()
    day = min(e.date for e in data.roster.entries if e.shift == ShiftKind.DAY)
    district = data.districts[0].district_id

    def jobs_of(loaded: MunicipalityData, patient_id: str):
        plan = build_day_plan(loaded, day, ShiftKind.DAY, district)
        built = build_problem(plan, GreatCircleSource())
        visits = {v.visit_id: v.patient_id for v in plan.visits}
        problem, index = built.problem, built.index
        nodes = [n for n, v in enumerate(index.job_visit) if v and visits[v] == patient_id]
        return problem, index, nodes

    patient_id = next(p.patient_id for p in data.patients if jobs_of(data, p.patient_id)[2])
    problem, index, nodes = jobs_of(data, patient_id)
    refused_id = index.vehicle_staff[problem.allowed_vehicles[nodes[0]][0]]

    export = tmp_path / "export"
    write_export(data, export)
    row = next(n for n, p in enumerate(data.patients, start=1) if p.patient_id == patient_id)
    _add_column(export, "patients.csv", "avviste_ansatte", {row: refused_id})
    result = runner.invoke(app, ["import", str(export), "--database-url", database_url])
    assert result.exit_code == 0, result.output

    loaded = load_from_store(database_url)
    assert loaded.patients[row - 1].refused_staff_ids == frozenset({refused_id})
    problem, index, nodes = jobs_of(loaded, patient_id)
    vehicle = index.vehicle_staff.index(refused_id)
    assert nodes
    for node in nodes:
        assert vehicle not in problem.allowed_vehicles[node]
        assert vehicle in problem.refused_vehicles[node]


def test_bad_rule_value_in_an_import_writes_nothing(
    store: Store, database_url: str, tmp_path: Path
):
    """An unknown refused caregiver fails the whole import, naming file, row and field."""
    data = small_data()
    store.save_export(data, as_of=AS_OF)
    before = database_digest(store.engine)
    export = tmp_path / "export"
    write_export(ruled(data), export)  # a valid change ...
    path = export / "patients.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(data.staff[0].staff_id, "NOBODY", 1), encoding="utf-8")
    result = runner.invoke(
        app, ["import", "--lang", "en", str(export), "--database-url", database_url]
    )
    assert result.exit_code == 2
    assert "patients.csv, row 1, field 'refused_staff_ids'" in result.output.replace("\n", " ")
    assert database_digest(store.engine) == before
