"""Wire models (``*Public``): what the API sends and accepts, separate from storage rows."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hjemmetjeneste.domain import PlanKpis, PlanResult, ShiftKind, UnplacedTask, Worklist

#: Dates a request may name: plans and visits far outside this range are input errors.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
#: A date within the range above (422 outside it, never an overflow further in).
PlanDate = Annotated[date, Field(ge=MIN_DATE, le=MAX_DATE)]
#: Largest id accepted in a path (ids are database integers).
MAX_ID = 2**53

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]


class ReadPurpose(StrEnum):
    """Why a specialist reads a patient's plan: a code, never free text (it is logged)."""

    JOURNALGJENNOMGANG = "journalgjennomgang"  # review of the municipal record
    INNLEGGELSE = "innleggelse"  # admission to hospital
    UTSKRIVNING = "utskrivning"  # discharge planning
    AKUTT = "akutt"  # emergency care
    LEGEMIDDELGJENNOMGANG = "legemiddelgjennomgang"  # medication review
    KVALITETSSIKRING = "kvalitetssikring"  # quality assurance


class _Public(BaseModel):
    model_config = ConfigDict(frozen=True)


class IssuePublic(_Public):
    """One problem with the request or its upload: file, row and field where known."""

    file: str | None = None
    row: int | None = None
    field: str | None = None
    message: str


class ProblemPublic(_Public):
    """Every error response: a sentence, and for bad input every issue found."""

    detail: str
    issues: list[IssuePublic] = []


class HealthPublic(_Public):
    """The health check's answer."""

    status: Literal["ok"]


class MePublic(_Public):
    """Who the token says the caller is."""

    role: str
    municipality_id: str
    person_id: str


class KindCountsPublic(_Public):
    """What an import did to one kind of record."""

    added: int
    changed: int
    ended: int
    unchanged: int


class ImportSummaryPublic(_Public):
    """The outcome of an upload: counts per kind of record (as the import command prints)."""

    municipality_id: str
    batch_id: int | None
    dry_run: bool
    changes: int
    counts: dict[str, KindCountsPublic]
    new_headings: dict[str, int] = {}
    """Care-plan headings in no catalogue (standard, the upload's catalogue file, the
    municipality's catalogue in the store): added as its own, with how many interventions
    use each."""
    new_titles: dict[str, int] = {}
    """Competence titles in no catalogue: added as the municipality's own at the lowest level
    (assistent), with how many caregivers hold each; give one its level in catalogue.csv."""
    new_skills: dict[str, int] = {}
    """Skills in no catalogue: added as the municipality's own, with how many uses."""


class District(_Public):
    """A district of the caller's municipality, in force.

    Named ``District`` rather than ``DistrictPublic``: schema-driven tools (schemathesis'
    stateful tests) match a ``district_id`` field to the schema of that name.
    """

    district_id: str


class RunCreate(_Public):
    """A plan run to start: one district's shift on one date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: PlanDate
    shift: ShiftKind
    district_id: str | None = Field(default=None, min_length=1, max_length=128, strict=True)
    time_limit_s: float = Field(default=10.0, ge=0.5, le=300.0, strict=True)


class RunPublic(_Public):
    """A plan run's state: progress while it runs, key figures once it succeeded."""

    run_id: str
    district_id: str
    date: date
    shift: ShiftKind
    status: RunStatus
    progress: float
    best_objective: int | None
    time_limit_s: float
    created_by: str
    created_at: AwareDatetime
    started_at: AwareDatetime | None
    finished_at: AwareDatetime | None
    cancel_requested: bool
    error: str | None
    violations: int | None
    pins: int
    kpis: PlanKpis | None


class RunResultPublic(_Public):
    """A finished run's worklists, unplaced tasks with reasons, and key figures."""

    run_id: str
    result: PlanResult


class UnplacedListPublic(_Public):
    """Unplaced tasks of a run (kept for clients that want only these)."""

    unplaced: list[UnplacedTask]


