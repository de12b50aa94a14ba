"""The specialist's view of a care plan shows each planning rule exactly as the export holds
it: alternative windows, gap rules, the second caregiver's competence, late allowances."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
from api_test_helpers import DEMO, OWN
from fastapi.testclient import TestClient

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.auth import Role, issue_demo_token
from hjemmetjeneste.domain import (
    CompetenceLevel,
    Intervention,
    Schedule,
    ScheduleKind,
    TimeWindow,
)
from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import open_store


def _ruled(base: Intervention) -> dict[str, Intervention]:
    """One intervention per rule, made from one of the demo patient's interventions."""
    windows = (TimeWindow(start=time(8), end=time(9)), TimeWindow(start=time(11), end=time(12)))
    either = Schedule(kind=ScheduleKind.WINDOW, windows=windows, windows_are_alternatives=True)
    return {
        "alternatives": base.model_copy(update={"intervention_id": "rule-alt", "schedule": either}),
        "gap": base.model_copy(
            update={
                "intervention_id": "rule-gap",
                "gap_group": "paracet",
                "min_gap_min": 240,
                "max_gap_min": 480,
            }
        ),
        "second_staff": base.model_copy(
            update={
                "intervention_id": "rule-pair",
                "staff_count": 2,
                "required_competence": CompetenceLevel.NURSE,
                "second_staff_competence": CompetenceLevel.ASSISTANT,
            }
        ),
        "late": base.model_copy(update={"intervention_id": "rule-late", "late_allowance_min": 20}),
    }


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict, dict]]:
    """The specialist's care-plan JSON (by intervention id) and the export's interventions,
    after the export with the ruled interventions was written as CSV and imported."""
    folder = tmp_path_factory.mktemp("specialist")
    demo = read_export(DEMO)
    plan = demo.care_plans[0]
    extra = tuple(_ruled(plan.interventions[0]).values())
    plans = (plan.model_copy(update={"interventions": plan.interventions + extra}),)
    write_export(demo.model_copy(update={"care_plans": plans + demo.care_plans[1:]}), folder / "x")
    export = read_export(folder / "x")  # what the planner's export holds
    settings = Settings(database_url=f"sqlite:///{folder / 'api.db'}")
    store = open_store(settings.database_url)
    store.save_export(export, source="test")
    store.close()
    token = issue_demo_token(
        settings, role=Role.SPECIALIST, person_id="spec-1", municipality_id=OWN
    )
    with TestClient(create_app(settings)) as client:
        answer = client.get(
            f"/v1/patients/{plan.patient_id}/care-plan",
            params={"purpose": "innleggelse"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200, answer.text
    shown = {i["intervention_id"]: i for i in answer.json()["interventions"]}
    held = {i.intervention_id: i for c in export.care_plans for i in c.interventions}
    yield shown, held


def test_alternative_windows_are_one_visit_in_either(view) -> None:
    """Alternative windows: both windows, flagged as alternatives of one visit."""
    shown, held = view
    schedule = shown["rule-alt"]["schedule"]
    assert held["rule-alt"].schedule.windows_are_alternatives is True
    assert schedule["windows_are_alternatives"] is True
    assert schedule["windows"] == [["08:00:00", "09:00:00"], ["11:00:00", "12:00:00"]]
    assert shown["rule-gap"]["schedule"]["windows_are_alternatives"] is False


def test_gap_rules_are_shown(view) -> None:
    """Gap rule: the group and the minimum and maximum minutes between starts."""
    shown, held = view
    rule = held["rule-gap"]
    assert (rule.gap_group, rule.min_gap_min, rule.max_gap_min) == ("paracet", 240, 480)
    got = shown["rule-gap"]
    assert (got["gap_group"], got["min_gap_min"], got["max_gap_min"]) == ("paracet", 240, 480)
    assert shown["rule-late"]["gap_group"] is None


def test_second_caregivers_competence_is_shown(view) -> None:
    """Double-staffed: the first caregiver's competence and the second's, as exported."""
    shown, held = view
    assert held["rule-pair"].second_staff_competence == CompetenceLevel.ASSISTANT
    got = shown["rule-pair"]
    assert got["staff_count"] == 2
    assert got["required_competence"] == CompetenceLevel.NURSE.value
    assert got["second_staff_competence"] == CompetenceLevel.ASSISTANT.value


def test_late_allowance_is_shown(view) -> None:
    """Late allowance: the minutes a start may slip past the window, as exported."""
    shown, held = view
    assert held["rule-late"].late_allowance_min == 20
    assert shown["rule-late"]["late_allowance_min"] == 20
    assert shown["rule-gap"]["late_allowance_min"] == 0
