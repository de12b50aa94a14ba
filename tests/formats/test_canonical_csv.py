"""Tests of the canonical CSV export: round trips and precise error reports."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hjemmetjeneste.domain import (
    Base,
    CarePlan,
    CompetenceLevel,
    District,
    GeoPoint,
    Intervention,
    Municipality,
    MunicipalityData,
    Patient,
    Priority,
    ProblemArea,
    Roster,
    RosterEntry,
    Schedule,
    ScheduleKind,
    ShiftDefinition,
    ShiftKind,
    Skill,
    Staff,
    TimeWindow,
    TravelMode,
)
from hjemmetjeneste.errors import InputIssue, PlanInputError
from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.formats.canonical import EXPORT_COLUMNS
from hjemmetjeneste.synthetic import generate_demo


def small_data(
    description: str = "Morgenstell, vask og påkledning",
    display_name: str = "Ola Testmann",
    address: str = "Testveien 1",
    key_box_note: str | None = "Nøkkelboks ved inngangsdør, kode i turnusmappe",
) -> MunicipalityData:
    """A small but complete export touching every column and schedule form."""
    municipality = Municipality(
        municipality_id="9999",
        name="Testkommune",
        shifts=(
            ShiftDefinition(kind=ShiftKind.DAY, start=time(7, 0), end=time(15, 0)),
            ShiftDefinition(kind=ShiftKind.EVENING, start=time(15, 0), end=time(22, 0, 30)),
            ShiftDefinition(kind=ShiftKind.NIGHT, start=time(22, 0, 30), end=time(7, 0)),
        ),
    )
    base = Base(
        base_id="b1", name="Basen", address="Basevei 2", location=GeoPoint(lat=63.43, lon=10.4)
    )
    district = District(district_id="d1", municipality_id="9999", name="Sone 1", base_id="b1")
    patients = (
        Patient(
            patient_id="p1",
            municipality_id="9999",
            district_id="d1",
            display_name=display_name,
            address=address,
            location=GeoPoint(lat=63.4301234567891, lon=10.40000000000001),
            key_box_note=key_box_note,
        ),
        Patient(
            patient_id="p2",
            municipality_id="9999",
            district_id="d1",
            display_name='Kari, "Kari" Nordmann',
            address="Gate 3,\nleilighet 2",
            location=GeoPoint(lat=63.44, lon=10.45),
        ),
    )

    def intervention(iid: str, patient_id: str, schedule: Schedule, **fields: Any) -> Intervention:
        defaults: dict[str, Any] = {
            "problem_area": ProblemArea.PERSONAL_HYGIENE,
            "description": description,
            "duration_min": 30,
            "valid_from": date(2026, 1, 1),
        }
        return Intervention(
            intervention_id=iid,
            patient_id=patient_id,
            schedule=schedule,
            **{**defaults, **fields},
        )

    plans = (
        CarePlan(
            care_plan_id="cp1",
            patient_id="p1",
            interventions=(
                intervention(
                    "i1",
                    "p1",
                    Schedule(
                        kind=ScheduleKind.WINDOW,
                        windows=(
                            TimeWindow(start=time(8), end=time(10)),
                            TimeWindow(start=time(20), end=time(22)),
                        ),
                    ),
                ),
                intervention(
                    "i2",
                    "p1",
                    Schedule(kind=ScheduleKind.FIXED, times=(time(8), time(20)), tolerance_min=15),
                    problem_area=ProblemArea.MEDICATION,
                    description="Insulin",
                    duration_min=10,
                    required_competence=CompetenceLevel.SOCIAL_EDUCATOR,
                    required_skills=frozenset({Skill.INSULIN, Skill.LANGUAGE_EN}),
                    priority=Priority.HIGH,
                    time_critical=True,
                    valid_to=date(2026, 12, 31),
                ),
            ),
        ),
        CarePlan(
            care_plan_id="cp2",
            patient_id="p2",
            interventions=(
                intervention(
                    "i3",
                    "p2",
                    Schedule(
                        kind=ScheduleKind.WINDOW,
                        windows=(TimeWindow(start=time(10), end=time(14)),),
                        weekdays=frozenset({3}),
                        every_n_weeks=2,
                        week_anchor=date(2026, 11, 23),
                    ),
                    staff_count=2,
                    duration_min=60,
                ),
                intervention(
                    "i4",
                    "p2",
                    Schedule(kind=ScheduleKind.AS_NEEDED),
                    problem_area=ProblemArea.PAIN,
                    priority=Priority.LOW,
                ),
            ),
        ),
        CarePlan(
            care_plan_id="cp3",
            patient_id="p1",
            interventions=(
                intervention(
                    "i5",
                    "p1",
                    Schedule(
                        kind=ScheduleKind.FIXED,
                        times=(time(2, 0, 30),),
                        weekdays=frozenset({1, 4}),
                    ),
                    problem_area=ProblemArea.SLEEP_AND_REST,
                ),
            ),
        ),
    )
    staff = (
        Staff(
            staff_id="s1",
            municipality_id="9999",
            district_id="d1",
            first_name="Nora",
            competence=CompetenceLevel.NURSE,
            skills=frozenset({Skill.INSULIN, Skill.WOUND_CARE}),
            travel_mode=TravelMode.BIKE,
            contracted_fte=0.75,
        ),
        Staff(
            staff_id="s2",
            municipality_id="9999",
            district_id="d1",
            first_name="Per",
            competence=CompetenceLevel.ASSISTANT,
        ),
    )
    roster = Roster(
        entries=(
            RosterEntry(
                staff_id="s2", date=date(2026, 12, 1), shift=ShiftKind.DAY, district_id="d1"
            ),
            RosterEntry(
                staff_id="s1", date=date(2026, 12, 1), shift=ShiftKind.NIGHT, district_id="d1"
            ),
        )
    )
    return MunicipalityData(
        municipality=municipality,
        districts=(district,),
        bases=(base,),
        patients=patients,
        care_plans=plans,
        staff=staff,
        roster=roster,
    )


# --------------------------------------------------------------------------------------
# Helpers to break an export in one place
# --------------------------------------------------------------------------------------


def read_rows(folder: Path, file: str) -> tuple[list[str], list[list[str]]]:
    with (folder / file).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_rows(folder: Path, file: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / file).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def set_cell(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is the 1-based data row, as in InputIssue."""
    header, rows = read_rows(folder, file)
    rows[row - 1][header.index(column)] = value
    write_rows(folder, file, header, rows)


