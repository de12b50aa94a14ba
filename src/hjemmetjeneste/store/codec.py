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
    Base,
    CarePlan,
    CompetenceLevel,
    CompetenceTitle,
    District,
    HolidayRule,
    Intervention,
    Municipality,
    Patient,
    PlanningRules,
    PlanResult,
    RosterEntry,
    Schedule,
    ShiftDefinition,
    Staff,
)
from hjemmetjeneste.store.models import (
    BaseRow,
    DistrictRow,
    InterventionRow,
    MunicipalityRow,
    PatientRow,
    RosterEntryRow,
    StaffRow,
)

__all__ = [
    "base_from_row",
    "base_values",
    "care_plan_values",
    "district_from_row",
    "district_values",
    "ids_text",
    "intervention_from_row",
    "intervention_values",
    "municipality_from_row",
    "municipality_values",
    "patient_from_row",
    "patient_values",
    "plan_result_from_json",
    "roster_entry_from_row",
    "roster_entry_values",
    "rules_from_json",
    "rules_json",
    "schedule_from_json",
    "schedule_json",
    "set_from_text",
    "set_text",
    "shifts_from_json",
    "shifts_json",
    "staff_from_row",
    "staff_values",
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
    if not values:  # most records: no skills
        return ""
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
        second_staff_skills=frozenset(set_from_text(r.second_staff_skills or "")),
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


# --------------------------------------------------------------------------------------
# Domain objects -> column values (what an import writes and hashes)
# --------------------------------------------------------------------------------------


def municipality_values(m: Municipality) -> dict[str, Any]:
    """The municipality's stored columns (shifts and rules encoded)."""
    return {
        "name": m.name,
        "timezone": m.timezone,
        "shifts_json": shifts_json(m.shifts),
        "rules_json": rules_json(m.rules),
    }


def base_values(b: Base) -> dict[str, Any]:
    """A base's stored columns."""
    return {
        "base_id": b.base_id,
        "name": b.name,
        "address": b.address,
        "lat": b.location.lat,
        "lon": b.location.lon,
    }


def district_values(d: District) -> dict[str, Any]:
    """A district's stored columns."""
    return {"district_id": d.district_id, "name": d.name, "base_id": d.base_id}


def patient_values(p: Patient) -> dict[str, Any]:
    """A patient's stored columns (refused and preferred staff as id sets)."""
    return {
        "patient_id": p.patient_id,
        "district_id": p.district_id,
        "display_name": p.display_name,
        "address": p.address,
        "lat": p.location.lat,
        "lon": p.location.lon,
        "key_box_note": p.key_box_note,
        "refused_staff_ids": ids_text(p.refused_staff_ids),
        "preferred_staff_ids": ids_text(p.preferred_staff_ids),
        "language": None if p.language is None else p.language.value,
        "primary_contact_id": p.primary_contact_id,
        "care_team_ids": ids_text(p.care_team_ids),
    }


def care_plan_values(c: CarePlan) -> dict[str, Any]:
    """A care plan's stored columns (its interventions are rows of their own)."""
    return {"care_plan_id": c.care_plan_id, "patient_id": c.patient_id}


def intervention_values(pair: tuple[str, Intervention]) -> dict[str, Any]:
    """An intervention's stored columns, given with the id of its care plan.

    Rule fields at their default are NULL, so that rows without rules keep their hash.
    """
    care_plan_id, i = pair
    return {
        "intervention_id": i.intervention_id,
        "care_plan_id": care_plan_id,
        "patient_id": i.patient_id,
        "problem_area": i.problem_area.value,
        "description": i.description,
        "duration_min": i.duration_min,
        "schedule_json": schedule_json(i.schedule),
        "required_competence": i.required_competence.value,
        "required_skills": set_text(i.required_skills),
        "staff_count": i.staff_count,
        "priority": i.priority.value,
        "time_critical": i.time_critical,
        "valid_from": i.valid_from,
        "valid_to": i.valid_to,
        "gap_group": i.gap_group,
        "min_gap_min": i.min_gap_min or None,
        "max_gap_min": i.max_gap_min,
        "second_staff_competence": (
            None if i.second_staff_competence is None else i.second_staff_competence.value
        ),
        "late_allowance_min": i.late_allowance_min or None,
        "separate_visit": True if i.separate_visit else None,
        "second_staff_skills": set_text(i.second_staff_skills) or None,
    }


def staff_values(s: Staff) -> dict[str, Any]:
    """A caregiver's stored columns (skills as a set; an own title and its level apart)."""
    title = s.competence
    return {
        "staff_id": s.staff_id,
        "district_id": s.district_id,
        "first_name": s.first_name,
        "competence": title.level.value if isinstance(title, CompetenceTitle) else title.value,
        "skills": set_text(s.skills),
        "travel_mode": s.travel_mode.value,
        "contracted_fte": s.contracted_fte,
        "home_lat": None if s.home is None else s.home.lat,
        "home_lon": None if s.home is None else s.home.lon,
        "competence_title": title.value if isinstance(title, CompetenceTitle) else None,
    }


def roster_entry_values(e: RosterEntry) -> dict[str, Any]:
    """A roster entry's stored columns."""
    return {
        "staff_id": e.staff_id,
        "shift_date": e.date,
        "shift": e.shift.value,
        "district_id": e.district_id,
        "start_time": None if e.start is None else time_text(e.start),
        "end_time": None if e.end is None else time_text(e.end),
        "start_place": e.start_place,
        "end_place": e.end_place,
    }


# --------------------------------------------------------------------------------------
# Stored rows -> domain objects
# --------------------------------------------------------------------------------------


def municipality_from_row(r: MunicipalityRow) -> Municipality:
    """The municipality a stored row holds (shifts and rules decoded)."""
    return Municipality(
        municipality_id=r.municipality_id,
        name=r.name,
        timezone=r.timezone,
        shifts=shifts_from_json(r.shifts_json),
        rules=rules_from_json(r.rules_json),
    )


def base_from_row(r: BaseRow) -> Base:
    """The base a stored row holds."""
    return Base(
        base_id=r.base_id, name=r.name, address=r.address, location={"lat": r.lat, "lon": r.lon}
    )


def district_from_row(r: DistrictRow) -> District:
    """The district a stored row holds."""
    return District(
        district_id=r.district_id,
        municipality_id=r.municipality_id,
        name=r.name,
        base_id=r.base_id,
    )


def patient_from_row(r: PatientRow) -> Patient:
    """The patient a stored row holds (staff id sets decoded)."""
    return Patient(
        patient_id=r.patient_id,
        municipality_id=r.municipality_id,
        district_id=r.district_id,
        display_name=r.display_name,
        address=r.address,
        location={"lat": r.lat, "lon": r.lon},
        key_box_note=r.key_box_note,
        refused_staff_ids=frozenset(set_from_text(r.refused_staff_ids or "")),
        preferred_staff_ids=frozenset(set_from_text(r.preferred_staff_ids or "")),
        language=r.language,
        primary_contact_id=r.primary_contact_id,
        care_team_ids=frozenset(set_from_text(r.care_team_ids or "")),
    )


def staff_from_row(r: StaffRow) -> Staff:
    """The caregiver a stored row holds (skills decoded)."""
    return Staff(
        staff_id=r.staff_id,
        municipality_id=r.municipality_id,
        district_id=r.district_id,
        first_name=r.first_name,
        competence=(
            r.competence
            if r.competence_title is None
            else CompetenceTitle(r.competence_title, CompetenceLevel(r.competence))
        ),
        skills=frozenset(set_from_text(r.skills)),
        travel_mode=r.travel_mode,
        contracted_fte=r.contracted_fte,
        home=None if r.home_lat is None else {"lat": r.home_lat, "lon": r.home_lon},
    )


def roster_entry_from_row(r: RosterEntryRow) -> RosterEntry:
    """The roster entry a stored row holds."""
    return RosterEntry(
        staff_id=r.staff_id,
        date=r.shift_date,
        shift=r.shift,
        district_id=r.district_id,
        start=r.start_time,
        end=r.end_time,
        start_place=r.start_place,
        end_place=r.end_place,
    )
