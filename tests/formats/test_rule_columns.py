"""The planning-rule columns of the canonical export: read, checked, written, planned."""

from __future__ import annotations

import csv
from datetime import date, time
from pathlib import Path

import pytest

from hjemmetjeneste.domain import (
    Base,
    BreakRule,
    CarePlan,
    CompetenceLevel,
    District,
    GeoPoint,
    Intervention,
    Municipality,
    MunicipalityData,
    Patient,
    PlanningRules,
    ProblemArea,
    Roster,
    RosterEntry,
    Schedule,
    ScheduleKind,
    ShiftKind,
    Skill,
    Staff,
    TimeWindow,
    TravelMode,
)
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.formats.canonical import (
    EXPORT_COLUMNS,
    INTERVENTIONS_FILE,
    MUNICIPALITY_FILE,
    OPTIONAL_COLUMNS,
    PATIENTS_FILE,
)
from hjemmetjeneste.formats.tabular import read_tabular
from hjemmetjeneste.i18n import translate
from hjemmetjeneste.pipeline import plan_shift
from hjemmetjeneste.solver import Metaheuristic, SolveParams

DAY = date(2026, 12, 1)
QUICK = SolveParams(time_limit_s=0.3, metaheuristic=Metaheuristic.GREEDY_DESCENT)


def _window(iid: str, patient_id: str, start: time, end: time, **extra: object) -> Intervention:
    return Intervention(
        intervention_id=iid,
        patient_id=patient_id,
        problem_area=ProblemArea.MEDICATION,
        description=f"task {iid}",
        duration_min=15,
        schedule=Schedule(kind=ScheduleKind.WINDOW, windows=(TimeWindow(start=start, end=end),)),
        required_competence=CompetenceLevel.ASSISTANT,
        valid_from=date(2026, 1, 1),
        **extra,  # type: ignore[arg-type]
    )


def tiny() -> MunicipalityData:
    """One patient near the base; s1 cycles, s2 drives (and so is the cheaper caregiver)."""
    patients = tuple(
        Patient(
            patient_id=f"p{i}",
            municipality_id="m",
            district_id="d",
            display_name=f"Test Patient {i}",
            address=f"Testveien {i}",
            location=GeoPoint(lat=63.43 + 0.01 * i, lon=10.40 + 0.012 * i),
        )
        for i in (1, 2)
    )
    team = tuple(
        Staff(
            staff_id=sid,
            municipality_id="m",
            district_id="d",
            first_name=sid.upper(),
            competence=CompetenceLevel.NURSE,
            travel_mode=mode,
        )
        for sid, mode in (("s1", TravelMode.BIKE), ("s2", TravelMode.CAR))
    )
    return MunicipalityData(
        municipality=Municipality(municipality_id="m", name="Testkommune"),
        districts=(District(district_id="d", municipality_id="m", name="D", base_id="b"),),
        bases=(
            Base(base_id="b", name="Base", address="B", location=GeoPoint(lat=63.43, lon=10.40)),
        ),
        patients=patients,
        care_plans=(
            CarePlan(
                care_plan_id="cp1",
                patient_id="p1",
                interventions=(
                    _window("i1", "p1", time(8, 0), time(10, 0)),
                    _window("i2", "p1", time(12, 0), time(14, 0)),
                ),
            ),
            CarePlan(
                care_plan_id="cp2",
                patient_id="p2",
                interventions=(_window("i3", "p2", time(9, 0), time(11, 0)),),
            ),
        ),
        staff=team,
        roster=Roster(
            entries=tuple(
                RosterEntry(staff_id=s.staff_id, date=DAY, shift=ShiftKind.DAY, district_id="d")
                for s in team
            )
        ),
    )


def set_cells(folder: Path, file: str, values: dict[tuple[int, str], str]) -> None:
    """Set cells (data row from 1, column) of a CSV file, adding missing columns."""
    path = folder / file
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for _, column in values:
        if column not in header:
            header.append(column)
            for row in rows[1:]:
                row.append("")
    for (number, column), value in values.items():
        rows[number][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _who(data: MunicipalityData, patient_id: str) -> set[str]:
    outcome = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK)
    assert outcome.violations == ()
    assert outcome.result.unplaced == ()
    return {
        w.staff_id for w in outcome.result.worklists for v in w.visits if v.patient_id == patient_id
    }


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """The tiny municipality written as a canonical CSV export."""
    folder = tmp_path / "export"
    write_export(tiny(), folder)
    return folder