def drop_column(folder: Path, file: str, column: str) -> None:
    header, rows = read_rows(folder, file)
    index = header.index(column)
    write_rows(
        folder,
        file,
        [c for i, c in enumerate(header) if i != index],
        [[v for i, v in enumerate(r) if i != index] for r in rows],
    )


def duplicate_row(folder: Path, file: str, row: int) -> None:
    header, rows = read_rows(folder, file)
    rows.append(list(rows[row - 1]))
    write_rows(folder, file, header, rows)


def issues_of(folder: Path) -> tuple[InputIssue, ...]:
    with pytest.raises(PlanInputError) as info:
        read_export(folder)
    return info.value.issues


def where(issues: tuple[InputIssue, ...]) -> set[tuple[str, int | None, str | None]]:
    return {(i.file, i.row, i.field) for i in issues}


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    write_export(small_data(), folder)
    return folder


# --------------------------------------------------------------------------------------
# Round trips and format
# --------------------------------------------------------------------------------------


def test_round_trip_small_export(export: Path) -> None:
    """Reading what write_export wrote gives back an equal MunicipalityData."""
    assert read_export(export) == small_data()


def test_round_trip_demo_data(tmp_path: Path) -> None:
    """The generated demo municipality survives write_export → read_export unchanged."""
    data = generate_demo(2026)
    write_export(data, tmp_path / "demo")
    assert read_export(tmp_path / "demo") == data


def test_write_is_deterministic_and_matches_documented_columns(tmp_path: Path) -> None:
    """Writing twice gives identical bytes, one file per documented header, UTF-8, LF lines."""
    write_export(small_data(), tmp_path / "a")
    write_export(small_data(), tmp_path / "b")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(EXPORT_COLUMNS)
    for name, columns in EXPORT_COLUMNS.items():
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes()
        assert first.decode("utf-8").splitlines()[0] == ",".join(columns)
        assert b"\r\n" not in first


