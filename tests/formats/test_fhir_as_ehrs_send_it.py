"""FHIR as EHRs send it: transaction bundles with urn:uuid references, resource types the
planner does not need (skipped and counted), absolute references, never None in a message."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from import_corpus import CORPUS

from hjemmetjeneste.domain import ProblemArea
from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats.auto import read_plan_export

VALID = CORPUS / "valid_fhir.json"
EXTRA = [
    {"resourceType": "Encounter", "id": "enc-1", "status": "finished",
     "class": {"code": "HH"}, "subject": {"reference": "Patient/P0001"}},
    {"resourceType": "Condition", "id": "cond-1", "subject": {"reference": "Patient/P0001"}},
    {"resourceType": "Condition", "id": "cond-2", "subject": {"reference": "Patient/P0002"}},
    {"resourceType": "Organization", "id": "org-1", "name": "Hjemmetjenesten (synthetic)"},
]  # fmt: skip


def _transaction(tmp_path: Path, *, absolute: bool = False) -> Path:
    """The valid bundle as a transaction: every entry a urn:uuid (or absolute) fullUrl and
    POST request, every relative reference rewritten to point at that fullUrl."""
    bundle = json.loads(VALID.read_text(encoding="utf-8"))
    resources = [e["resource"] for e in bundle["entry"]] + EXTRA
    urls = {
        f"{r['resourceType']}/{r['id']}": (
            f"https://ehr.example.org/fhir/{r['resourceType']}/{r['id']}"
            if absolute
            else f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, r['id'])}"
        )
        for r in resources
    }
    text = json.dumps(
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": urls[f"{r['resourceType']}/{r['id']}"],
                    "resource": r,
                    "request": {"method": "POST", "url": r["resourceType"]},
                }
                for r in resources
            ],
        }
    )
    for relative, full in urls.items():
        text = text.replace(f'"reference": "{relative}"', f'"reference": "{full}"')
    assert '"reference": "Patient/' not in text
    path = tmp_path / "transaction.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("absolute", [False, True], ids=["urn_uuid", "absolute_urls"])
def test_transaction_bundle_reads_like_the_collection(tmp_path: Path, absolute: bool) -> None:
    """References resolve through fullUrl; Encounter, Condition and Organization are
    skipped and counted, not errors."""
    loaded = read_plan_export(_transaction(tmp_path, absolute=absolute))
    assert loaded.data == read_plan_export(VALID).data
    assert dict(loaded.skipped) == {"Condition": 2, "Encounter": 1, "Organization": 1}


def test_ndjson_skips_the_same_types(tmp_path: Path) -> None:
    """NDJSON (one resource a line) skips and counts the same way."""
    bundle = json.loads(VALID.read_text(encoding="utf-8"))
    lines = [json.dumps(e["resource"]) for e in bundle["entry"]] + [json.dumps(r) for r in EXTRA]
    path = tmp_path / "export.ndjson"
    path.write_text("\n".join(lines), encoding="utf-8")
    loaded = read_plan_export(path)
    assert loaded.data == read_plan_export(VALID).data
    assert dict(loaded.skipped)["Condition"] == 2


def test_no_python_none_in_messages(tmp_path: Path) -> None:
    """A document without resourceType and a resource without id or type name no None."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"entry": []}), encoding="utf-8")
    with pytest.raises(PlanInputError) as caught:
        read_plan_export(path)
    assert "None" not in str(caught.value)
    bundle = json.loads(VALID.read_text(encoding="utf-8"))
    bundle["entry"].append({"resource": {"resourceType": "Patient"}})
    bundle["entry"].append({"resource": {"id": "x"}})
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(PlanInputError) as caught:
        read_plan_export(path)
    message = str(caught.value)
    assert "None" not in message
    assert "resource has no id" in message and "resource has no resourceType" in message


def test_problem_area_from_addresses_or_category_text(tmp_path: Path) -> None:
    """Without reasonCode the heading comes from CarePlan.addresses (a Condition's display,
    any letter case) or, for a municipality's own heading, from the category text."""
    bundle = json.loads(VALID.read_text(encoding="utf-8"))
    plans = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    for activity in plans[0]["activity"]:
        activity["detail"].pop("reasonCode", None)
    plans[0].pop("category", None)
    plans[0]["addresses"] = [{"reference": "Condition/c1", "display": "personlig hygiene"}]
    for activity in plans[1]["activity"]:
        activity["detail"].pop("reasonCode", None)
    plans[1]["category"] = [{"text": "Hagearbeid"}]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    loaded = read_plan_export(path)
    areas = {
        p.care_plan_id: {i.problem_area for i in p.interventions} for p in loaded.data.care_plans
    }
    assert areas[plans[0]["id"]] == {ProblemArea.PERSONAL_HYGIENE}
    assert areas[plans[1]["id"]] == {"Hagearbeid"}
    assert loaded.new_problem_areas == (("Hagearbeid", len(plans[1]["activity"])),)
