"""`hjemmetjeneste import` and `synthetic` from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from import_corpus import CORPUS, corpus_path
from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.store import database_digest, open_store

runner = CliRunner()


def test_import_prints_the_summary_and_reimport_changes_nothing(tmp_path: Path):
    """First import adds every record; the second reports them all unchanged."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    first = runner.invoke(
        app, ["import", str(CORPUS / "valid_csv"), "--database-url", url, "--lang", "en"]
    )
    assert first.exit_code == 0, first.output
    assert "Recorded as import batch 1" in first.output
    second = runner.invoke(
        app, ["import", str(CORPUS / "valid_csv"), "--database-url", url, "--lang", "en"]
    )
    assert second.exit_code == 0 and "Nothing changed" in second.output


def test_bad_input_exits_2_and_names_the_problem(tmp_path: Path):
    """A wrong-type cell gives exit code 2 and the file, row and field in the message."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(
        app,
        ["import", str(corpus_path("wrong_type", tmp_path)), "--database-url", url, "--lang", "en"],
    )
    assert result.exit_code == 2
    assert "interventions.csv, row 2, field 'duration_min'" in result.output.replace("\n", " ")


def test_dry_run_writes_nothing(tmp_path: Path):
    """--dry-run counts the records but the database stays as it was."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = open_store(url)
    before = database_digest(store.engine)
    result = runner.invoke(
        app,
        ["import", str(CORPUS / "valid_csv"), "--dry-run", "--database-url", url, "--lang", "en"],
    )
    assert result.exit_code == 0 and "Dry run" in result.output
    assert database_digest(store.engine) == before
    store.close()


def test_missing_intervention_in_a_changed_export_is_counted_as_ended(tmp_path: Path):
    """Re-importing with one intervention row removed reports one ended record."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner.invoke(app, ["import", str(CORPUS / "valid_csv"), "--database-url", url, "--lang", "en"])
    folder = tmp_path / "changed"
    shutil.copytree(CORPUS / "valid_csv", folder)
    lines = (folder / "interventions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "interventions.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    result = runner.invoke(
        app, ["import", str(folder), "--as-of", "2026-12-01", "--database-url", url, "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "interventions" in line)
    assert [c.strip() for c in row.split("│")[2:6]] == ["0", "0", "1", str(len(lines) - 2)]


def test_bad_database_url_setting_is_an_input_error(tmp_path: Path):
    """An unsupported database URL is rejected at start with exit code 2."""
    result = runner.invoke(
        app, ["import", str(CORPUS / "valid_csv"), "--database-url", "mysql://x/y"]
    )
    assert result.exit_code == 2 and "database_url" in result.output


def test_synthetic_command_writes_csv_and_fhir(tmp_path: Path):
    """The generator writes a CSV folder and a FHIR bundle of the requested size."""
    csv_out, fhir_out = tmp_path / "csv", tmp_path / "export.json"
    assert (
        runner.invoke(app, ["synthetic", "--out", str(csv_out), "--interventions", "40"]).exit_code
        == 0
    )
    result = runner.invoke(
        app, ["synthetic", "--out", str(fhir_out), "--interventions", "40", "--format", "fhir"]
    )
    assert result.exit_code == 0
    lines = (csv_out / "interventions.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 41
    bundle = json.loads(fhir_out.read_text(encoding="utf-8"))
    activities = sum(
        len(e["resource"].get("activity", []))
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "CarePlan"
    )
    assert activities == 40


def test_plan_reads_the_store_when_no_folder_is_given(tmp_path: Path, monkeypatch):
    """The pipeline's store loader gives back what `import` stored, for `plan` without a folder."""
    from hjemmetjeneste.formats import read_export
    from hjemmetjeneste.pipeline import load_from_store

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert (
        runner.invoke(
            app, ["import", str(CORPUS / "valid_csv"), "--database-url", url, "--lang", "en"]
        ).exit_code
        == 0
    )
    assert load_from_store(url) == read_export(CORPUS / "valid_csv")
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["plan", "--date", "2026-12-01", "--time-limit", "0.2"])
    assert result.exit_code == 2
    assert "lageret har ingen kommune; importer en eksport først" in result.output
    en = runner.invoke(
        app, ["plan", "--date", "2026-12-01", "--municipality", "0301", "--lang", "en"]
    )
    assert en.exit_code == 2 and "the store holds no municipality '0301'" in en.output
