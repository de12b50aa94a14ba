"""Store behaviour on SQLite and PostgreSQL: round trip, idempotent re-import, history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from tests_store_helpers import drop_intervention, small_data, with_intervention

from hjemmetjeneste.domain import MunicipalityData
from hjemmetjeneste.store import Store, StoreError, database_digest, open_store
from hjemmetjeneste.store.models import ImportBatchRow, InterventionRow, PatientRow, TableBase

AS_OF = date(2026, 12, 1)


def test_migrations_create_exactly_the_model_schema(store: Store):
    """The Alembic migrations and the SQLAlchemy models describe the same tables."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), TableBase.metadata)
    assert diff == []


def test_saved_export_loads_back_equal(store: Store):
    """What an import saves loads back as equal municipality data, in export order."""
    data = small_data()
    summary = store.save_export(data, as_of=AS_OF)
    assert summary.added > 0 and summary.changed == summary.ended == 0
    assert summary.batch_id is not None
    assert store.load_municipality() == data
    assert store.load_municipality(data.municipality.municipality_id) == data


def test_reimporting_the_same_export_changes_nothing(store: Store):
    """A second import of the same export writes nothing: same digest, no new batch."""
    data = small_data()
    first = store.save_export(data, as_of=AS_OF)
    before = database_digest(store.engine)
    again = store.save_export(data, as_of=AS_OF)
    assert again.changes == 0
    assert again.unchanged == first.added
    assert again.batch_id is None
    assert database_digest(store.engine) == before


def test_changed_export_updates_only_what_changed(store: Store):
    """Changing one intervention's duration counts one change and stores the new value."""
    data = small_data()
    store.save_export(data, as_of=AS_OF)
    target = data.care_plans[0].interventions[0]
    new_duration = target.duration_min % 200 + 5
    changed = with_intervention(data, target.model_copy(update={"duration_min": new_duration}))
    summary = store.save_export(changed, as_of=AS_OF)
    assert summary.counts["interventions"].changed == 1
    assert summary.changes == 1
    assert store.load_municipality() == changed


def test_missing_intervention_is_ended_not_deleted(store: Store):
    """An intervention missing from a full export gets valid_to and stays in the store."""
    data = small_data()
    store.save_export(data, as_of=AS_OF)
    plan = next(c for c in data.care_plans if len(c.interventions) > 1)
    gone = plan.interventions[-1]
    summary = store.save_export(drop_intervention(data, gone.intervention_id), as_of=AS_OF)
    assert summary.counts["interventions"].ended == 1
    assert summary.changes == 1
    with store.engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(InterventionRow))
        row = conn.execute(
            select(InterventionRow).where(InterventionRow.intervention_id == gone.intervention_id)
        ).one()
    assert count == sum(len(c.interventions) for c in data.care_plans)
    expected_end = AS_OF - timedelta(days=1)
    if gone.valid_to is not None and gone.valid_to < expected_end:
        expected_end = gone.valid_to
    assert row.valid_to == expected_end
    assert row.ended_batch_id is not None
    loaded = store.load_municipality()
    stored = next(
        i
        for c in loaded.care_plans
        for i in c.interventions
        if i.intervention_id == gone.intervention_id
    )
    if gone.valid_from <= expected_end:
        assert stored.valid_to == expected_end and not stored.is_valid_on(AS_OF)


def test_partial_export_ends_nothing(store: Store):
    """With full=False, records missing from the export are left as they are."""
    data = small_data()
    store.save_export(data, as_of=AS_OF)
    gone = data.care_plans[0].interventions[0]
    summary = store.save_export(
        drop_intervention(data, gone.intervention_id), as_of=AS_OF, full=False
    )
    assert summary.ended == 0 and summary.changes == 0


def test_ended_intervention_comes_back_when_exported_again(store: Store):
    """An ended intervention that reappears is active again with the export's valid_to."""
    data = small_data()
    store.save_export(data, as_of=AS_OF)
    gone = data.care_plans[0].interventions[0]
    store.save_export(drop_intervention(data, gone.intervention_id), as_of=AS_OF)
    summary = store.save_export(data, as_of=AS_OF)
    assert summary.counts["interventions"].changed == 1
    assert store.load_municipality() == data


