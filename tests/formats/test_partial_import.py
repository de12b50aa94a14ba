"""`import --partial` with any subset of the files: a roster alone, checked against the store;
refusals grouped, written in full with --report, and no cascade from a header-only file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from import_corpus import CORPUS
from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.store import database_digest, open_store

VALID = CORPUS / "valid_csv"
runner = CliRunner()


def _store_with_valid(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = runner.invoke(app, ["import", str(VALID), "--database-url", url])
    assert result.exit_code == 0, result.output
    return url


def _roster_alone(tmp_path: Path, extra: list[str]) -> Path:
    folder = tmp_path / "vaktplan"
    folder.mkdir()
    text = (VALID / "roster.csv").read_text(encoding="utf-8")
    (folder / "vaktplan.csv").write_text(text + ",".join(extra) + "\n", encoding="utf-8")
    return folder


def test_roster_alone_imports_with_partial(tmp_path: Path) -> None:
    """A folder holding only the roster adds its new entry; nothing else changes."""
    url = _store_with_valid(tmp_path)
    before = open_store(url).load_municipality()
    folder = _roster_alone(tmp_path, ["S001", "2026-12-24", "evening", "trd-ost"])
    refused = runner.invoke(app, ["import", "--lang", "en", str(folder), "--database-url", url])
    assert refused.exit_code == 2 and "file is missing" in refused.output
    result = runner.invoke(app, ["import", str(folder), "--partial", "--database-url", url])
    assert result.exit_code == 0, result.output
    after = open_store(url).load_municipality()
    assert len(after.roster.entries) == len(before.roster.entries) + 1
    assert after.model_copy(update={"roster": before.roster}) == before


def test_roster_alone_is_checked_against_the_store(tmp_path: Path) -> None:
    """An unknown staff member in a roster alone is named against the stored staff; the
    store is unchanged and --report writes the issue."""
    url = _store_with_valid(tmp_path)
    digest = database_digest(open_store(url).engine)
    folder = _roster_alone(tmp_path, ["S999", "2026-12-24", "evening", "trd-ost"])
    report = tmp_path / "issues.csv"
    result = runner.invoke(
        app,
        [
            *("import", str(folder), "--partial", "--lang", "en", "--database-url", url),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 2
    assert "unknown staff member 'S999'" in result.output
    assert "from the store" in result.output
    rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["file", "row", "field", "kind", "message"]
    assert rows[1][0] == "vaktplan.csv" and rows[1][2] == "staff_id"
    assert database_digest(open_store(url).engine) == digest


def test_header_only_patients_file_gives_one_issue_not_a_cascade(tmp_path: Path) -> None:
    """patients.csv with its header only: one issue for the interventions that refer to
    patients, not one 'unknown patient' line per intervention."""
    folder = tmp_path / "export"
    shutil.copytree(VALID, folder)
    header = (VALID / "patients.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "patients.csv").write_text(header + "\n", encoding="utf-8")
    report = tmp_path / "issues.csv"
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = runner.invoke(
        app, ["import", str(folder), "--database-url", url, "--report", str(report)]
    )
    assert result.exit_code == 2
    rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    about_patients = [r for r in rows[1:] if r[2] == "patient_id"]
    assert len(about_patients) == 1, rows
    assert "har ingen datarader" in about_patients[0][4]  # in the --lang of the command
    assert "ukjent bruker" not in result.output  # no "unknown patient" cascade
