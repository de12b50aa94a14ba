"""A FHIR position or geolocation that is no coordinate is an input issue naming the file,
row and field — found by the all-or-nothing property test (a latitude of 6320114.0 escaped
as a pydantic validation error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hjemmetjeneste.errors import PlanInputError
from hjemmetjeneste.formats.auto import read_plan_export

CORPUS = Path(__file__).parent / "corpus" / "valid_fhir.json"


@pytest.mark.parametrize(
    ("valid", "damaged", "field"),
    [
        ('"latitude": 63.4262', '"latitude": 634262.0', "position"),
        ('"valueDecimal": 63.420114', '"valueDecimal": 6320114.0', "geolocation"),
    ],
)
def test_a_position_out_of_range_is_an_issue_not_a_crash(tmp_path, valid, damaged, field):
    text = CORPUS.read_text(encoding="utf-8")
    assert valid in text
    path = tmp_path / "bundle.json"
    path.write_text(text.replace(valid, damaged, 1), encoding="utf-8")
    with pytest.raises(PlanInputError) as caught:
        read_plan_export(path, "fhir")
    (issue,) = [i for i in caught.value.issues if "no coordinate" in i.message]
    assert issue.file == "bundle.json" and issue.row is not None and field in (issue.field or "")
    assert damaged.split(": ")[1] in issue.message
