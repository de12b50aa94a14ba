"""Official HL7 R4 examples and a Synthea-shaped transaction bundle import with a municipality
mapping file (tests/fixtures/fhir, see SOURCES.md): only skipped resource types are reported."""

from __future__ import annotations

import json
import shutil
from datetime import time
from pathlib import Path

import pytest

from hjemmetjeneste.domain import (
    DEFAULT_SHIFTS,
    CompetenceLevel,
    GeoPoint,
    ProblemArea,
    ScheduleKind,
)
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.formats.fhir import read_fhir
from hjemmetjeneste.formats.fhir.mapping import load_mapping
from hjemmetjeneste.formats.geocoding import AddressQuery

FIXTURES = Path(__file__).parents[1] / "fixtures" / "fhir"
FNR = "01017012345"


class _OneAddress:
    """A geocoder that knows only the HL7 example patient's street (the examples carry no
    coordinates, and tests never call a real service)."""

    def __init__(self) -> None:
        self.asked: list[AddressQuery] = []

    def geocode(self, query: AddressQuery) -> GeoPoint | None:
        self.asked.append(query)
        if query.address == "Bos en Lommerplein 280":
            return GeoPoint(lat=59.92, lon=10.76)
        return None

    def describe(self) -> str:
        return "test register"


def test_official_hl7_r4_examples_import_with_the_mapping_file() -> None:
    """CarePlan f201 and f003, Patient f201, Practitioner example: the mapping names the
    municipality, base and district (by the patient's managingOrganization) and the
    competence of the practitioner's 'BS' qualification; nothing is reported but skips."""
    geocoder = _OneAddress()
    loaded = read_plan_export(FIXTURES / "hl7-r4-examples", geocoder=geocoder)
    data = loaded.data
    assert loaded.format == "fhir"
    assert loaded.skipped == ()  # the four files hold only types the planner reads
    assert loaded.new_problem_areas == ()
    assert data.municipality.municipality_id == "0301"
    assert data.municipality.shifts == DEFAULT_SHIFTS  # the mapping names none
    assert [d.district_id for d in data.districts] == ["d1"]
    (patient,) = data.patients
    assert (patient.patient_id, patient.district_id) == ("f201", "d1")
    assert patient.location == GeoPoint(lat=59.92, lon=10.76)
    assert [q.postal_code for q in geocoder.asked] == ["1055RW"]
    (staff,) = data.staff
    assert (staff.staff_id, staff.competence, staff.district_id) == (
        "example",
        CompetenceLevel.NURSE,
        "d1",
    )
    # f003 is completed (left out); f201 is a draft whose activities are all completed
    assert [(c.care_plan_id, c.interventions) for c in data.care_plans] == [("f201", ())]


def test_hl7_examples_without_the_mapping_file_say_what_is_missing(tmp_path: Path) -> None:
    """Without the mapping file the same files are refused in one pass, naming what to map."""
    folder = tmp_path / "hl7"
    shutil.copytree(FIXTURES / "hl7-r4-examples", folder)
    (folder / "fhir-mapping.toml").unlink()
    with pytest.raises(PlanInputError) as err:
        read_fhir(folder, geocoder=_OneAddress())
    messages = [i.message for i in err.value.issues]
    assert any("municipality" in m for m in messages)
    assert all("None" not in m for m in messages)


