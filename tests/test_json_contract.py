"""The committed JSON schema of the worklist output matches the models that write it."""

from __future__ import annotations

import json
from pathlib import Path

from hjemmetjeneste.domain import PlanResult

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "worklist.schema.json"


def test_committed_schema_matches_plan_result_model():
    """docs/worklist.schema.json is regenerated whenever PlanResult changes (see docs)."""
    committed = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert committed == PlanResult.model_json_schema(mode="serialization"), (
        "regenerate docs/worklist.schema.json as described in docs/worklist-json.md"
    )
