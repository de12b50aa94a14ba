"""Competence titles and skills are an open catalogue, like care-plan headings.

A municipality's own title ("Miljøterapeut") counts as the level its catalogue entry names
(catalogue.csv: kind, name, level, aliases); an unknown title is added at the lowest level
(assistent) with a warning, or refused with --strict-catalogue naming file, row and field.
Own skills ("Trakeostomi", "PEG-sonde") are matched in any letter case, and a task needing
one goes only to a caregiver who has it. The store keeps the entries (with the level) and
the caregivers' titles, all or nothing, on SQLite and PostgreSQL, and a --partial roster
alone is read against the store's catalogue.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from import_corpus import CORPUS
from test_store_catalogue import _digest, _import
from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import (
    CatalogueName,
    CompetenceLevel,
    CompetenceTitle,
    MunicipalityData,
    ShiftKind,
    Skill,
)
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.pipeline import plan_shift
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.store import CatalogueEntry, open_store

VALID = CORPUS / "valid_csv"
MUNICIPALITY = "5001"
DAY = date(2026, 12, 1)
runner = CliRunner()

CATALOGUE = (
    "kind;name;level;aliases\n"
    "competence;Miljøterapeut;sykepleier;Miljøterapeut (bachelor)\n"
    "competence;Fagarbeider helse;helsefagarbeider;\n"
    "skill;PEG-sonde;;PEG\n"
    "problem_area;Hagearbeid;;\n"
)
STAFF = (
    "staff_id,municipality_id,district_id,first_name,competence,skills,travel_mode,"
    "contracted_fte\n"
    "S001,5001,trd-ost,Sindre,miljøterapeut,,car,0.4\n"
    "S002,5001,trd-ost,Emma,Sosionom,Trakeostomi|PEG,car,0.5\n"
    "S003,5001,trd-ost,Fatima,Fagarbeider helse,Sårstell,car,0.2\n"
    "S004,5001,trd-ost,Yonas,assistent,Tegnspråk,car,0.3\n"
)
_HEADER = (
    "intervention_id,care_plan_id,patient_id,problem_area,description,duration_min,"
    "schedule_kind,times,tolerance_min,windows,weekdays,every_n_weeks,week_anchor,"
    "required_competence,required_skills,staff_count,priority,time_critical,valid_from,valid_to"
)
INTERVENTIONS = (
    f"{_HEADER}\n"
    "N1,CP-P0001,P0001,Legemiddelhåndtering,Medisiner,20,window,,0,08:00-12:00,,1,,"
    "sykepleier,,1,normal,false,2026-01-01,\n"
    "T1,CP-P0002,P0002,Sirkulasjon og respirasjon,Stell av trakeostomi,20,window,,0,"
    "08:00-12:00,,1,,assistent,trakeostomi,1,normal,false,2026-01-01,\n"
    "P1,CP-P0003,P0003,Ernæring og væske,Sondeernæring,15,window,,0,08:00-12:00,,1,,"
    "assistent,PEG-sonde,1,normal,false,2026-01-01,\n"
)


def _export(tmp_path: Path, *, roster: list[str] | None = None, name: str = "export") -> Path:
    """The valid export with own titles and skills, everyone on the day shift of DAY."""
    folder = tmp_path / name
    shutil.copytree(VALID, folder)
    (folder / "catalogue.csv").write_text(CATALOGUE, encoding="utf-8")
    (folder / "staff.csv").write_text(STAFF, encoding="utf-8")
    (folder / "interventions.csv").write_text(INTERVENTIONS, encoding="utf-8")
    on_shift = roster if roster is not None else ["S001", "S002", "S003", "S004"]
    (folder / "roster.csv").write_text(
        "staff_id,date,shift,district_id\n"
        + "".join(f"{s},{DAY.isoformat()},day,trd-ost\n" for s in on_shift),
        encoding="utf-8",
    )
    return folder


def test_own_titles_count_as_their_level_and_own_skills_are_matched(tmp_path: Path) -> None:
    """Titles and skills read against the export's catalogue file: an own title (any case)
    at the file's level, an alias of an own title or skill, a standard Norwegian alias,
    an unknown title at assistent and unknown skills as the municipality's own — the last
    two reported as new entries."""
    loaded = read_plan_export(_export(tmp_path))
    staff = {s.staff_id: s for s in loaded.data.staff}
    assert staff["S001"].competence == CompetenceTitle("Miljøterapeut", CompetenceLevel.NURSE)
    assert str(staff["S001"].competence) == "Miljøterapeut"  # the catalogue's spelling
    assert staff["S001"].competence.satisfies(CompetenceLevel.NURSE)
    sosionom = staff["S002"].competence
    assert isinstance(sosionom, CompetenceTitle)
    assert sosionom.level is CompetenceLevel.ASSISTANT
    assert not sosionom.satisfies(CompetenceLevel.HEALTH_WORKER)
    assert staff["S002"].skills == {CatalogueName("trakeostomi"), CatalogueName("PEG-sonde")}
    assert staff["S003"].competence.level is CompetenceLevel.HEALTH_WORKER
    assert staff["S003"].skills == {Skill.WOUND_CARE}
    needs = {i.intervention_id: i for p in loaded.data.care_plans for i in p.interventions}
    # one spelling per entry: the catalogue's, else the first met (interventions first)
    assert needs["T1"].required_skills | needs["P1"].required_skills == staff["S002"].skills
    assert loaded.new_entries == (
        ("competence", "Sosionom", 1),
        ("skill", "Tegnspråk", 1),
        ("skill", "trakeostomi", 2),
    )
    assert {(i.kind, i.name, i.level) for i in loaded.listed_items} == {
        ("competence", "Miljøterapeut", CompetenceLevel.NURSE),
        ("competence", "Fagarbeider helse", CompetenceLevel.HEALTH_WORKER),
        ("skill", "PEG-sonde", None),
    }
    assert loaded.catalogue_file == ("Hagearbeid",)


def test_strict_catalogue_refuses_unknown_titles_and_skills_naming_file_row_field(
    tmp_path: Path,
) -> None:
    """--strict-catalogue: each title and skill no catalogue holds is an issue at its cell;
    listing them in catalogue.csv makes the export acceptable."""
    folder = _export(tmp_path)
    with pytest.raises(PlanInputError) as caught:
        read_plan_export(folder, strict_catalogue=True)
    found = {(Path(i.file).name, i.row, i.field) for i in caught.value.issues}
    assert found == {
        ("interventions.csv", 2, "required_skills"),
        ("staff.csv", 2, "competence"),
        ("staff.csv", 2, "skills"),
        ("staff.csv", 4, "skills"),
    }
    message = next(i.message for i in caught.value.issues if i.field == "competence")
    assert "'Sosionom' is not in the catalogue" in message
    with (folder / "catalogue.csv").open("a", encoding="utf-8") as handle:
        handle.write("competence;Sosionom;assistent;\nskill;Trakeostomi;;\nskill;Tegnspråk;;\n")
    assert read_plan_export(folder, strict_catalogue=True).new_entries == ()


def test_a_bad_catalogue_file_names_file_row_and_column(tmp_path: Path) -> None:
    """A title without the level it counts as, or an unknown kind, is refused at its cell."""
    folder = _export(tmp_path)
    (folder / "catalogue.csv").write_text(
        "kind,name,level\ncompetence,Miljøterapeut,\nyrke,Snekker,\ncompetence,X,lege\n",
        encoding="utf-8",
    )
    with pytest.raises(PlanInputError) as caught:
        read_plan_export(folder)
    assert [(i.file, i.row, i.field) for i in caught.value.issues] == [
        ("catalogue.csv", 1, "level"),
        ("catalogue.csv", 2, "kind"),
        ("catalogue.csv", 3, "level"),
    ]


def test_the_plan_gives_own_skill_and_nurse_work_only_to_those_qualified(
    tmp_path: Path,
) -> None:
    """Planned: the tracheostomy task goes to the one caregiver with that own skill (her
    skills say 'Trakeostomi', the task 'trakeostomi'), the PEG task to the one with
    'PEG' (an alias), the nurse task to the Miljøterapeut (a title at level sykepleier).
    Without the Miljøterapeut on shift the nurse task is unplaced: the Sosionom (unknown
    title, assistent) may not do it."""
    params = SolveParams(time_limit_s=1.0, seed=0, iterations=2_000)
    data = read_plan_export(_export(tmp_path)).data
    outcome = plan_shift(data, DAY, ShiftKind.DAY, params=params)
    assert outcome.violations == ()
    served = {
        task.intervention_id: worklist.staff_id
        for worklist in outcome.result.worklists
        for visit in worklist.visits
        for task in visit.tasks
    }
    assert served == {"N1": "S001", "T1": "S002", "P1": "S002"}
    titles = {w.staff_id: w.competence for w in outcome.result.worklists}
    assert titles["S001"] == "Miljøterapeut"  # the worklist shows the municipality's title

    without = read_plan_export(
        _export(tmp_path, roster=["S002", "S003", "S004"], name="without")
    ).data
    outcome = plan_shift(without, DAY, ShiftKind.DAY, params=params)
    unplaced = {u.intervention_id: u for u in outcome.result.unplaced}
    assert set(unplaced) == {"N1"}
    assert "sykepleier" in unplaced["N1"].explanation


def _stored(url: str) -> tuple[MunicipalityData, dict[tuple[str, str], CatalogueEntry]]:
    """The store's data and catalogue entries (by kind and name) of the municipality."""
    store = open_store(url)
    try:
        entries = {(e.kind, e.name): e for e in store.catalogue(MUNICIPALITY)}
        return store.load_municipality(MUNICIPALITY), entries
    finally:
        store.close()