def test_written_cells_use_the_documented_mini_syntax(export: Path) -> None:
    """Times, windows, weekdays, skills and booleans are written as in docs/import-format.md."""
    header, rows = read_rows(export, "interventions.csv")
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_id["i1"]["windows"] == "08:00-10:00|20:00-22:00"
    assert by_id["i2"]["times"] == "08:00|20:00"
    assert by_id["i2"]["required_skills"] == "insulin|language_en"
    assert by_id["i2"]["time_critical"] == "true"
    assert by_id["i3"]["weekdays"] == "3"
    assert by_id["i3"]["week_anchor"] == "2026-11-23"
    assert by_id["i5"]["weekdays"] == "1,4"
    assert by_id["i5"]["times"] == "02:00:30"
    assert by_id["i4"]["schedule_kind"] == "as_needed"
    assert by_id["i1"]["problem_area"] == "Personlig hygiene"


# Any character but surrogates, with the characters that matter to CSV drawn often.
_TEXT_CHARS = st.characters(blacklist_categories=("Cs",)) | st.sampled_from(',"\r\n ;|æøå')


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    description=st.text(alphabet=_TEXT_CHARS, max_size=40),
    display_name=st.text(alphabet=_TEXT_CHARS, max_size=20),
    key_box_note=st.none() | st.text(alphabet=_TEXT_CHARS, min_size=1, max_size=30),
)
def test_free_text_round_trips(
    description: str, display_name: str, key_box_note: str | None
) -> None:
    """Any free text (commas, quotes, newlines, non-ASCII) in text columns survives a round trip."""
    data = small_data(description=description, display_name=display_name, key_box_note=key_box_note)
    with tempfile.TemporaryDirectory() as tmp:
        write_export(data, Path(tmp))
        assert read_export(Path(tmp)) == data


def test_empty_optional_cells_take_documented_defaults(export: Path) -> None:
    """Empty cells in optional columns mean the documented defaults."""
    for column in ("tolerance_min", "every_n_weeks", "staff_count", "priority", "time_critical"):
        set_cell(export, "interventions.csv", 1, column, "")
    set_cell(export, "staff.csv", 1, "travel_mode", "")
    set_cell(export, "staff.csv", 1, "contracted_fte", "")
    data = read_export(export)
    first = data.care_plans[0].interventions[0]
    assert first.schedule.tolerance_min == 0
    assert first.schedule.every_n_weeks == 1
    assert first.staff_count == 1
    assert first.priority == Priority.NORMAL
    assert first.time_critical is False
    assert data.staff[0].travel_mode == TravelMode.CAR
    assert data.staff[0].contracted_fte == 1.0


# --------------------------------------------------------------------------------------
# Bad input: one defect each, reported with file, row and field
# --------------------------------------------------------------------------------------


def test_missing_file_is_reported(export: Path) -> None:
    """A missing file is one issue naming that file, without row or field."""
    (export / "staff.csv").unlink()
    issues = issues_of(export)
    assert ("staff.csv", None, None) in where(issues)
    assert "missing" in issues[0].message


def test_missing_column_is_reported_on_the_header(export: Path) -> None:
    """A missing column is reported on row 0 (the header) with the column as field."""
    drop_column(export, "interventions.csv", "duration_min")
    assert where(issues_of(export)) == {("interventions.csv", 0, "duration_min")}


def test_wrong_type_names_file_row_field_and_value(export: Path) -> None:
    """duration_min 'abc' is reported at interventions.csv, that row, field duration_min."""
    set_cell(export, "interventions.csv", 2, "duration_min", "abc")
    issues = issues_of(export)
    assert where(issues) == {("interventions.csv", 2, "duration_min")}
    assert "whole number" in issues[0].message
    assert "'abc'" in issues[0].message


@pytest.mark.parametrize(
    ("file", "row", "column", "value"),
    [
        ("interventions.csv", 3, "schedule_kind", "sometimes"),
        ("interventions.csv", 2, "required_competence", "lege"),
        ("interventions.csv", 1, "priority", "urgent"),
        ("staff.csv", 1, "travel_mode", "helicopter"),
        ("roster.csv", 1, "shift", "morning"),
    ],
)
def test_unknown_enum_value(export: Path, file: str, row: int, column: str, value: str) -> None:
    """An unknown enum value is reported at its cell, listing the allowed values. (Skills
    and caregivers' titles are an open catalogue: tests/formats/test_open_catalogue.py.)"""
    set_cell(export, file, row, column, value)
    issues = issues_of(export)
    assert where(issues) == {(file, row, column)}
    assert "one of" in issues[0].message or "from" in issues[0].message


