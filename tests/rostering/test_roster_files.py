"""The roster's optional export files: contracts and wishes read with every problem named by
file, row and field; the staffing need and the roster written and read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hjemmetjeneste.domain import CompetenceLevel, Roster, RosterEntry, ShiftKind, Skill
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.rostering.files import (
    read_contracts,
    read_needs,
    read_roster_file,
    read_wishes,
    write_needs,
    write_roster_csv,
)
from hjemmetjeneste.rostering.rules import ShiftNeed

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def demo():
    return read_export(DEMO)


def test_contracts_are_read_and_every_bad_cell_is_named(demo, tmp_path):
    good = tmp_path / "contracts.csv"
    good.write_text("staff_id,allowed_shifts,fixed_days_off\nS001,day|evening,6|7\nS002,,\n")
    contracts = read_contracts(good, demo)
    assert contracts["S001"].allowed_shifts == {ShiftKind.DAY, ShiftKind.EVENING}
    assert contracts["S001"].fixed_days_off == {6, 7}
    assert contracts["S002"].allowed_shifts == set(ShiftKind)
    bad = tmp_path / "bad.csv"
    bad.write_text("staff_id,allowed_shifts,fixed_days_off\nS999,day,1\nS001,late,8\n")
    with pytest.raises(PlanInputError) as caught:
        read_contracts(bad, demo)
    text = str(caught.value)
    assert "bad.csv, row 2, field 'staff_id'" in text
    assert "bad.csv, row 3, field 'allowed_shifts'" in text
    assert "bad.csv, row 3, field 'fixed_days_off'" in text


def test_wishes_are_read_and_bad_ones_named(demo, tmp_path):
    path = tmp_path / "wishes.csv"
    path.write_text(
        "staff_id,date,shift,wish,weight\nS001,2026-12-01,,off,3\nS002,2026-12-02,night,on,\n"
    )
    wishes = read_wishes(path, demo)
    assert [(w.shift, w.on, w.weight) for w in wishes] == [
        (None, False, 3),
        (ShiftKind.NIGHT, True, 1),
    ]
    path.write_text("staff_id,date,shift,wish,weight\nS001,01.12.2026,day,maybe,11\n")
    with pytest.raises(PlanInputError) as caught:
        read_wishes(path, demo)
    assert "row 2, field 'date'" in str(caught.value)


def test_the_need_round_trips_through_csv_and_json(tmp_path):
    needs = [
        ShiftNeed(
            date(2026, 12, 1),
            ShiftKind.DAY,
            7,
            {CompetenceLevel.NURSE: 2, CompetenceLevel.HEALTH_WORKER: 5},
            {Skill.INSULIN: 1},
        )
    ]
    for name in ("need.csv", "need.json"):
        write_needs(needs, tmp_path / name)
        back = read_needs(tmp_path / name)
        assert [(n.day, n.shift, n.total, n.by_competence, n.by_skill) for n in back] == [
            (n.day, n.shift, n.total, n.by_competence, n.by_skill) for n in needs
        ]


def test_a_written_roster_reads_back_as_the_export_reads_it(demo, tmp_path):
    roster = Roster(
        entries=(
            RosterEntry(
                staff_id="S001",
                date=date(2026, 12, 1),
                shift=ShiftKind.NIGHT,
                district_id="trd-ost",
            ),
            RosterEntry(
                staff_id="S002", date=date(2026, 12, 1), shift=ShiftKind.DAY, district_id="trd-ost"
            ),
        )
    )
    write_roster_csv(roster, tmp_path / "roster.csv")
    assert (tmp_path / "roster.csv").read_text().splitlines()[1] == "S002,2026-12-01,day,trd-ost"
    assert set(read_roster_file(tmp_path / "roster.csv", demo).entries) == set(roster.entries)
    # The export reader takes it in place of the demo's roster.
    folder = tmp_path / "export"
    folder.mkdir()
    for f in DEMO.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    write_roster_csv(roster, folder / "roster.csv")
    assert set(read_export(folder).roster.entries) == set(roster.entries)
