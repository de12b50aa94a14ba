"""The roster as it is in the export: own hours, start and end places, homes, roles."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from factories import DEMO, tiny_tables, write_tables
from hjemmetjeneste.domain import HOME, CompetenceLevel, Skill
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.formats.tabular import read_tabular


def test_the_demo_round_trips_with_hours_places_homes_and_roles(tmp_path: Path):
    """The demo's part-day staff, home starts and two-role visit are written and read back
    equal; the optional columns appear in the files that use them."""
    data = read_export(DEMO)
    assert any(e.start is not None for e in data.roster.entries)
    assert any(e.start_place == HOME for e in data.roster.entries)
    assert any(s.home is not None for s in data.staff)
    assert any(i.second_staff_competence for c in data.care_plans for i in c.interventions)
    write_export(data, tmp_path)
    assert read_export(tmp_path) == data
    roster_header = (tmp_path / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    assert roster_header.split(",")[-4:] == ["start", "end", "start_place", "end_place"]
    assert "home_lat" in (tmp_path / "staff.csv").read_text(encoding="utf-8").splitlines()[0]


def test_an_export_without_the_new_columns_imports_as_before(tmp_path: Path):
    """Old exports: no own hours, no places, no homes, no second-role skills."""
    data = read_export(write_tables(tiny_tables(), tmp_path / "old"))
    assert all(e.is_plain for e in data.roster.entries)
    assert all(s.home is None for s in data.staff)


def _tables_with(**roster_changes: str):
    tables = tiny_tables()
    tables["roster"][0].update(roster_changes)  # S1's entry of the day before
    for row in tables["roster"][1:]:
        for column in roster_changes:
            row.setdefault(column, "")
    return tables


def test_norwegian_column_names_read_hours_places_and_home(tmp_path: Path):
    """fra/til/startsted/sluttsted and hjem_breddegrad/hjem_lengdegrad are the same columns."""
    tables = _tables_with(fra="09:00", til="13:00", startsted="home", sluttsted="B1")
    for row in tables["staff"]:
        row["hjem_breddegrad"] = "63.44" if row["staff_id"] == "S1" else ""
        row["hjem_lengdegrad"] = "10.41" if row["staff_id"] == "S1" else ""
    data = read_tabular(write_tables(tables, tmp_path / "nb"))
    entry = data.roster.entries[0]
    assert (entry.start, entry.end, entry.start_place, entry.end_place) == (
        time(9, 0),
        time(13, 0),
        HOME,
        "B1",
    )
    assert data.staff[0].home is not None and data.staff[0].home.lat == 63.44


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"start_place": "home"}, "start_place", "has no home"),
        ({"end_place": "B9"}, "end_place", "unknown base"),
        ({"start": "14:00", "end": "08:00"}, "end", "ends before it starts"),
        ({"start": "25:00"}, "start", "clock time"),
    ],
)
def test_bad_hours_and_places_are_named_by_file_row_and_column(
    tmp_path: Path, changes: dict[str, str], column: str, words: str
):
    """Each bad cell is one issue naming roster.csv, the row and the column."""
    with pytest.raises(PlanInputError) as caught:
        read_export(write_tables(_tables_with(**changes), tmp_path / "bad"))
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.field) == ("roster.csv", 1, column)
    assert words in issue.message


def test_second_role_skills_need_a_second_role(tmp_path: Path):
    """second_staff_skills without second_staff_competence is an error on that column; with
    it, the skills reach the intervention."""
    tables = tiny_tables()
    for row in tables["interventions"]:
        row["staff_count"] = "2" if row["intervention_id"] == "I3" else row["staff_count"]
        row["second_staff_skills"] = "kateter" if row["intervention_id"] == "I3" else ""
        row["second_staff_competence"] = ""
    with pytest.raises(PlanInputError) as caught:
        read_export(write_tables(tables, tmp_path / "bad"))
    (issue,) = caught.value.issues
    assert issue.field == "second_staff_skills"
    for row in tables["interventions"]:
        if row["intervention_id"] == "I3":
            row["second_staff_competence"] = "helsefagarbeider"
    data = read_export(write_tables(tables, tmp_path / "good"))
    (item,) = [i for c in data.care_plans for i in c.interventions if i.intervention_id == "I3"]
    assert item.second_staff_competence is CompetenceLevel.HEALTH_WORKER
    assert item.second_staff_skills == frozenset({Skill.CATHETER})


def test_the_second_role_travels_through_fhir(tmp_path: Path):
    """A two-role double visit written as FHIR (second-staff-competence/-skill extensions
    on the activity) reads back with the same roles; one without a second role has none."""
    from hjemmetjeneste.formats.fhir import read_fhir, write_fhir_bundle

    data = read_export(DEMO)
    roles = [i for c in data.care_plans for i in c.interventions if i.second_staff_competence]
    item = roles[0].model_copy(update={"second_staff_skills": frozenset({Skill.CATHETER})})
    plans = tuple(
        c.model_copy(
            update={
                "interventions": tuple(
                    item if i.intervention_id == item.intervention_id else i
                    for i in c.interventions
                )
            }
        )
        for c in data.care_plans
    )
    write_fhir_bundle(data.model_copy(update={"care_plans": plans}), tmp_path / "bundle.json")
    back = read_fhir(tmp_path / "bundle.json")
    read_items = {i.intervention_id: i for c in back.care_plans for i in c.interventions}
    again = read_items[item.intervention_id]
    assert (again.second_staff_competence, again.second_staff_skills) == (
        item.second_staff_competence,
        item.second_staff_skills,
    )
    plain = next(i for i in read_items.values() if i.staff_count == 1)
    assert plain.second_staff_competence is None and plain.second_staff_skills == frozenset()