def test_synthea_style_transaction_bundle_imports_with_the_mapping_file(tmp_path: Path) -> None:
    """urn:uuid references, no-basis municipality number, HPR category, activities without a
    schedule: imported through the mapping; Encounter, Condition, CareTeam and Organization
    are the only thing reported (skipped), and the fødselsnummer is nowhere in the data."""
    loaded = read_plan_export(FIXTURES / "synthea-style-transaction.json")
    assert dict(loaded.skipped) == {
        "CareTeam": 1,
        "Condition": 1,
        "Encounter": 1,
        "Organization": 1,
    }
    assert loaded.new_problem_areas == ()
    data = loaded.data
    assert (data.municipality.municipality_id, data.municipality.name) == ("4601", "Bergen")
    assert [(s.kind.value, s.start) for s in data.municipality.shifts] == [
        ("day", time(8)),
        ("evening", time(15, 30)),
        ("night", time(22, 30)),
    ]
    (patient,) = data.patients
    assert patient.district_id == "sentrum"  # address municipality number 4601
    assert patient.location == GeoPoint(lat=60.3913, lon=5.3221)
    (staff,) = data.staff
    assert staff.competence == CompetenceLevel.NURSE  # HPR 'SP' in the qualification
    assert staff.district_id == "sentrum"  # the mapping's default district
    (plan,) = data.care_plans
    assert plan.patient_id == patient.patient_id
    areas = sorted(str(i.problem_area) for i in plan.interventions)
    assert areas == sorted([ProblemArea.NUTRITION.value, ProblemArea.REHABILITATION.value])
    for item in plan.interventions:
        assert item.schedule.kind == ScheduleKind.WINDOW
        assert item.schedule.windows[0].start == time(8)
        assert item.duration_min == 20
    assert FNR not in data.model_dump_json()


def test_postcode_and_unknown_keys_in_the_mapping(tmp_path: Path) -> None:
    """A postcode the mapping lists picks that district; a mapping naming an unknown base or
    district is refused with the field named."""
    text = (FIXTURES / "synthea-style-transaction.json").read_text(encoding="utf-8")
    (tmp_path / "export.json").write_text(
        text.replace('"postalCode": "5003"', '"postalCode": "5131"').replace(
            '"code": "4601"', '"code": "9999"'
        ),
        encoding="utf-8",
    )
    shutil.copy(FIXTURES / "fhir-mapping.toml", tmp_path)
    data = read_fhir(tmp_path / "export.json")
    assert data.patients[0].district_id == "nord"
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (FIXTURES / "fhir-mapping.toml")
        .read_text(encoding="utf-8")
        .replace('default_district = "sentrum"', 'default_district = "vest"')
        .replace('base = "base-sentrum"\npostal', 'base = "base-x"\npostal'),
        encoding="utf-8",
    )
    with pytest.raises(PlanInputError) as err:
        load_mapping(bad)
    assert sorted((i.field, i.message) for i in err.value.issues) == [
        ("default_district", "unknown district 'vest'"),
        ("districts.1.base", "unknown base 'base-x'"),
    ]


def test_care_team_organization_places_patient_and_staff(tmp_path: Path) -> None:
    """A CareTeam (skipped, not imported) links the patient and the nurse to the home-care
    Organization; the mapping file maps that Organization to a district."""
    shutil.copy(FIXTURES / "synthea-style-transaction.json", tmp_path / "export.json")
    mapping = (FIXTURES / "fhir-mapping.toml").read_text(encoding="utf-8")
    mapping = mapping.replace(
        'postal_codes = ["5131"]',
        'references = ["Organization/0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c06"]',
    ).replace('municipality_numbers = ["4601"]', "")
    (tmp_path / "fhir-mapping.toml").write_text(mapping, encoding="utf-8")
    skipped: dict[str, int] = {}
    data = read_fhir(tmp_path / "export.json", skipped=skipped)
    assert [p.district_id for p in data.patients] == ["nord"]
    assert [s.district_id for s in data.staff] == ["nord"]
    assert skipped["CareTeam"] == 1


def test_no_district_is_named_without_python_none(tmp_path: Path) -> None:
    """Two districts and nothing placing the patient: one error that says what to map."""
    shutil.copy(FIXTURES / "synthea-style-transaction.json", tmp_path / "export.json")
    mapping = (FIXTURES / "fhir-mapping.toml").read_text(encoding="utf-8")
    mapping = mapping.replace('default_district = "sentrum"\n', "").replace(
        'municipality_numbers = ["4601"]', ""
    )
    (tmp_path / "fhir-mapping.toml").write_text(mapping, encoding="utf-8")
    with pytest.raises(PlanInputError) as err:
        read_fhir(tmp_path / "export.json")
    fields = sorted(i.field.split(" ")[0] for i in err.value.issues)
    assert [f.split("/")[0] for f in fields] == ["Patient", "Practitioner"]
    for issue in err.value.issues:
        assert issue.message.startswith("no district: 2 districts")
        assert "None" not in issue.message


