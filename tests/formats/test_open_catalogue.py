"""Care-plan headings are an open catalogue: every standard heading imports and plans, any
letter case or alias names the standard one, and a municipality's own heading is added with
a warning (or refused with --strict-catalogue, unless the export's catalogue file lists it)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from import_corpus import CORPUS, set_headings

from hjemmetjeneste.domain import (
    CatalogueName,
    CompetenceLevel,
    CompetenceTitle,
    MunicipalityData,
    ProblemArea,
    ShiftKind,
    Skill,
)
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.pipeline import plan_shift
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.store import open_store

VALID = CORPUS / "valid_csv"
DOMAIN_HEADINGS = [
    "Ernæring og væske",
    "Sirkulasjon og respirasjon",
    "Eliminasjon",
    "Mestring og motivasjon",
    "Legemiddelhåndtering",
    "Personlig hygiene",
    "Hud og vev",
    "Aktivitet og deltakelse",
    "Hus og hjem",
    "Atferd som utfordrer",
    "Boveiledning og boevne",
    "Søvn og hvile",
    "Livssyn og verdier",
    "Avansert medisinsk behandling",
    "Nevrologisk sykepleie",
    "Økonomi",
    "Logopedi",
    "Infeksjonsrisiko",
    "Ortopedi",
    "Rehabilitering",
    "Ergoterapi voksen",
    "Ergoterapi barn",
    "Smerte",
    "Den geriatriske pasienten",
]


def _every_heading(data: MunicipalityData) -> MunicipalityData:
    """The valid export with one intervention per standard heading (cycling through the
    existing interventions as templates)."""
    items = [i for plan in data.care_plans for i in plan.interventions]
    plans = list(data.care_plans)
    for k, heading in enumerate(ProblemArea):
        template = items[k % len(items)]
        copy = template.model_copy(update={"intervention_id": f"H{k:02d}", "problem_area": heading})
        index = next(i for i, p in enumerate(plans) if p.patient_id == template.patient_id)
        plans[index] = plans[index].model_copy(
            update={"interventions": (*plans[index].interventions, copy)}
        )
    return data.model_copy(update={"care_plans": tuple(plans)})


def test_the_standard_catalogue_holds_every_heading_of_the_guiding_plans() -> None:
    """All headings the domain notes list are standard values."""
    assert {h.casefold() for h in DOMAIN_HEADINGS} <= {p.value.casefold() for p in ProblemArea}


def test_every_standard_heading_imports_stores_and_plans(tmp_path: Path) -> None:
    """An export using every standard heading reads back equal, survives the store and
    plans a day shift without violations."""
    data = _every_heading(read_export(VALID))
    write_export(data, tmp_path / "export")
    loaded = read_plan_export(tmp_path / "export")
    assert loaded.data == data and loaded.new_problem_areas == ()
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.save_export(loaded.data)
    stored = store.load_municipality()
    store.close()
    headings = {i.problem_area for p in stored.care_plans for i in p.interventions}
    assert headings >= set(ProblemArea)
    params = SolveParams(time_limit_s=1.0, seed=0, iterations=2_000)
    outcome = plan_shift(stored, date(2026, 12, 1), ShiftKind.DAY, params=params)
    assert outcome.violations == ()
    assert outcome.result.worklists


def _with_headings(tmp_path: Path, headings: list[str]) -> Path:
    folder = tmp_path / "export"
    write_export(read_export(VALID), folder)
    set_headings(folder / "interventions.csv", headings)
    return folder


def test_letter_case_and_aliases_name_the_standard_heading(tmp_path: Path) -> None:
    """'HUS OG HJEM', 'ergoterapi (barn)' and 'Medisinering' are standard headings."""
    folder = _with_headings(tmp_path, ["HUS OG HJEM", "ergoterapi (barn)", "Medisinering"])
    loaded = read_plan_export(folder)
    first = [i.problem_area for i in loaded.data.care_plans[0].interventions][:3]
    assert first == [
        ProblemArea.HOUSE_AND_HOME,
        ProblemArea.OCCUPATIONAL_THERAPY_CHILD,
        ProblemArea.MEDICATION,
    ]
    assert loaded.new_problem_areas == ()


def test_own_heading_is_added_with_a_warning_or_refused_when_strict(tmp_path: Path) -> None:
    """An unknown heading becomes a new catalogue entry (reported); --strict-catalogue
    refuses it; the export's problem_areas.csv makes it known."""
    folder = _with_headings(tmp_path, ["Hagearbeid", "Hagearbeid"])
    loaded = read_plan_export(folder)
    area = loaded.data.care_plans[0].interventions[0].problem_area
    assert isinstance(area, CatalogueName) and area.value == "Hagearbeid"
    assert loaded.new_problem_areas == (("Hagearbeid", 2),)
    with pytest.raises(PlanInputError) as caught:
        read_plan_export(folder, strict_catalogue=True)
    assert "'Hagearbeid' (2 intervention(s)) is not in the catalogue" in str(caught.value)
    (folder / "problemområder.csv").write_text("navn\nHagearbeid\n", encoding="utf-8")
    assert read_plan_export(folder, strict_catalogue=True).new_problem_areas == ()


def test_competence_titles_and_skills_by_their_norwegian_names(tmp_path: Path) -> None:
    """Hjelpepleier is a helsefagarbeider, Kreftsykepleier a specialist nurse; sårstell and
    engelsk name skills; an unknown title is an own title at the lowest level, or refused
    with --strict-catalogue naming its cell."""
    folder = tmp_path / "export"
    write_export(read_export(VALID), folder)
    path = folder / "staff.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    header = rows[0]
    rows[1][header.index("competence")] = "Hjelpepleier"
    rows[1][header.index("skills")] = "Sårstell|Engelsk"
    rows[2][header.index("competence")] = "kreftsykepleier"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    staff = read_export(folder).staff
    assert staff[0].competence == CompetenceLevel.HEALTH_WORKER
    assert staff[0].skills == {Skill.WOUND_CARE, Skill.LANGUAGE_EN}
    assert staff[1].competence == CompetenceLevel.SPECIALIST_NURSE
    rows[1][header.index("competence")] = "lege"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    (lege,) = (s.competence for s in read_export(folder).staff if str(s.competence) == "lege")
    assert isinstance(lege, CompetenceTitle)  # an own title, at the lowest level by default
    assert lege.level is CompetenceLevel.ASSISTANT
    with pytest.raises(PlanInputError) as caught:
        read_plan_export(folder, strict_catalogue=True)
    issues = caught.value.issues
    assert [(Path(i.file).name, i.row, i.field) for i in issues] == [("staff.csv", 1, "competence")]
    assert "'lege' is not in the catalogue" in issues[0].message