@pytest.mark.parametrize(
    ("file", "row", "column"),
    [
        ("patients.csv", 1, "patient_id"),
        ("interventions.csv", 2, "intervention_id"),
        ("staff.csv", 1, "staff_id"),
        ("bases.csv", 1, "base_id"),
        ("districts.csv", 1, "district_id"),
    ],
)
def test_duplicate_id(export: Path, file: str, row: int, column: str) -> None:
    """A repeated id is reported on the repeating row, naming the first definition."""
    duplicate_row(export, file, row)
    _, rows = read_rows(export, file)
    issues = issues_of(export)
    assert (file, len(rows), column) in where(issues)
    assert any(f"row {row}" in i.message for i in issues if i.field == column)


def test_duplicate_roster_entry(export: Path) -> None:
    """The same staff member twice on one date and shift is reported on the second row."""
    duplicate_row(export, "roster.csv", 1)
    assert where(issues_of(export)) == {("roster.csv", 3, "staff_id")}


@pytest.mark.parametrize(
    ("file", "row", "column", "value"),
    [
        ("interventions.csv", 4, "patient_id", "p404"),
        ("patients.csv", 2, "district_id", "d404"),
        ("districts.csv", 1, "base_id", "b404"),
        ("roster.csv", 2, "staff_id", "s404"),
        ("roster.csv", 1, "district_id", "d404"),
        ("staff.csv", 1, "district_id", "d404"),
    ],
)
def test_unknown_reference(export: Path, file: str, row: int, column: str, value: str) -> None:
    """A reference to an id that no file defines is reported at the referring cell."""
    set_cell(export, file, row, column, value)
    issues = issues_of(export)
    assert (file, row, column) in where(issues)
    assert any("unknown" in i.message and value in i.message for i in issues)


@pytest.mark.parametrize(
    ("file", "row", "column", "value"),
    [
        ("interventions.csv", 2, "times", "08:00|25:61"),
        ("interventions.csv", 1, "windows", "08:00-25:61"),
        ("municipality.csv", 1, "day_start", "25:61"),
        ("interventions.csv", 2, "valid_from", "2026-02-30"),
        ("roster.csv", 1, "date", "12/01/2026"),
        ("roster.csv", 1, "date", "31.02.2026"),
        ("interventions.csv", 3, "weekdays", "1,8"),
        ("patients.csv", 1, "lat", "1.063,43"),
        ("interventions.csv", 2, "time_critical", "kanskje"),
    ],
)
def test_impossible_time_or_date(
    export: Path, file: str, row: int, column: str, value: str
) -> None:
    """Times such as 25:61, impossible dates and malformed values name their cell."""
    set_cell(export, file, row, column, value)
    issues = issues_of(export)
    assert where(issues) == {(file, row, column)}
    assert repr(value) in issues[0].message


def test_window_ending_before_it_starts(export: Path) -> None:
    """A window 10:00-08:00 is reported on the windows field of its row."""
    set_cell(export, "interventions.csv", 1, "windows", "08:00-10:00|10:00-08:00")
    issues = issues_of(export)
    assert where(issues) == {("interventions.csv", 1, "windows")}
    assert "ends before it starts" in issues[0].message


@pytest.mark.parametrize(
    ("file", "row", "column", "value"),
    [
        ("interventions.csv", 1, "duration_min", "0"),
        ("interventions.csv", 3, "staff_count", "3"),
        ("interventions.csv", 2, "tolerance_min", "-5"),
        ("staff.csv", 1, "contracted_fte", "1.5"),
        ("patients.csv", 2, "lat", "95.0"),
        ("bases.csv", 1, "lon", "-200"),
    ],
)
def test_model_validation_is_mapped_to_the_cell(
    export: Path, file: str, row: int, column: str, value: str
) -> None:
    """A value the domain model rejects (range checks) is reported at its CSV cell."""
    set_cell(export, file, row, column, value)
    assert where(issues_of(export)) == {(file, row, column)}


@pytest.mark.parametrize(
    ("row", "column", "value", "expected_field"),
    [
        (1, "schedule_kind", "fixed", "times"),  # window row without times
        (2, "windows", "08:00-09:00", "windows"),  # fixed row with windows too
        (3, "week_anchor", "", "week_anchor"),  # every second week without an anchor
        (2, "valid_to", "2025-01-01", "valid_to"),  # ends before it starts
        (4, "times", "08:00", "times"),  # as_needed with a time
    ],
)
def test_inconsistent_schedule_names_the_column_to_fix(
    export: Path, row: int, column: str, value: str, expected_field: str
) -> None:
    """Schedule consistency errors point at the column that must change."""
    set_cell(export, "interventions.csv", row, column, value)
    assert ("interventions.csv", row, expected_field) in where(issues_of(export))