def test_geocoder_gets_the_no_basis_municipality_number(tmp_path: Path) -> None:
    """Without coordinates the address is geocoded with its postcode and the no-basis
    municipality number; the fødselsnummer is in no error message."""
    bundle = json.loads((FIXTURES / "synthea-style-transaction.json").read_text("utf-8"))
    patient = bundle["entry"][0]["resource"]
    del patient["address"][0]["extension"]  # the geolocation
    (tmp_path / "export.json").write_text(json.dumps(bundle), encoding="utf-8")
    shutil.copy(FIXTURES / "fhir-mapping.toml", tmp_path)
    geocoder = _OneAddress()
    with pytest.raises(PlanInputError) as err:
        read_fhir(tmp_path / "export.json", geocoder=geocoder)
    assert [(q.address, q.postal_code, q.municipality_number) for q in geocoder.asked] == [
        ("Testveien 1", "5003", "4601")
    ]
    (issue,) = err.value.issues
    assert "could not be resolved" in issue.message
    assert FNR not in str(err.value)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("default_distrct = 'x'\n", "default_distrct", "is not a known field"),
        ("[municipality]\nnumber = \n", None, "not valid TOML at line 2, column 10"),
        ("default_competence = 'lege'\n", "default_competence", "must be one of assistent, "),
    ],
)
def test_a_bad_mapping_file_is_refused_by_field(
    tmp_path: Path, text: str, field: str | None, message: str
) -> None:
    """A misspelt key, broken TOML or an unknown competence: refused, naming the field."""
    path = tmp_path / "fhir-mapping.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanInputError) as err:
        load_mapping(path)
    (issue,) = err.value.issues
    assert (issue.file, issue.field) == ("fhir-mapping.toml", field)
    assert message in issue.message


def test_f003_scheduled_string_datetime_is_one_visit(tmp_path: Path) -> None:
    """f003 writes its activity's scheduledString as one dateTime: were the plan active, that
    is one visit at 09:30 that day, lasting the mapping's default duration."""
    folder = tmp_path / "hl7"
    shutil.copytree(FIXTURES / "hl7-r4-examples", folder)
    path = folder / "careplan-example-f003-pharynx.json"
    plan = json.loads(path.read_text("utf-8"))
    plan["status"] = "active"
    plan["subject"]["reference"] = "Patient/f201"
    plan["activity"][0]["detail"]["status"] = "scheduled"
    plan["activity"][0]["detail"]["reasonCode"] = [{"text": "Hud og vev"}]
    path.write_text(json.dumps(plan), encoding="utf-8")
    data = read_fhir(folder, geocoder=_OneAddress())
    item = next(i for c in data.care_plans if c.care_plan_id == "f003" for i in c.interventions)
    assert item.schedule.kind == ScheduleKind.FIXED
    assert item.schedule.times == (time(9, 30),)
    assert item.duration_min == 30
    assert item.valid_from == item.valid_to
    assert str(item.valid_from) == "2011-06-27"


def test_practitioner_role_of_an_ehr_is_placed_through_the_mapping(tmp_path: Path) -> None:
    """A PractitionerRole naming the EHR's own Organization and Location (no district): the
    mapping's references place the practitioner, not an 'unknown district' error."""
    folder = tmp_path / "hl7"
    shutil.copytree(FIXTURES / "hl7-r4-examples", folder)
    role = {
        "resourceType": "PractitionerRole",
        "id": "r1",
        "practitioner": {"reference": "Practitioner/example"},
        "organization": {"reference": "Organization/f001"},
        "location": [{"reference": "Location/1", "display": "South Wing, second floor"}],
    }
    (folder / "role.json").write_text(json.dumps(role), encoding="utf-8")
    mapping = folder / "fhir-mapping.toml"
    text = mapping.read_text("utf-8").replace('"Practitioner/example"', '"Location/1"')
    text += '\n[[districts]]\nid = "d2"\nbase = "base-1"\nreferences = ["Organization/f001"]\n'
    mapping.write_text(text, encoding="utf-8")
    data = read_fhir(folder, geocoder=_OneAddress())
    assert [(s.staff_id, s.district_id) for s in data.staff] == [("example", "d2")]
