"""The roster as it is in the store: own hours, places, homes and second-role skills."""

from __future__ import annotations

from datetime import date, time

from tests_store_helpers import downgrade_and_migrate, plain, small_data, with_intervention

from hjemmetjeneste.domain import HOME, CompetenceLevel, GeoPoint, MunicipalityData, Skill
from hjemmetjeneste.store import Store

AS_OF = date(2026, 12, 1)


def as_it_is(data: MunicipalityData) -> MunicipalityData:
    """``data`` with one caregiver starting at home, one part-day entry, and a pair whose
    second caregiver needs a skill."""
    first = data.roster.entries[0]
    home_staff = first.staff_id
    staff = tuple(
        s.model_copy(update={"home": GeoPoint(lat=63.44, lon=10.42)})
        if s.staff_id == home_staff
        else s
        for s in data.staff
    )
    entries = list(data.roster.entries)
    entries[0] = first.model_copy(update={"start_place": HOME, "end_place": HOME})
    entries[1] = entries[1].model_copy(
        update={"start": time(9, 0), "end": time(13, 30), "end_place": data.bases[0].base_id}
    )
    item = next(i for c in data.care_plans for i in c.interventions)
    pair = item.model_copy(
        update={
            "staff_count": 2,
            "second_staff_competence": CompetenceLevel.HEALTH_WORKER,
            "second_staff_skills": frozenset({Skill.CATHETER}),
        }
    )
    changed = with_intervention(data, pair)
    return changed.model_copy(
        update={
            "staff": staff,
            "roster": changed.roster.model_copy(update={"entries": tuple(entries)}),
        }
    )


def test_own_hours_places_homes_and_roles_load_back_equal(store: Store):
    """Everything the roster as it is adds is saved with an import and loaded unchanged; an
    unchanged re-import writes nothing."""
    data = as_it_is(plain(small_data()))
    store.save_export(data, as_of=AS_OF)
    assert store.load_municipality() == data
    assert store.save_export(data, as_of=AS_OF).changes == 0


def test_a_store_from_before_the_roster_columns_upgrades_in_place(store: Store):
    """Down to i17_0003 and up again: old rows load unchanged (no re-import needed) and the
    new columns take the roster as it is."""
    data = plain(small_data())
    store.save_export(data, as_of=AS_OF)
    downgrade_and_migrate(store, "i17_0003")
    assert store.load_municipality() == data
    assert store.save_export(data, as_of=AS_OF).changes == 0
    store.save_export(as_it_is(data), as_of=AS_OF)
    assert store.load_municipality() == as_it_is(data)
