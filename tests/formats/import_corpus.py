"""The bad-file corpus of the import tests: where it is, what each file must report."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
POSTGRES_ENV = "HJEMMETJENESTE_TEST_POSTGRES_URL"


def corpus_path(name: str, tmp_path: Path) -> Path:
    """The bad export ``name`` as a path to import (a CSV defect is laid over the valid one)."""
    spec = EXPECTED[name]
    if spec["format"] == "csv":
        folder = tmp_path / name
        shutil.copytree(CORPUS / "valid_csv", folder)
        for file in (CORPUS / "csv" / name).iterdir():
            shutil.copy(file, folder / file.name)
        return folder
    if spec["format"] == "parquet":
        return CORPUS / "parquet" / name
    if spec["format"] == "xlsx":
        return CORPUS / "xlsx" / f"{name}.xlsx"
    return CORPUS / "fhir" / f"{name}.json"


def set_headings(path: Path, headings: list[str]) -> None:
    """Give the first rows of the interventions.csv at ``path`` these care-plan headings."""
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    column = rows[0].index("problem_area")
    for row, heading in zip(rows[1:], headings, strict=False):
        row[column] = heading
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