def test_refusal_in_patients_csv_keeps_the_refused_caregiver_away(export: Path):
    """Without the column the driver serves p1; refused in patients.csv, only the cyclist does."""
    assert _who(read_export(export), "p1") == {"s2"}
    set_cells(export, PATIENTS_FILE, {(1, "refused_staff_ids"): "s2"})
    data = read_export(export)
    assert data.patients[0].refused_staff_ids == frozenset({"s2"})
    assert _who(data, "p1") == {"s1"}


def test_preference_and_language_columns_move_the_visit(export: Path):
    """A preferred caregiver or a language need from patients.csv decides who serves."""
    set_cells(export, PATIENTS_FILE, {(1, "preferred_staff_ids"): "s1"})
    assert _who(read_export(export), "p1") == {"s1"}
    set_cells(
        export, PATIENTS_FILE, {(1, "preferred_staff_ids"): "", (1, "language"): "language_pl"}
    )
    set_cells(export, "staff.csv", {(1, "skills"): "language_pl"})
    assert _who(read_export(export), "p1") == {"s1"}


def test_norwegian_headers_carry_every_rule(export: Path):
    """Norwegian headers (avviste_ansatte, intervallgruppe, ...) set the same rule fields."""
    set_cells(
        export,
        PATIENTS_FILE,
        {
            (1, "avviste_ansatte"): "s2",
            (1, "foretrukne_ansatte"): "s1",
            (1, "språk"): "language_en",
        },
    )
    set_cells(
        export,
        INTERVENTIONS_FILE,
        {
            (1, "intervallgruppe"): "medisin",
            (1, "min_intervall_min"): "180",
            (1, "maks_intervall_min"): "360",
            (2, "intervallgruppe"): "medisin",
            (2, "tillatt_forsinkelse_min"): "20",
            (2, "eget_besøk"): "true",
            (3, "alternative_tidsvinduer"): "true",
        },
    )
    set_cells(
        export,
        MUNICIPALITY_FILE,
        {
            (1, "pauseregel"): "true",
            (1, "pause_varighet_min"): "25",
            (1, "pause_min_vakt_timer"): "6.5",
            (1, "kontinuitet_vekt"): "900",
            (1, "kontinuitet_dager"): "28",
            (1, "overtid_maks_min"): "30",
        },
    )
    data = read_tabular(export)
    patient = data.patients[0]
    assert patient.refused_staff_ids == frozenset({"s2"})
    assert patient.preferred_staff_ids == frozenset({"s1"})
    assert patient.language == Skill.LANGUAGE_EN
    first, second = data.care_plans[0].interventions
    assert (first.gap_group, first.min_gap_min, first.max_gap_min) == ("medisin", 180, 360)
    assert (second.gap_group, second.late_allowance_min, second.separate_visit) == (
        "medisin",
        20,
        True,
    )
    assert data.care_plans[1].interventions[0].schedule.windows_are_alternatives
    assert data.municipality.rules == PlanningRules(
        breaks=BreakRule(duration_min=25, min_shift_h=6.5),
        continuity_weight=900,
        continuity_days=28,
        overtime_max_min=30,
    )
    assert data.patients[1] == tiny().patients[1]  # empty cells are the defaults


def test_double_staffing_with_a_helper_comes_from_the_csv(export: Path):
    """second_staff_competence with staff_count 2 reads as "one nurse and one helper"."""
    set_cells(
        export,
        INTERVENTIONS_FILE,
        {(1, "staff_count"): "2", (1, "second_staff_competence"): "helsefagarbeider"},
    )
    item = read_export(export).care_plans[0].interventions[0]
    assert item.staff_count == 2
    assert item.second_staff_competence == CompetenceLevel.HEALTH_WORKER