def test_titles_and_skills_round_trip_through_the_store(tmp_path: Path, import_db_url: str) -> None:
    """The import stores the entries (titles with their level) and the caregivers' titles;
    the store gives back equal data; `catalogue` lists them; a --partial roster alone under
    --strict-catalogue reads against the store's catalogue; a changed level in the file
    changes the entry and the caregiver; a refused import leaves the store as it was."""
    url = import_db_url
    folder = _export(tmp_path)
    code, output = _import(url, folder)
    assert code == 0, output
    assert "'Sosionom' (1)" in output and "assistent" in output
    assert "'trakeostomi' (2)" in output
    loaded = read_plan_export(folder)
    stored, entries = _stored(url)
    assert {s.staff_id: (repr(s.competence), s.skills) for s in stored.staff} == {
        s.staff_id: (repr(s.competence), s.skills) for s in loaded.data.staff
    }
    assert entries[("competence", "Miljøterapeut")].level is CompetenceLevel.NURSE
    assert entries[("competence", "Miljøterapeut")].aliases == ("Miljøterapeut (bachelor)",)
    assert entries[("competence", "Sosionom")].level is CompetenceLevel.ASSISTANT
    assert entries[("competence", "Sosionom")].source == "export"
    assert entries[("skill", "PEG-sonde")].aliases == ("PEG",)
    assert ("skill", "Tegnspråk") in entries and ("problem_area", "Hagearbeid") in entries

    listed = runner.invoke(app, ["catalogue", "--database-url", url])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert any("Miljøterapeut" in ln and "sykepleier" in ln for ln in lines)
    assert any("Sosionom" in ln and "assistent" in ln for ln in lines)
    assert any("PEG-sonde" in ln and "municipality" in ln for ln in lines)

    before = _digest(url)
    delta = tmp_path / "delta"
    delta.mkdir()
    shutil.copy(folder / "staff.csv", delta / "staff.csv")
    (delta / "staff.csv").write_text(STAFF.replace("Tegnspråk", "Blindeskrift"), "utf-8")
    code, output = _import(url, delta, "--partial", "--strict-catalogue")
    assert code == 2, output  # 'Blindeskrift' is in no catalogue
    assert "Blindeskrift" in output
    assert _digest(url) == before
    shutil.copy(folder / "staff.csv", delta / "staff.csv")
    code, output = _import(url, delta, "--partial", "--strict-catalogue")
    assert code == 0, output  # every title and skill is known to the store
    assert "Nothing changed" in output

    (folder / "catalogue.csv").write_text(
        CATALOGUE + "competence;Sosionom;vernepleier;\n", encoding="utf-8"
    )
    code, output = _import(url, folder)
    assert code == 0, output
    stored, entries = _stored(url)
    assert entries[("competence", "Sosionom")].level is CompetenceLevel.SOCIAL_EDUCATOR
    emma = next(s for s in stored.staff if s.staff_id == "S002")
    assert emma.competence == CompetenceTitle("Sosionom", CompetenceLevel.SOCIAL_EDUCATOR)


