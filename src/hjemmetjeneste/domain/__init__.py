"""Frozen pydantic models of the home-care domain (see docs/glossary in README). No I/O."""

from hjemmetjeneste.domain.common import (
    OSLO_TZ_NAME,
    CompetenceLevel,
    Frozen,
    GeoPoint,
    ProblemArea,
    ShiftKind,
    Skill,
    TravelMode,
)
from hjemmetjeneste.domain.dataset import MunicipalityData
from hjemmetjeneste.domain.organisation import (
    DEFAULT_SHIFTS,
    Base,
    District,
    Municipality,
    ShiftDefinition,
)
from hjemmetjeneste.domain.people import Patient, Staff
from hjemmetjeneste.domain.plans import (
    CarePlan,
    Intervention,
    Priority,
    Schedule,
    ScheduleKind,
    TimeWindow,
)
from hjemmetjeneste.domain.roster import Roster, RosterEntry
from hjemmetjeneste.domain.tasks import DayPlan, OutOfPlanTask, ShiftInstance, Task, Visit
from hjemmetjeneste.domain.worklists import (
    AsNeededItem,
    PlanKpis,
    PlanResult,
    UnplacedReason,
    UnplacedTask,
    Worklist,
    WorklistTask,
    WorklistVisit,
)

__all__ = [
    "DEFAULT_SHIFTS",
    "OSLO_TZ_NAME",
    "AsNeededItem",
    "Base",
    "CarePlan",
    "CompetenceLevel",
    "DayPlan",
    "District",
    "Frozen",
    "GeoPoint",
    "Intervention",
    "Municipality",
    "MunicipalityData",
    "OutOfPlanTask",
    "Patient",
    "PlanKpis",
    "PlanResult",
    "Priority",
    "ProblemArea",
    "Roster",
    "RosterEntry",
    "Schedule",
    "ScheduleKind",
    "ShiftDefinition",
    "ShiftInstance",
    "ShiftKind",
    "Skill",
    "Staff",
    "Task",
    "TimeWindow",
    "TravelMode",
    "UnplacedReason",
    "UnplacedTask",
    "Visit",
    "Worklist",
    "WorklistTask",
    "WorklistVisit",
]
