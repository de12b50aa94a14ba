"""Wire models of events, notices, patient messages and nurses' changes (issue #16)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hjemmetjeneste.domain.events import VisitChange

__all__ = [
    "EventPublic",
    "EventResultPublic",
    "MessageCreate",
    "MessagePublic",
    "NoticePublic",
    "NurseChangesPublic",
    "WindowPublic",
]

EventStatus = Literal["requested", "applying", "applied", "rejected", "failed"]


class _Public(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChangesPublic(_Public):
    """The changes a re-plan made, per caregiver (staff id) and per patient (patient id)."""

    by_nurse: dict[str, list[VisitChange]]
    by_patient: dict[str, list[VisitChange]]


class EventResultPublic(_Public):
    """What applying an event did: the newest version it published and the changes."""

    version: int | None
    versions: list[dict[str, Any]] = []
    changes: ChangesPublic


class EventPublic(_Public):
    """An event as stored: its fields, status and, once applied, its result."""

    id: str
    kind: str
    status: EventStatus
    fields: dict[str, Any]
    created_at: AwareDatetime
    created_by: str
    result: EventResultPublic | None = None
    error: str | None = None


class WindowPublic(_Public):
    """A visit's planned time (start and end)."""

    start: AwareDatetime | None
    end: AwareDatetime | None


class NoticePublic(_Public):
    """A notice to the patient, with its text in the language asked for."""

    id: int
    created_at: AwareDatetime
    kind: Literal[
        "visit_cancelled", "visit_moved", "visit_unplaced", "absence_accepted", "absence_rejected"
    ]
    visit_date: date | None
    old_window: WindowPublic | None
    new_window: WindowPublic | None
    text: str


class MessageCreate(_Public):
    """A patient's message to the home-care office."""

    text: str = Field(min_length=1, max_length=1000)


class MessagePublic(_Public):
    """A patient's message as the planner sees it."""

    id: int
    patient_id: str
    text: str
    created_at: datetime


class NurseChangesPublic(_Public):
    """A nurse's own changes since the version she last opened."""

    current_version: int
    since_version: int
    changes: list[VisitChange]