def test_a_roster_alone_is_read_against_the_stored_titles(
    tmp_path: Path, import_db_url: str
) -> None:
    """After a full import, a --partial import of roster.csv alone (the staff come from the
    store, titles and all) plans with the stored levels."""
    url = import_db_url
    code, output = _import(url, _export(tmp_path))
    assert code == 0, output
    delta = tmp_path / "roster_only"
    delta.mkdir()
    (delta / "roster.csv").write_text(
        "staff_id,date,shift,district_id\nS001,2026-12-02,day,trd-ost\n", encoding="utf-8"
    )
    code, output = _import(url, delta, "--partial", "--strict-catalogue")
    assert code == 0, output
    stored, _ = _stored(url)
    sindre = next(s for s in stored.staff if s.staff_id == "S001")
    assert sindre.competence == CompetenceTitle("Miljøterapeut", CompetenceLevel.NURSE)
    assert any(e.staff_id == "S001" and e.date == date(2026, 12, 2) for e in stored.roster.entries)


def test_titles_of_the_mapping_file_in_fhir(tmp_path: Path) -> None:
    """FHIR: qualification codes the mapping file maps to an own title or skill are read
    against the catalogue; an unknown one is a new entry (strict: an error)."""
    from hjemmetjeneste.domain import Catalogue, CatalogueItem
    from hjemmetjeneste.formats.fhir.mapping import FhirMapping
    from hjemmetjeneste.formats.fhir.read import _qualifications

    mapping = FhirMapping(
        competence={"MT": "Miljøterapeut", "SO": "Sosionom", "HP": "Hjelpepleier"},
        skills={"TRK": "Trakeostomi"},
    )
    catalogue = Catalogue([CatalogueItem("competence", "Miljøterapeut", CompetenceLevel.NURSE)])
    level, skills = _qualifications([(None, "MT"), (None, "TRK")], mapping, catalogue)
    assert level == CompetenceTitle("Miljøterapeut", CompetenceLevel.NURSE)
    assert skills == {"Trakeostomi"}
    level, _ = _qualifications([(None, "SO"), (None, "HP")], mapping, catalogue)
    assert level is CompetenceLevel.HEALTH_WORKER  # the higher of assistent and hjelpepleier
    assert catalogue.new == {("competence", "Sosionom"): 1, ("skill", "Trakeostomi"): 1}
    strict = Catalogue(strict=True)
    with pytest.raises(ValueError, match="'Sosionom' is not in the catalogue"):
        _qualifications([(None, "SO")], mapping, strict)


