"""Every file of the bad-file corpus gives its precise error and leaves the store unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_corpus import CORPUS, EXPECTED, corpus_path

from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.store import Store, database_digest


def _import(store: Store, path: Path) -> None:
    loaded = read_plan_export(path)
    store.save_export(loaded.data, partial_kinds=loaded.partial_kinds, source=str(path))


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_bad_file_names_file_row_field_and_changes_nothing(
    defect: str, import_store: Store, tmp_path: Path
):
    """A bad export raises one error naming file, row and field; the digest is unchanged."""
    _import(import_store, CORPUS / "valid_csv")
    before = database_digest(import_store.engine)
    spec = EXPECTED[defect]
    with pytest.raises(PlanInputError) as caught:
        _import(import_store, corpus_path(defect, tmp_path))
    matching = [
        i
        for i in caught.value.issues
        if i.file == spec["file"]
        and i.row == spec["row"]
        and (spec["field"] is None or (i.field or "").startswith(spec["field"]))
        and spec["message"] in i.message
    ]
    assert matching, f"expected {spec}, got {[str(i) for i in caught.value.issues]}"
    assert database_digest(import_store.engine) == before


def test_corpus_covers_every_defect_the_issue_names():
    """The corpus has a file for each defect kind: column, type, reference, ids, time, ..."""
    names = " ".join(EXPECTED)
    for defect in (
        "missing_column",
        "wrong_type",
        "unknown_patient_reference",
        "duplicate_ids",
        "impossible_time",
        "bad_encoding",
        "truncated_json",
        "wrong_resource_type",
        "unsupported_timing",
    ):
        assert defect in names


def test_valid_corpus_exports_import_cleanly(import_store: Store):
    """The valid CSV and FHIR exports the defects derive from import without error."""
    _import(import_store, CORPUS / "valid_csv")
    summary = import_store.save_export(
        read_plan_export(CORPUS / "valid_fhir.json").data, partial_kinds=("roster",)
    )
    assert summary.changes == 0
