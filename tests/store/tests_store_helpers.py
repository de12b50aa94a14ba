"""Helpers shared by the store tests: small edits of municipality data."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hjemmetjeneste.domain import Intervention, MunicipalityData, Roster
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.store import Store

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def with_intervention(data: MunicipalityData, new: Intervention) -> MunicipalityData:
    """``data`` with the intervention of the same id replaced by ``new``."""
    plans = tuple(
        c.model_copy(
            update={
                "interventions": tuple(
                    new if i.intervention_id == new.intervention_id else i for i in c.interventions
                )
            }
        )
        for c in data.care_plans
    )
    return data.model_copy(update={"care_plans": plans})


def drop_intervention(data: MunicipalityData, intervention_id: str) -> MunicipalityData:
    """``data`` without one intervention (its care plan dropped if it becomes empty)."""
    plans = []
    for c in data.care_plans:
        kept = tuple(i for i in c.interventions if i.intervention_id != intervention_id)
        if kept:
            plans.append(c.model_copy(update={"interventions": kept}))
    return data.model_copy(update={"care_plans": tuple(plans)})


def downgrade_and_migrate(store: Store, revision: str) -> None:
    """Take the store's schema down to ``revision`` and migrate it up to the head again."""
    from alembic import command
    from alembic.config import Config

    from hjemmetjeneste.store.engine import MIGRATIONS_DIR, writing

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with writing(store.engine).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    store.migrate()


def plain(data: MunicipalityData) -> MunicipalityData:
    """``data`` without what a store from before the roster columns (s18b_0004) and the
    care teams (s12_0004) cannot hold: homes, own hours, start and end places, second-role
    skills, primary contacts and care teams."""
    entries = tuple(
        e.model_copy(update={"start": None, "end": None, "start_place": None, "end_place": None})
        for e in data.roster.entries
    )
    plans = tuple(
        c.model_copy(
            update={
                "interventions": tuple(
                    i.model_copy(update={"second_staff_skills": frozenset()})
                    for i in c.interventions
                )
            }
        )
        for c in data.care_plans
    )
    return data.model_copy(
        update={
            "patients": tuple(
                p.model_copy(update={"primary_contact_id": None, "care_team_ids": frozenset()})
                for p in data.patients
            ),
            "staff": tuple(s.model_copy(update={"home": None}) for s in data.staff),
            "roster": Roster(entries=entries),
            "care_plans": plans,
        }
    )


@cache
def demo_data() -> MunicipalityData:
    """The committed demo export, read once."""
    return read_export(DEMO)


@cache
def small_data() -> MunicipalityData:
    """A small consistent slice of the demo: 6 patients with their plans, and all staff."""
    data = demo_data()
    patients = data.patients[:6]
    ids = {p.patient_id for p in patients}
    entries = tuple(e for e in data.roster.entries if e.date.day in (1, 2))
    return data.model_copy(
        update={
            "patients": patients,
            "care_plans": tuple(c for c in data.care_plans if c.patient_id in ids),
            "roster": Roster(entries=entries),
        }
    )