BAD_VALUES = [
    (PATIENTS_FILE, 1, "refused_staff_ids", "s9", "unknown staff member 's9'"),
    (PATIENTS_FILE, 2, "preferred_staff_ids", "s1||s2", "ids separated by '|'"),
    (PATIENTS_FILE, 1, "language", "language_xx", "expected a language skill"),
    (PATIENTS_FILE, 2, "language", "insulin", "expected a language skill"),
    (INTERVENTIONS_FILE, 1, "max_gap_min", "60", "below min_gap_min"),
    (INTERVENTIONS_FILE, 2, "min_gap_min", "120", "so a gap_group is needed"),
    (INTERVENTIONS_FILE, 3, "min_gap_min", "-5", "must be at least 0"),
    (INTERVENTIONS_FILE, 3, "second_staff_competence", "assistent", "needs staff_count 2"),
    (INTERVENTIONS_FILE, 2, "late_allowance_min", "abc", "expected a whole number"),
    (INTERVENTIONS_FILE, 1, "separate_visit", "kanskje", "expected true or false"),
    (MUNICIPALITY_FILE, 1, "continuity_weight", "-1", "must be at least 0"),
    (MUNICIPALITY_FILE, 1, "break_duration_min", "20", "breaks must be true"),
    (MUNICIPALITY_FILE, 1, "continuity_days", "0", "must be at least 1"),
]
"""(file, row, field, bad value, part of the message)."""

_CONTEXT = {
    # Cells the bad value needs around it, so that only the tested field is wrong.
    (INTERVENTIONS_FILE, 1, "max_gap_min"): {(1, "gap_group"): "g", (1, "min_gap_min"): "120"},
    (INTERVENTIONS_FILE, 3, "min_gap_min"): {(3, "gap_group"): "g"},
}


@pytest.mark.parametrize(("file", "row", "column", "value", "message"), BAD_VALUES)
def test_bad_rule_value_names_file_row_and_field(
    export: Path, file: str, row: int, column: str, value: str, message: str
):
    """Each bad rule value is one issue at its file, row and column, with a clear message."""
    set_cells(export, file, {**_CONTEXT.get((file, row, column), {}), (row, column): value})
    with pytest.raises(PlanInputError) as caught:
        read_export(export)
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.field) == (file, row, column)
    assert message in issue.message


def test_every_bad_rule_value_is_reported_at_once(export: Path):
    """Bad values in three files come back together in one report."""
    set_cells(export, PATIENTS_FILE, {(1, "refused_staff_ids"): "s9|s2", (2, "språk"): "xx"})
    set_cells(export, INTERVENTIONS_FILE, {(2, "max_gap_min"): "30"})
    set_cells(export, MUNICIPALITY_FILE, {(1, "balance_weight"): "-3"})
    with pytest.raises(PlanInputError) as caught:
        read_tabular(export)
    found = {(i.file, i.row, i.field) for i in caught.value.issues}
    assert found == {
        (MUNICIPALITY_FILE, 1, "balance_weight"),
        (PATIENTS_FILE, 1, "refused_staff_ids"),
        (PATIENTS_FILE, 2, "language"),
        (INTERVENTIONS_FILE, 2, "max_gap_min"),
    }


def test_a_staff_member_both_refused_and_preferred_is_an_error(export: Path):
    """Refusing and preferring the same caregiver contradicts itself and is reported."""
    set_cells(
        export, PATIENTS_FILE, {(1, "refused_staff_ids"): "s1", (1, "preferred_staff_ids"): "s1|s2"}
    )
    with pytest.raises(PlanInputError) as caught:
        read_export(export)
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.field) == (PATIENTS_FILE, 1, "preferred_staff_ids")


