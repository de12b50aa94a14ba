"""The codec of the store's encoded columns: JSON (schedules, rules, shifts) and ``|`` sets.

Every column the store writes as text is encoded and decoded here, and stored rows become
domain objects here, so no caller (the repository, the query functions, the API) ever
parses a column itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from hjemmetjeneste.domain import (
    HolidayRule,
    Intervention,
    PlanningRules,
    PlanResult,
    Schedule,
    ShiftDefinition,
)
from hjemmetjeneste.store.models import InterventionRow

__all__ = [
    "ids_text",
    "intervention_from_row",
    "plan_result_from_json",
    "rules_from_json",
    "rules_json",
    "schedule_from_json",
    "schedule_json",
    "set_from_text",
    "set_text",
    "shifts_from_json",
    "shifts_json",
    "time_text",
]


def time_text(value: Any) -> str:
    """A time or date as ISO text."""
    return value.isoformat()


@lru_cache(maxsize=65536)
def schedule_json(schedule: Schedule) -> str:
    """The schedule as canonical JSON (sorted sets), stable across processes."""
    return json.dumps(
        {
            "kind": schedule.kind.value,
            "times": [time_text(t) for t in schedule.times],
            "tolerance_min": schedule.tolerance_min,
            "windows": [[time_text(w.start), time_text(w.end)] for w in schedule.windows],
            "weekdays": sorted(schedule.weekdays),
            "every_n_weeks": schedule.every_n_weeks,
            "week_anchor": (
                None if schedule.week_anchor is None else schedule.week_anchor.isoformat()
            ),
            # Only when set, so schedules without it keep their stored JSON and hash.
            **({"windows_are_alternatives": True} if schedule.windows_are_alternatives else {}),
            **(
                {"on_holidays": schedule.on_holidays.value}
                if schedule.on_holidays != HolidayRule.NORMAL
                else {}
            ),
        },
        separators=(",", ":"),
    )


def schedule_from_json(text: str) -> Schedule:
    """The Schedule stored by :func:`schedule_json`."""
    raw = json.loads(text)
    raw["windows"] = [{"start": s, "end": e} for s, e in raw["windows"]]
    return Schedule.model_validate(raw)


def set_text(values: Iterable[Any]) -> str:
    """Enum values as sorted ``|``-separated text."""
    return "|".join(sorted(str(v.value) for v in values))


def set_from_text(text: str) -> list[str]:
    """The values of :func:`set_text` (or :func:`ids_text`)."""
    return [v for v in text.split("|") if v]


def ids_text(ids: Iterable[str]) -> str | None:
    """Ids as sorted ``|``-separated text; None (NULL) for none."""
    return "|".join(sorted(ids)) or None


def rules_json(rules: PlanningRules) -> str | None:
    """The rules that differ from the defaults as canonical JSON; None when all are default."""
    if rules == PlanningRules():
        return None
    return json.dumps(
        rules.model_dump(mode="json", exclude_defaults=True),
        separators=(",", ":"),
        sort_keys=True,
    )


def shifts_json(shifts: Sequence[ShiftDefinition]) -> str:
    """The shift definitions as compact JSON."""
    return json.dumps(
        [[s.kind.value, time_text(s.start), time_text(s.end)] for s in shifts],
        separators=(",", ":"),
    )


def intervention_from_row(r: InterventionRow) -> Intervention:
    """The domain intervention a stored row holds (schedule and rule columns decoded)."""
    return Intervention(
        intervention_id=r.intervention_id,
        patient_id=r.patient_id,
        problem_area=r.problem_area,
        description=r.description,
        duration_min=r.duration_min,
        schedule=schedule_from_json(r.schedule_json),
        required_competence=r.required_competence,
        required_skills=frozenset(set_from_text(r.required_skills)),
        staff_count=r.staff_count,
        priority=r.priority,
        time_critical=r.time_critical,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        gap_group=r.gap_group,
        min_gap_min=r.min_gap_min or 0,
        max_gap_min=r.max_gap_min,
        second_staff_competence=r.second_staff_competence,
        late_allowance_min=r.late_allowance_min or 0,
        separate_visit=bool(r.separate_visit),
    )


def shifts_from_json(text: str) -> tuple[ShiftDefinition, ...]:
    """The shift definitions stored by :func:`shifts_json`."""
    return tuple(ShiftDefinition(kind=k, start=s, end=e) for k, s, e in json.loads(text))


def rules_from_json(text: str | None) -> PlanningRules:
    """The rules stored by :func:`rules_json` (None: every rule at its default)."""
    return PlanningRules() if text is None else PlanningRules.model_validate_json(text)


def plan_result_from_json(text: str) -> PlanResult:
    """A run's stored result (the worklist JSON ``plan --out`` writes too)."""
    return PlanResult.model_validate_json(text)