def test_care_plan_shared_by_two_patients(export: Path) -> None:
    """Rows of one care_plan_id with different patients are reported on the later row."""
    set_cell(export, "interventions.csv", 3, "care_plan_id", "cp1")
    issues = issues_of(export)
    assert ("interventions.csv", 3, "patient_id") in where(issues)


def test_municipality_mismatch(export: Path) -> None:
    """A patient of another municipality than municipality.csv's is reported."""
    set_cell(export, "patients.csv", 2, "municipality_id", "0301")
    assert where(issues_of(export)) == {("patients.csv", 2, "municipality_id")}


def test_unknown_time_zone(export: Path) -> None:
    """An unknown IANA time zone is reported on municipality.csv's timezone field."""
    set_cell(export, "municipality.csv", 1, "timezone", "Europe/Trondheim")
    assert where(issues_of(export)) == {("municipality.csv", 1, "timezone")}


def test_half_a_shift_definition(export: Path) -> None:
    """A shift with a start but no end is reported on the empty column."""
    set_cell(export, "municipality.csv", 1, "evening_end", "")
    assert where(issues_of(export)) == {("municipality.csv", 1, "evening_end")}


def test_two_municipality_rows(export: Path) -> None:
    """municipality.csv must have exactly one data row; extra rows are reported."""
    duplicate_row(export, "municipality.csv", 1)
    assert where(issues_of(export)) == {("municipality.csv", 2, None)}


def test_empty_file_and_bad_encoding_are_file_level_issues(export: Path) -> None:
    """An empty file and a file mixing encodings (UTF-8 and Windows-1252 bytes) are
    reported for the whole file; Windows-1252 and UTF-16 alone are read."""
    (export / "bases.csv").write_bytes(b"")
    (export / "staff.csv").write_bytes("staff_id\nS\xf8ren\n".encode() + b"S\xf8ren\n")
    found = where(issues_of(export))
    assert ("bases.csv", None, None) in found
    assert ("staff.csv", None, None) in found


def test_duplicate_header_column(export: Path) -> None:
    """A column named twice in the header is reported on row 0."""
    header, rows = read_rows(export, "bases.csv")
    write_rows(export, "bases.csv", [*header, "lat"], [[*r, "1.0"] for r in rows])
    assert ("bases.csv", 0, "lat") in where(issues_of(export))


def test_all_problems_across_files_are_collected(export: Path) -> None:
    """Several defects in several files come back together in one PlanInputError."""
    set_cell(export, "interventions.csv", 2, "duration_min", "abc")
    set_cell(export, "interventions.csv", 1, "windows", "10:00-08:00")
    set_cell(export, "staff.csv", 2, "travel_mode", "helicopter")
    set_cell(export, "roster.csv", 1, "staff_id", "s404")
    drop_column(export, "patients.csv", "address")
    found = where(issues_of(export))
    assert {
        ("interventions.csv", 2, "duration_min"),
        ("interventions.csv", 1, "windows"),
        ("staff.csv", 2, "travel_mode"),
        ("roster.csv", 1, "staff_id"),
        ("patients.csv", 0, "address"),
    } <= found


def test_issue_rows_count_records_not_lines(export: Path) -> None:
    """A quoted newline in an earlier row does not shift the reported row number."""
    # patients.csv row 2 has a two-line address; break row 2's lat and check it is row 2.
    set_cell(export, "patients.csv", 2, "lat", "north")
    assert where(issues_of(export)) == {("patients.csv", 2, "lat")}


def test_missing_folder(tmp_path: Path) -> None:
    """A folder that does not exist is one issue naming the folder."""
    issues = issues_of(tmp_path / "nowhere")
    assert len(issues) == 1 and "no such file or folder" in issues[0].message
    assert issues[0].file == str(tmp_path / "nowhere")


def test_error_message_lists_issues(export: Path) -> None:
    """The exception text shows each issue with file, row and field for the planner."""
    set_cell(export, "interventions.csv", 2, "duration_min", "abc")
    with pytest.raises(PlanInputError) as info:
        read_export(export)
    assert "interventions.csv, row 2, field 'duration_min'" in str(info.value)