def test_writer_adds_rule_columns_only_when_a_value_is_not_the_default(tmp_path: Path):
    """Default rules write the old headers; set rules add just their columns and read back equal."""
    plain = tiny()
    write_export(plain, tmp_path / "plain")
    for file, columns in EXPORT_COLUMNS.items():
        header = (tmp_path / "plain" / file).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == list(columns)
    patients = (plain.patients[0].model_copy(update={"refused_staff_ids": frozenset({"s2"})}),)
    plan = plain.care_plans[0]
    first = plan.interventions[0].model_copy(
        update={"gap_group": "g", "min_gap_min": 120, "max_gap_min": 300}
    )
    ruled = plain.model_copy(
        update={
            "municipality": plain.municipality.model_copy(
                update={"rules": PlanningRules(breaks=BreakRule(), balance_weight=5)}
            ),
            "patients": patients + plain.patients[1:],
            "care_plans": (
                plan.model_copy(update={"interventions": (first, *plan.interventions[1:])}),
                *plain.care_plans[1:],
            ),
        }
    )
    write_export(ruled, tmp_path / "ruled")
    assert read_export(tmp_path / "ruled") == ruled
    assert read_tabular(tmp_path / "ruled") == ruled

    def extra(file: str) -> list[str]:
        header = (tmp_path / "ruled" / file).read_text(encoding="utf-8").splitlines()[0]
        return header.split(",")[len(EXPORT_COLUMNS[file]) :]

    assert extra(PATIENTS_FILE) == ["refused_staff_ids"]
    assert extra(INTERVENTIONS_FILE) == ["gap_group", "min_gap_min", "max_gap_min"]
    assert extra(MUNICIPALITY_FILE) == ["breaks", "balance_weight"]
    assert set(extra(MUNICIPALITY_FILE)) <= set(OPTIONAL_COLUMNS[MUNICIPALITY_FILE])


def test_demo_export_is_written_byte_identical(tmp_path: Path):
    """The committed demo export (no rules) is rewritten byte for byte: no new columns appear."""
    demo = Path(__file__).resolve().parents[2] / "data" / "demo"
    write_export(read_export(demo), tmp_path / "demo")
    for path in sorted(demo.glob("*.csv")):
        assert (tmp_path / "demo" / path.name).read_bytes() == path.read_bytes(), path.name


def test_rule_columns_in_parquet_and_excel_read_like_the_csv(export: Path, tmp_path: Path):
    """Typed Parquet cells and an Excel workbook carry the rule columns as the CSV does."""
    import polars as pl
    import xlsxwriter

    set_cells(export, PATIENTS_FILE, {(1, "avviste_ansatte"): "s2", (2, "språk"): "language_ar"})
    set_cells(
        export,
        INTERVENTIONS_FILE,
        {(1, "gap_group"): "g", (1, "min_gap_min"): "90", (2, "separate_visit"): "true"},
    )
    set_cells(export, MUNICIPALITY_FILE, {(1, "kontinuitet_vekt"): "900"})
    expected = read_tabular(export)
    assert expected.patients[0].refused_staff_ids == frozenset({"s2"})
    frames = {p.stem: pl.read_csv(p, infer_schema=False) for p in export.glob("*.csv")}
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    for stem, frame in frames.items():
        if stem == INTERVENTIONS_FILE.removesuffix(".csv"):
            frame = frame.with_columns(
                pl.col("min_gap_min").cast(pl.Int32, strict=False),
                pl.col("separate_visit") == "true",
            )
        if stem == MUNICIPALITY_FILE.removesuffix(".csv"):
            frame = frame.with_columns(pl.col("kontinuitet_vekt").cast(pl.Int64))
        frame.write_parquet(parquet / f"{stem}.parquet")
    assert read_tabular(parquet) == expected
    workbook_path = tmp_path / "eksport.xlsx"
    with xlsxwriter.Workbook(str(workbook_path)) as workbook:
        for stem, frame in frames.items():
            frame.write_excel(workbook, worksheet=stem)
    assert read_tabular(workbook_path) == expected


def test_a_value_below_its_limit_is_worded_in_bokmal(export: Path):
    """The limit a value breaks comes from the catalogue, not from pydantic's English."""
    set_cells(export, MUNICIPALITY_FILE, {(1, "continuity_weight"): "-1"})
    with pytest.raises(PlanInputError) as caught:
        read_export(export)
    (issue,) = caught.value.issues
    assert issue.worded(lambda m: translate(m, "nb")) == "må være minst 0 (fant -1)"
    assert issue.message == "must be at least 0 (found -1)"