class PinCreate(_Public):
    """Pin a visit of a run: its tasks go to this caregiver and/or start at this time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    visit_id: str = Field(min_length=1, max_length=256, strict=True)
    staff_id: str | None = Field(default=None, min_length=1, max_length=128, strict=True)
    start: AwareDatetime | None = None


class PinPublic(_Public):
    """A stored pin; every later run of its shift honours it."""

    pin_id: int
    district_id: str
    date: date
    shift: ShiftKind
    task_id: str
    visit_id: str
    staff_id: str | None
    start: AwareDatetime | None
    created_by: str
    created_at: AwareDatetime


class CalendarFeedPublic(_Public):
    """A new calendar feed: its secret URL, shown once (the store keeps only a hash)."""

    feed_id: int
    url: str
    path: str


class PublicationPublic(_Public):
    """One published version of a shift's plan."""

    district_id: str
    date: date
    shift: ShiftKind
    version: int
    run_id: str
    published_by: str
    published_at: AwareDatetime


class PublicationHistoryPublic(_Public):
    """A shift's current version (0 = never published) and every version, newest first."""

    district_id: str
    date: date
    shift: ShiftKind
    current_version: int
    versions: list[PublicationPublic]


class RetimedVisitPublic(_Public):
    """A visit that stayed on the worklist but moved."""

    visit_id: str
    previous_start: AwareDatetime
    start: AwareDatetime
    previous_sequence: int
    sequence: int


class WorklistChangesPublic(_Public):
    """What changed on this worklist since the previous published version."""

    previous_version: int | None
    added_visit_ids: list[str]
    removed_visit_ids: list[str]
    retimed: list[RetimedVisitPublic]


class NurseWorklistPublic(_Public):
    """A nurse's own published worklist for one shift, with what changed since last time."""

    municipality_id: str
    district_id: str
    date: date
    shift: ShiftKind
    version: int
    published_at: AwareDatetime
    worklist: Worklist
    changes: WorklistChangesPublic
    partner_first_names: dict[str, str] = {}
    """First name of each caregiver she shares a double-staffed visit with, by staff id:
    the page names the partner, never by staff id."""


class PatientVisitPublic(_Public):
    """An upcoming visit as the patient sees it: a time window, the caregivers' first names."""

    date: date
    shift: ShiftKind
    window_start: AwareDatetime
    window_end: AwareDatetime
    caregiver_first_names: list[str]


class PatientVisitsPublic(_Public):
    """A patient's upcoming published visits, earliest first."""

    patient_id: str
    visits: list[PatientVisitPublic]


class SchedulePublic(_Public):
    """When an intervention recurs (see docs/import-format.md)."""

    kind: str
    times: list[time]
    tolerance_min: int
    windows: list[list[time]]
    weekdays: list[int]
    every_n_weeks: int
    week_anchor: date | None
    windows_are_alternatives: bool = False
    """True: ``windows`` are alternatives for ONE visit ("08–09 or 11–12"), not one visit
    per window."""


class InterventionPublic(_Public):
    """One intervention (tiltak) of a care plan, with the planning rules the export gives."""

    intervention_id: str
    problem_area: str
    description: str
    duration_min: int
    schedule: SchedulePublic
    required_competence: str
    required_skills: list[str]
    staff_count: int
    priority: str
    time_critical: bool
    valid_from: date
    valid_to: date | None
    gap_group: str | None = None
    """Interventions of one gap group (e.g. doses of one medicine) keep the gap below."""
    min_gap_min: int = 0
    """At least this many minutes between the starts of two visits of the gap group."""
    max_gap_min: int | None = None
    """At most this many minutes between them (None: no upper bound)."""
    second_staff_competence: str | None = None
    """Double-staffed: the competence the second caregiver needs (None: as the first)."""
    second_staff_skills: list[str] = []
    """Double-staffed: the skills the second caregiver's role needs (with its competence)."""
    late_allowance_min: int = 0
    """Minutes the visit may start after its window, at a cost (0: never late)."""
    separate_visit: bool = False
    """True: a visit of its own, never merged with the patient's other tasks."""


class CarePlanPublic(_Public):
    """A patient's current care plan (pasientplan), read-only."""

    patient_id: str
    display_name: str
    care_plan_ids: list[str]
    interventions: list[InterventionPublic]


class AuditEntryPublic(_Public):
    """One audit record: who read which patient's data, in which role, when and why."""

    audit_id: int
    at: datetime
    actor_id: str
    actor_role: str
    patient_id: str
    action: str
    resource: str
    purpose: str


class AuditPagePublic(_Public):
    """A page of the municipality's audit log, newest first."""

    entries: list[AuditEntryPublic]
    limit: int
    offset: int


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error responses, all in the :class:`ProblemPublic` shape; 429
    (rate limited, with ``Retry-After``) is possible everywhere."""
    return {code: {"model": ProblemPublic} for code in (*codes, 429)}