def test_missing_patient_is_ended_and_no_longer_loaded(store: Store):
    """A patient (with their plans) missing from a full export is ended, the row kept."""
    data = small_data()
    store.save_export(data, as_of=AS_OF)
    gone = data.patients[-1]
    smaller = data.model_copy(
        update={
            "patients": data.patients[:-1],
            "care_plans": tuple(c for c in data.care_plans if c.patient_id != gone.patient_id),
        }
    )
    summary = store.save_export(smaller, as_of=AS_OF)
    assert summary.counts["patients"].ended == 1
    loaded = store.load_municipality()
    assert gone.patient_id not in {p.patient_id for p in loaded.patients}
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(PatientRow)) == len(data.patients)


def test_dry_run_reports_counts_and_writes_nothing(store: Store):
    """A dry run counts what it would add but leaves the database as it was."""
    before = database_digest(store.engine)
    summary = store.save_export(small_data(), as_of=AS_OF, dry_run=True)
    assert summary.dry_run and summary.added > 0
    assert database_digest(store.engine) == before


def test_failure_while_writing_rolls_everything_back(store: Store):
    """An error after rows were written leaves the database exactly as before."""
    store.save_export(small_data(), as_of=AS_OF)
    before = database_digest(store.engine)
    target = small_data().care_plans[0].interventions[0]
    changed = with_intervention(small_data(), target.model_copy(update={"description": "ny"}))

    def explode(stage: str, done: int, total: int) -> None:
        if stage == "write" and done > 0:
            raise RuntimeError("disk full (simulated)")

    with pytest.raises(RuntimeError, match="simulated"):
        store.save_export(changed, as_of=AS_OF, on_progress=explode)
    assert database_digest(store.engine) == before


def test_every_changing_import_is_recorded_with_its_digest(store: Store):
    """Each import that changed something leaves one batch row with counts and digest."""
    data = small_data()
    store.save_export(data, as_of=AS_OF, source="first")
    store.save_export(data, as_of=AS_OF, source="same again")
    gone = data.care_plans[0].interventions[0]
    store.save_export(drop_intervention(data, gone.intervention_id), as_of=AS_OF, source="x")
    with store.engine.connect() as conn:
        batches = conn.execute(select(ImportBatchRow).order_by(ImportBatchRow.batch_id)).all()
    assert [b.source for b in batches] == ["first", "x"]
    assert batches[1].ended == 1 and batches[1].export_digest != batches[0].export_digest


def test_load_names_the_problem_when_the_store_is_empty_or_ambiguous(store: Store):
    """Loading without an id needs exactly one municipality; an unknown id is an error."""
    with pytest.raises(StoreError, match="no municipality"):
        store.load_municipality()
    data = small_data()
    store.save_export(data, as_of=AS_OF)
    other = data.model_copy(
        update={
            "municipality": data.municipality.model_copy(update={"municipality_id": "9999"}),
            "districts": tuple(
                d.model_copy(update={"municipality_id": "9999"}) for d in data.districts
            ),
            "patients": (),
            "care_plans": (),
            "staff": (),
            "roster": data.roster.model_copy(update={"entries": ()}),
        }
    )
    store.save_export(MunicipalityData.model_validate(other.model_dump()), as_of=AS_OF)
    with pytest.raises(StoreError, match="several"):
        store.load_municipality()
    with pytest.raises(StoreError, match="'nope'"):
        store.load_municipality("nope")
    assert store.load_municipality("9999").patients == ()


def test_migrating_twice_is_harmless(database_url: str):
    """Opening a store runs the migrations; opening it again changes nothing."""
    first = open_store(database_url)
    first.save_export(small_data(), as_of=AS_OF)
    before = database_digest(first.engine)
    first.close()
    second = open_store(database_url)
    assert database_digest(second.engine) == before
    second.close()
