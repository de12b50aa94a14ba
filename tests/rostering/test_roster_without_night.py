"""A municipality that defines no night shift (day and evening only): the staffing need, the
roster and `hjemmetjeneste roster` work with the shifts it defines, and a need for a shift it
does not define is a clear input error. Built from the demo with its night shift taken out."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import MunicipalityData, Roster, ShiftKind
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.rostering.check import check_roster
from hjemmetjeneste.rostering.files import write_needs
from hjemmetjeneste.rostering.roster import RosterInput, generate_roster, shift_types
from hjemmetjeneste.rostering.rules import ShiftNeed
from hjemmetjeneste.rostering.staffing import staffing_need

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
MONDAY = date(2026, 11, 30)
TUESDAY = MONDAY + timedelta(days=1)
DISTRICT = "trd-ost"
DAY_AND_EVENING = [ShiftKind.DAY, ShiftKind.EVENING]

pytestmark = pytest.mark.slow


def _without_night(data: MunicipalityData) -> MunicipalityData:
    m = data.municipality
    shifts = tuple(d for d in m.shifts if d.kind != ShiftKind.NIGHT)
    entries = tuple(e for e in data.roster.entries if e.shift != ShiftKind.NIGHT)
    return data.model_copy(
        update={
            "municipality": m.model_copy(update={"shifts": shifts}),
            "roster": Roster(entries=entries),
        }
    )


@pytest.fixture(scope="module")
def no_night() -> MunicipalityData:
    return _without_night(read_export(DEMO))


def _needs(total: int) -> list[ShiftNeed]:
    return [
        ShiftNeed(MONDAY + timedelta(days=i), kind, total)
        for i in range(7)
        for kind in DAY_AND_EVENING
    ]


def test_shift_types_are_the_defined_shifts(no_night):
    assert [t.name for t in shift_types(no_night)] == ["day", "evening"]
    assert not any(t.night for t in shift_types(no_night))


def test_the_staffing_need_has_the_defined_shifts_only(no_night):
    needs = staffing_need(no_night, TUESDAY, TUESDAY, DISTRICT)
    assert [n.shift for n in needs] == DAY_AND_EVENING
    assert all(n.total >= 1 for n in needs)


def test_a_roster_of_day_and_evening_keeps_every_rule(no_night):
    spec = RosterInput(DISTRICT, MONDAY, 7, _needs(3), {})
    outcome = generate_roster(no_night, spec, time_limit_s=3, workers=1, seed=1)
    kinds = {e.shift for e in outcome.roster.entries}
    assert kinds and kinds <= set(DAY_AND_EVENING)
    assert check_roster(no_night, outcome.roster, DISTRICT, MONDAY, 7, rules=spec.rules) == []


def test_a_need_for_an_undefined_shift_names_the_shifts_defined(no_night):
    needs = [*_needs(1), ShiftNeed(TUESDAY, ShiftKind.NIGHT, 1)]
    with pytest.raises(ValueError, match=r"night shift on 2026-12-01.*defines day, evening"):
        generate_roster(no_night, RosterInput(DISTRICT, MONDAY, 7, needs, {}), time_limit_s=1)


def test_the_roster_command_for_a_municipality_without_night(tmp_path):
    """`roster` with a need of day and evening writes a roster without nights."""
    export = tmp_path / "export"
    shutil.copytree(DEMO, export)
    municipality = export / "municipality.csv"
    rows = list(csv.DictReader(municipality.open(encoding="utf-8")))
    rows[0].update(night_start="", night_end="", evening_end="23:00")
    with municipality.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    roster_csv = export / "roster.csv"
    lines = roster_csv.read_text(encoding="utf-8").splitlines()
    roster_csv.write_text(
        "\n".join(line for line in lines if ",night," not in line) + "\n", encoding="utf-8"
    )
    need = tmp_path / "need.json"
    write_needs(_needs(3), need)
    out = tmp_path / "roster-new.csv"
    args = ["roster", str(export), "--date", str(MONDAY), "--weeks", "1", "--need", str(need)]
    result = CliRunner().invoke(app, [*args, "--time-limit", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = list(csv.DictReader(out.open(encoding="utf-8")))
    period = {str(MONDAY + timedelta(days=i)) for i in range(7)}
    shifts = {r["shift"] for r in written if r["date"] in period}
    assert shifts == {"day", "evening"}
