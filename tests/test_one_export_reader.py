"""Every export `import --dry-run` accepts, `plan EXPORT`, `check --data EXPORT` and the API
upload (`POST /v1/imports`) accept too: they all read through one entry point.

The corpus is the import tests' valid export written five ways: the canonical CSV,
`;`-separated Windows-1252 with Norwegian file and column names, Parquet, one Excel workbook,
and a FHIR bundle.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.auth import Role, issue_demo_token
from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import PlanResult
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.settings import Settings

CORPUS = Path(__file__).parent / "formats" / "corpus"
VALID = CORPUS / "valid_csv"
VARIANTS = ("canonical_csv", "semicolon_cp1252_norwegian", "parquet", "xlsx", "fhir")
NORWEGIAN_FILES = {"patients": "pasienter", "interventions": "tiltak", "staff": "ansatte"}
runner = CliRunner()


def _frames() -> dict[str, pl.DataFrame]:
    return {f.stem: pl.read_csv(f, infer_schema=False) for f in sorted(VALID.glob("*.csv"))}


def _write_variant(name: str, folder: Path) -> Path:
    """The valid export written as ``name``; the path to give `import`, `plan` and `check`."""
    if name == "canonical_csv":
        shutil.copytree(VALID, folder)
        return folder
    if name == "fhir":
        folder.mkdir()
        shutil.copy(CORPUS / "valid_fhir.json", folder / "eksport.json")
        return folder / "eksport.json"
    folder.mkdir()
    if name == "xlsx":
        import xlsxwriter

        path = folder / "eksport.xlsx"
        with xlsxwriter.Workbook(str(path)) as workbook:
            for stem, frame in _frames().items():
                frame.write_excel(workbook, worksheet=stem)
        return path
    for stem, frame in _frames().items():
        if name == "parquet":
            frame.write_parquet(folder / f"{stem}.parquet")
            continue
        if stem == "patients":
            frame = frame.rename({"patient_id": "Pasient ID", "address": "Adresse"})
        if stem == "interventions":
            frame = frame.rename({"duration_min": "varighet_min", "valid_from": "Gyldig fra"})
        text = frame.write_csv(separator=";")
        (folder / f"{NORWEGIAN_FILES.get(stem, stem)}.csv").write_bytes(text.encode("cp1252"))
    return folder


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return _write_variant(request.param, tmp_path / request.param)


def _env(tmp_path: Path) -> dict[str, str]:
    return {"HJEMMETJENESTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def test_import_plan_and_check_accept_the_same_exports(variant: Path, tmp_path: Path) -> None:
    """`import --dry-run`, `plan EXPORT` and `check --data EXPORT` all accept each variant."""
    env = _env(tmp_path)
    imported = runner.invoke(app, ["import", str(variant), "--dry-run", "--lang", "en"], env=env)
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "plans"
    command = ["plan", str(variant), "--date", "2026-12-01", "--shift", "day"]
    command += ["--time-limit", "0.5", "--no-details", "--out", str(out)]
    planned = runner.invoke(app, [*command, "--lang", "en"], env=env)
    # A FHIR export carries no roster: the plan is written with every task unplaced, exit 4.
    assert planned.exit_code in (0, 4), planned.output
    if planned.exit_code == 4:
        assert "the roster is empty" in planned.output
    (plan_file,) = out.glob("plan-*.json")
    result = PlanResult.model_validate_json(plan_file.read_text(encoding="utf-8"))
    # The plan was made from the export's data: its tasks are the export's interventions.
    data = read_export(variant)
    interventions = {i.intervention_id for c in data.care_plans for i in c.interventions}
    planned_tasks = [t for w in result.worklists for v in w.visits for t in v.tasks]
    assert planned_tasks or result.unplaced
    assert {t.intervention_id for t in planned_tasks} <= interventions
    checked = runner.invoke(
        app, ["check", str(plan_file), "--data", str(variant), "--lang", "en"], env=env
    )
    assert checked.exit_code == 0, checked.output
    assert "no violations" in checked.output


def test_api_upload_accepts_the_same_exports(variant: Path, tmp_path: Path) -> None:
    """`POST /v1/imports?dry_run=true` accepts each variant, uploaded as its files."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}")
    files = sorted(variant.iterdir()) if variant.is_dir() else [variant]
    upload = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in files]
    token = issue_demo_token(
        settings, role=Role.PLANNER, person_id="planner-1", municipality_id="5001"
    )
    with TestClient(create_app(settings)) as client:
        answer = client.post(
            "/v1/imports?dry_run=true",
            files=upload,
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["dry_run"] is True
    assert summary["counts"]["patients"]["added"] == len(read_export(variant).patients)
