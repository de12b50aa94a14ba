"""`hjemmetjeneste staffing` and `hjemmetjeneste roster` on the demo export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.formats import read_export

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
runner = CliRunner()


def roster_week(export: Path, need: Path, out: Path, *extra: str) -> list[str]:
    """`roster` arguments for the week from 2026-11-30 with a given need."""
    return [
        "roster",
        str(export),
        "--date",
        "2026-11-30",
        "--weeks",
        "1",
        "--need",
        str(need),
        "--out",
        str(out),
        *extra,
    ]


pytestmark = pytest.mark.slow


def test_staffing_then_roster_writes_a_roster_the_export_reads(tmp_path: Path):
    export = tmp_path / "export"
    shutil.copytree(DEMO, export)
    (export / "contracts.csv").write_text("staff_id,allowed_shifts,fixed_days_off\nS001,day,6|7\n")
    need = tmp_path / "need.json"
    result = runner.invoke(
        app, ["staffing", str(export), "--date", "2026-12-01", "--out", str(need)]
    )
    assert result.exit_code == 0, result.output
    assert "Bemanningsbehov" in result.output
    shifts = json.loads(need.read_text())
    assert [s["shift"] for s in shifts] == ["day", "evening", "night"]
    out = tmp_path / "roster.csv"
    result = runner.invoke(app, roster_week(export, need, out, "--time-limit", "3"))
    assert result.exit_code == 0, result.output
    assert "Behovet er dekket på alle vakter." in result.output or "mangler" in result.output
    shutil.copyfile(out, export / "roster.csv")
    roster = read_export(export).roster
    s001 = [
        e
        for e in roster.entries
        if e.staff_id == "S001"
        and e.date.isoformat() >= "2026-11-30"
        and e.date.isoformat() <= "2026-12-06"
    ]
    assert all(e.shift == "day" and e.date.isoweekday() < 6 for e in s001)


def test_a_bad_contracts_file_is_an_input_error_naming_row_and_field(tmp_path: Path):
    bad = tmp_path / "contracts.csv"
    bad.write_text("staff_id,allowed_shifts\nS001,mornings\n")
    need = tmp_path / "need.csv"
    need.write_text("date,shift,total\n2026-12-01,night,1\n")
    result = runner.invoke(
        app, roster_week(DEMO, need, tmp_path / "r.csv", "--contracts", str(bad))
    )
    assert result.exit_code == 2
    assert "contracts.csv, rad 2, felt 'allowed_shifts': forventet day, evening" in result.output
    assert not (tmp_path / "r.csv").exists()