def test_the_csv_columns_read_back_as_written(tmp_path: Path) -> None:
    """write_export writes own titles with a catalogue.csv giving their level, so the
    export reads back equal (titles, levels and skills)."""
    from hjemmetjeneste.formats import write_export

    data = read_plan_export(_export(tmp_path)).data
    out = tmp_path / "written"
    write_export(data, out)
    rows = list(csv.DictReader((out / "catalogue.csv").open(encoding="utf-8")))
    assert {(r["kind"], r["name"], r["level"]) for r in rows} >= {
        ("competence", "Miljøterapeut", "sykepleier"),
        ("competence", "Sosionom", "assistent"),
    }
    again = read_plan_export(out, strict_catalogue=True).data
    assert [(repr(s.competence), s.skills) for s in again.staff] == [
        (repr(s.competence), s.skills) for s in data.staff
    ]


def test_fhir_activities_and_practitioners_with_own_skills(tmp_path: Path) -> None:
    """A FHIR bundle whose activity needs an own skill and whose Practitioner has it (the
    project's skill code system): both read as the same own skill, counted as new; strict
    mode refuses the bundle naming the CarePlan."""
    from hjemmetjeneste.formats.fhir import write_fhir_bundle

    data = read_plan_export(_export(tmp_path)).data
    bundle = tmp_path / "bundle.json"
    write_fhir_bundle(data, bundle)
    loaded = read_plan_export(bundle)
    needs = {i.intervention_id: i for p in loaded.data.care_plans for i in p.interventions}
    staff = {s.staff_id: s for s in loaded.data.staff}
    assert needs["T1"].required_skills <= staff["S002"].skills
    assert ("skill", "trakeostomi", 2) in loaded.new_entries
    assert ("competence", "Miljøterapeut", 1) in loaded.new_entries  # no catalogue beside it
    (tmp_path / "catalogue.csv").write_text(
        CATALOGUE + "competence;Sosionom;assistent;\nskill;Tegnspråk;;\n", encoding="utf-8"
    )
    known = read_plan_export(bundle, strict_catalogue=False)
    assert {s.staff_id: s.competence.level for s in known.data.staff}["S001"] == "sykepleier"
    assert known.new_entries == (("skill", "trakeostomi", 2),)
    with pytest.raises(PlanInputError) as caught:
        read_plan_export(bundle, strict_catalogue=True)
    assert any("'trakeostomi' is not in the catalogue" in i.message for i in caught.value.issues)
